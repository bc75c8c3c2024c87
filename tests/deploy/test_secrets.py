"""Each Lambda function's secrets: named in serverless.yml (STJARNA_SECRETS), read from SSM Parameter Store
at the first request (shared/secrets.py, through boto3 under moto), never in the template.

Checks what the deployed configuration promises: the widget gets no secret, only admin gets the pepper and
only chat the OpenAI key; what a function is given is enough for production to serve its group
(Settings.require with the group's NEEDS); the role may read exactly the named secrets; and a missing,
unreadable or malformed secret stops the function with a message naming it, never a value.
"""

from __future__ import annotations

import secrets as random
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from shared import secrets as ssm_secrets
from shared.errors import ConfigError
from shared.http.app import NEEDS
from shared.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
PATH = "/stjarna/test/"
STORE = {"SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY"}
KV = {"UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"}


@cache
def config() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def function_secrets(name: str) -> tuple[set[str], set[str]]:
    spec = config()["functions"][name].get("environment", {}).get("STJARNA_SECRETS", "")
    required, optional = ssm_secrets.parse_names(spec)
    return set(required), set(optional)


def strong_value(name: str) -> str:
    """A value production accepts for ``name``."""
    if name.endswith("_URL"):
        return "https://" + name.lower().replace("_", "-") + ".example.net"
    if name == "OPENAI_API_KEY":
        return "sk-proj-" + random.token_urlsafe(32)
    return random.token_urlsafe(36)


@pytest.fixture
def ssm(aws_env):
    ssm_secrets.cached_secrets.cache_clear()
    with mock_aws():
        yield boto3.client("ssm")
    ssm_secrets.cached_secrets.cache_clear()


# --- serverless.yml --------------------------------------------------------------------------------


def test_no_secret_is_resolved_into_the_template():
    text = (ROOT / "serverless.yml").read_text(encoding="utf-8")
    assert "${ssm:" not in text and "${aws:accountId}" not in text  # both need AWS at package time
    secret_fields = {f.alias for f in Settings.model_fields.values() if f.annotation is not None
                     and "SecretStr" in str(f.annotation)} - {"SENTRY_DSN"}  # a DSN only lets one send events
    assert {"ADMIN_KEY_PEPPER", "OPENAI_API_KEY", "SUPABASE_SERVICE_ROLE_KEY"} <= secret_fields
    environments = [config()["provider"]["environment"],
                    *(fn.get("environment", {}) for fn in config()["functions"].values())]
    for env in environments:
        assert not set(env) & (secret_fields | STORE | KV)
    assert config()["provider"]["environment"]["STJARNA_SECRETS_PATH"] == "/stjarna/${sls:stage}/"


def test_each_function_gets_only_the_secrets_its_routes_use():
    names = {name: function_secrets(name) for name in config()["functions"]}
    given = {name: required | optional for name, (required, optional) in names.items()}
    assert given["widget"] == set()
    assert given["expire_orders"] == STORE
    assert {n for n, s in given.items() if s & {"ADMIN_KEY_PEPPER", "ADMIN_KEY_PEPPER_PREVIOUS"}} == {"admin"}
    assert {n for n, s in given.items() if "OPENAI_API_KEY" in s} == {"chat"}
    assert {n for n, s in given.items() if "CHAT_PROBE_SECRET" in s} == {"chat"}
    # health checks the database and the KV, so it has their credentials, and nothing more
    assert given["health"] <= STORE | KV | {"CLIENT_HASH_SECRET", "CDN_ORIGIN_SECRET"}
    aliases = {f.alias for f in Settings.model_fields.values()}
    for name, secrets in given.items():
        assert secrets <= aliases, f"{name}: not settings: {secrets - aliases}"


@pytest.mark.parametrize("group", sorted(NEEDS.keys() - {"site"}))
def test_what_a_function_is_given_is_enough_for_production(group):
    required, optional = function_secrets(group)
    environ = {"STJARNA_ENV": "production", **{n: strong_value(n) for n in required | optional}}
    load_settings(environ).require(NEEDS[group])  # raises ConfigError on anything missing or weak
    for name in required:  # and each required one is needed: production refuses without it...
        smaller = {k: v for k, v in environ.items() if k != name}
        try:
            load_settings(smaller).require(NEEDS[group])
        except ConfigError:
            continue
        # ...unless the function uses it beyond the production refusals: hashing clients in its logs, the
        # model (without the key chat answers with the fallback responder)
        assert name in {"CLIENT_HASH_SECRET", "OPENAI_API_KEY"}, f"{group} is given {name} but does not need it"


def test_the_role_may_read_exactly_the_named_secrets():
    statements = config()["provider"]["iam"]["role"]["statements"]
    [statement] = [s for s in statements if "ssm:GetParameters" in s["Action"]]
    assert statement["Action"] == ["ssm:GetParameters"]
    readable = {arn["Fn::Join"][1][-1].removeprefix(":parameter/stjarna/${sls:stage}/")
                for arn in statement["Resource"]}
    named = set().union(*(r | o for r, o in map(function_secrets, config()["functions"])))
    assert readable == named


# --- shared/secrets.py against SSM (moto) ----------------------------------------------------------


def test_secrets_are_read_decrypted_and_override_the_environment(ssm):
    ssm.put_parameter(Name=PATH + "SUPABASE_URL", Value="https://abc.supabase.co", Type="String")
    ssm.put_parameter(Name=PATH + "SUPABASE_SERVICE_ROLE_KEY", Value="service-role-" + "k" * 30, Type="SecureString")
    ssm.put_parameter(Name="/stjarna/prod/SUPABASE_URL", Value="https://prod.supabase.co", Type="String")
    settings = load_settings({"STJARNA_SECRETS": "SUPABASE_URL,SUPABASE_SERVICE_ROLE_KEY,CDN_ORIGIN_SECRET?",
                              "STJARNA_SECRETS_PATH": PATH, "SUPABASE_URL": "https://env.example.net"})
    assert settings.supabase_url == "https://abc.supabase.co"
    assert settings.supabase_service_role_key is not None
    assert settings.supabase_service_role_key.get_secret_value() == "service-role-" + "k" * 30
    assert settings.store_kind == "supabase"
    assert settings.cdn_origin_secret is None  # optional and absent


def test_read_once_per_container(ssm):
    ssm.put_parameter(Name=PATH + "ADMIN_KEY_PEPPER", Value="first-" + "p" * 30, Type="SecureString")
    environ = {"STJARNA_SECRETS": "ADMIN_KEY_PEPPER", "STJARNA_SECRETS_PATH": PATH}
    first = load_settings(environ)
    ssm.put_parameter(Name=PATH + "ADMIN_KEY_PEPPER", Value="second-" + "p" * 30, Type="SecureString",
                      Overwrite=True)
    again = load_settings(environ)
    assert first.admin_key_pepper.get_secret_value() == again.admin_key_pepper.get_secret_value()
    assert again.admin_key_pepper.get_secret_value().startswith("first-")


def test_more_than_ten_names_are_read_in_batches(ssm):
    names = [f"S{n:02d}" for n in range(23)]
    for name in names:
        ssm.put_parameter(Name=PATH + name, Value=name.lower(), Type="SecureString")
    assert ssm_secrets.read_secrets(PATH, ",".join(names)) == {n: n.lower() for n in names}


def test_a_missing_required_secret_is_named(ssm):
    ssm.put_parameter(Name=PATH + "SUPABASE_URL", Value="https://abc.supabase.co", Type="String")
    with pytest.raises(ConfigError) as info:
        load_settings({"STJARNA_SECRETS": "SUPABASE_URL,SUPABASE_SERVICE_ROLE_KEY,CHAT_PROBE_SECRET?",
                       "STJARNA_SECRETS_PATH": PATH})
    assert str(info.value) == f"Missing SSM parameters under {PATH}: SUPABASE_SERVICE_ROLE_KEY"


def test_an_unreadable_store_is_a_config_error_without_values(aws_env):
    class Denied:
        def get_parameters(self, **_: Any) -> dict[str, Any]:
            raise PermissionError("AccessDeniedException: not authorized to perform ssm:GetParameters")

    with pytest.raises(ConfigError) as info:
        ssm_secrets.read_secrets(PATH, "ADMIN_KEY_PEPPER", client=Denied())
    assert "ssm:GetParameters" in str(info.value) and "PermissionError" in str(info.value)


@pytest.mark.parametrize(("spec", "path", "message"), [
    ("admin_key_pepper", PATH, "not parameter names: admin_key_pepper"),
    ("A,B/C", PATH, "not parameter names: B/C"),
    ("ADMIN_KEY_PEPPER", "stjarna/test", "STJARNA_SECRETS_PATH must look like"),
    ("ADMIN_KEY_PEPPER", "", "STJARNA_SECRETS_PATH must look like"),
])
def test_malformed_names_and_paths_are_refused(spec, path, message):
    with pytest.raises(ConfigError) as info:
        ssm_secrets.read_secrets(path, spec)
    assert message in str(info.value)


def test_no_names_no_call():
    assert ssm_secrets.read_secrets("", "") == {}
    assert load_settings({"STJARNA_SECRETS": "", "STJARNA_SECRETS_PATH": PATH}).store_kind == "embedded"
