"""`stjarna cache purge` with a CloudFront distribution (moto's CloudFront): the restaurant's menu and
config paths, by slug and by id, are invalidated after the version bump; a failing invalidation is
reported (exit 3) and the bump stands."""

from __future__ import annotations

import boto3
import orjson
import pytest
from moto import mock_aws

from shared.helpdesk.cdn import restaurant_paths


@pytest.fixture
def cloudfront(aws_env):
    with mock_aws():
        client = boto3.client("cloudfront")
        distribution = client.create_distribution(DistributionConfig={
            "CallerReference": "stjarna-test", "Comment": "api", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "api", "DomainName": "api.stjarna.dev",
                "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "api", "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
                "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0}}})["Distribution"]
        yield client, distribution["Id"]


def invalidated_paths(client, distribution):
    found = []
    for summary in client.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", []):
        batch = client.get_invalidation(DistributionId=distribution, Id=summary["Id"])["Invalidation"]
        found.append(batch["InvalidationBatch"]["Paths"]["Items"])
    return found


def test_restaurant_paths_cover_slug_and_id():
    assert restaurant_paths("0C4B7A3E-0000-4000-8000-000000000001", "demo") == [
        "/api/public/menu?restaurantId=demo", "/api/public/menu?restaurantId=0c4b7a3e-0000-4000-8000-000000000001",
        "/api/public/config?restaurantId=demo",
        "/api/public/config?restaurantId=0c4b7a3e-0000-4000-8000-000000000001"]


def test_purge_invalidates_the_restaurants_paths(support, cloudfront, run, monkeypatch, sql):
    client, distribution = cloudfront
    monkeypatch.setenv("CLOUDFRONT_DISTRIBUTION_ID", distribution)
    (rid, version), = sql("select id::text, menu_version from restaurants where slug = 'demo'")
    code, out, err = run("cache", "purge", "demo", "--actor", "ops")
    assert code == 0, err
    expected = restaurant_paths(rid, "demo")
    assert invalidated_paths(client, distribution) == [expected]
    assert out.splitlines()[0].startswith(f"demo: menu version {version} -> {version + 1} (audited)")
    assert out.splitlines()[1].startswith(f"CDN: CloudFront {distribution} invalidation ")
    assert out.splitlines()[1].endswith(" for " + ", ".join(expected))
    audit = sql("select actor, action, details from audit_log order by id")
    assert [(a, b) for a, b, _ in audit] == [("cli:ops", "cache.purge"), ("cli:ops", "cache.invalidate")]
    assert audit[1][2]["distributionId"] == distribution and audit[1][2]["paths"] == expected

    code, out, _ = run("cache", "purge", rid, "--json")  # by id: the same paths, a new invalidation
    data = orjson.loads(out)
    assert code == 0 and data["version"] == version + 2
    assert data["cdn"]["paths"] == expected and data["cdn"]["invalidationId"]
    assert invalidated_paths(client, distribution) == [expected, expected]


def test_a_failed_invalidation_is_reported_and_the_bump_stands(support, cloudfront, run, monkeypatch, sql):
    client, distribution = cloudfront
    monkeypatch.setenv("CLOUDFRONT_DISTRIBUTION_ID", "E0000000NOSUCH")
    (version,), = sql("select menu_version from restaurants where slug = 'demo'")
    code, out, err = run("cache", "purge", "demo")
    assert code == 3
    assert out.startswith(f"demo: menu version {version} -> {version + 1}")
    assert "CDN: invalidation FAILED: CloudFront refused the invalidation of E0000000NOSUCH: NoSuchDistribution" in err
    assert sql("select menu_version from restaurants where slug = 'demo'") == [(version + 1,)]
    assert [a for (a,) in sql("select action from audit_log")] == ["cache.purge"]
    code, out, _ = run("cache", "purge", "demo", "--json")
    assert code == 3 and "NoSuchDistribution" in orjson.loads(out)["cdn"]["error"]
    assert invalidated_paths(client, distribution) == []
