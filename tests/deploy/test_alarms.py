"""The alarms in serverless.yml: each one the runbook names exists, notifies the stage's SNS topic (whose
email subscription is a deploy parameter), watches what the code really emits, and is documented.

serverless.yml is read as YAML (long-form CloudFormation functions, so no tags to handle), with
``${sls:stage}`` read as ``dev``. The app's own metrics are checked against EMF lines the real app writes
(tests/observability/emf.py validates them): every alarm on the ``Stjarna/<stage>`` namespace must name a
metric with exactly the dimension names the code emits, and dimension values the code uses.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
import yaml

from shared.observability.metrics import configure_metrics
from tests.observability.emf import metrics, parse
from tests.orders.conftest import new_key, order_body
from tests.support.artefact import ROOT

STAGE = "dev"
NAMESPACE = f"Stjarna/{STAGE}"
TOPIC = {"Ref": "AlarmTopic"}
KINDS = ("api-5xx-rate", "chat-fallback-share", "order-failures", "429-spike")


@cache
def config() -> dict[str, Any]:
    text = (ROOT / "serverless.yml").read_text(encoding="utf-8").replace("${sls:stage}", STAGE)
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def resources() -> dict[str, Any]:
    found: dict[str, Any] = config()["resources"]["Resources"]
    return found


def alarms() -> dict[str, dict[str, Any]]:
    return {props["AlarmName"].removeprefix(f"stjarna-{STAGE}-"): props
            for r in resources().values() if r["Type"] == "AWS::CloudWatch::Alarm" for props in [r["Properties"]]}


def watched(props: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm reads: its own, or each MetricStat of its metric math."""
    if "MetricName" in props:
        return [{"Namespace": props["Namespace"], "MetricName": props["MetricName"],
                 "Dimensions": props.get("Dimensions", [])}]
    return [{"Dimensions": [], **q["MetricStat"]["Metric"]} for q in props["Metrics"] if "MetricStat" in q]


def function_logical_id(name: str) -> str:
    """The framework's logical id for a function (expire_orders → ExpireUnderscoreorders...)."""
    return name[0].upper() + name[1:].replace("_", "Underscore") + "LambdaFunction"


# --- the alarms and their topic -------------------------------------------------------------------


def test_the_topic_and_its_email_subscription_are_a_deploy_parameter():
    assert resources()["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    subscription = resources()["AlarmEmailSubscription"]
    assert subscription["Type"] == "AWS::SNS::Subscription"
    assert subscription["Properties"] == {"TopicArn": TOPIC, "Protocol": "email", "Endpoint": "${param:alarmEmail}"}
    # created only when an address is given (an empty email would fail the deploy)
    assert subscription["Condition"] == "HasAlarmEmail"
    assert config()["resources"]["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": ["${param:alarmEmail}", ""]}]}
    assert config()["params"]["default"]["alarmEmail"] == ""


def test_every_alarm_the_runbook_names_exists_and_notifies_the_topic():
    found = alarms()
    functions = list(config()["functions"])
    expected = {*KINDS, *(f"{f.replace('_', '-')}-throttles" for f in functions),
                *(f"{f.replace('_', '-')}-p99-latency" for f in functions)}
    assert set(found) == expected
    for name, props in found.items():
        assert props["AlarmActions"] == [TOPIC] and props["OKActions"] == [TOPIC], name
        assert props["TreatMissingData"] == "notBreaching", name  # no traffic is not an incident
        assert "docs/operations.md" in props["AlarmDescription"], name
        assert props["EvaluationPeriods"] >= props.get("DatapointsToAlarm", 1) >= 1, name


def test_function_alarms_watch_each_function():
    found = alarms()
    for name, fn in config()["functions"].items():
        ref = [{"Name": "FunctionName", "Value": {"Ref": function_logical_id(name)}}]
        throttles = found[f"{name.replace('_', '-')}-throttles"]
        assert (throttles["Namespace"], throttles["MetricName"], throttles["Dimensions"]) == (
            "AWS/Lambda", "Throttles", ref)
        p99 = found[f"{name.replace('_', '-')}-p99-latency"]
        assert (p99["Namespace"], p99["MetricName"], p99["Dimensions"], p99["ExtendedStatistic"]) == (
            "AWS/Lambda", "Duration", ref, "p99")
        timeout_ms = fn.get("timeout", config()["provider"]["timeout"]) * 1000
        assert 0 < p99["Threshold"] < timeout_ms, name  # it warns before the timeout does


def test_the_api_5xx_rate_reads_the_http_api():
    rate = alarms()["api-5xx-rate"]
    api = [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    assert {(m["Namespace"], m["MetricName"]) for m in watched(rate)} == {("AWS/ApiGateway", "5xx"),
                                                                          ("AWS/ApiGateway", "Count")}
    assert all(m["Dimensions"] == api for m in watched(rate))
    [expression] = [q["Expression"] for q in rate["Metrics"] if "Expression" in q]
    assert re.fullmatch(r"IF\(requests >= \d+, 100 \* errors / requests, 0\)", expression)


# --- the app's metrics: what the alarms read is what the code writes ------------------------------


@pytest.fixture
def emitted(app_for, items, clock, capsys) -> list[dict[str, Any]]:
    """EMF metrics of one of each request the app-metric alarms read: a chat answered by the fallback
    (no OpenAI key), chat, orders, quotes and an order's status refused with 429, an order placed."""
    client, _ = app_for(clock=clock, METRICS_EMF="true", STJARNA_STAGE=STAGE, CHAT_RATE_LIMIT="1 per minute",
                        ORDER_RATE_LIMIT="1 per minute", QUOTE_RATE_LIMIT="1 per minute")
    capsys.readouterr()
    try:
        chat = {"restaurantId": "demo", "sessionToken": "alarm-session-1", "message": "Anything vegan?"}
        assert client.post("/api/chat", json=chat).status_code == 200
        assert client.post("/api/chat", json=chat).status_code == 429
        body = order_body((items["demo/hummus"], 1))
        placed = client.post("/api/orders", json=body, headers={"Idempotency-Key": new_key()})
        assert placed.status_code == 201
        assert client.post("/api/orders", json=body, headers={"Idempotency-Key": new_key()}).status_code == 429
        for _ in range(2):
            quote = client.post("/api/orders/quote", json=body)
        assert quote.status_code == 429
        code = placed.json()["orderCode"]
        statuses = [client.get(f"/api/orders/{code}", params={"restaurantId": "demo"},
                               headers={"X-Session-Token": body["sessionToken"]}).status_code
                    for _ in range(2)]
        assert statuses[-1] == 429, statuses
        return metrics(parse(capsys.readouterr().out))
    finally:
        configure_metrics(False)


def test_app_metric_alarms_read_metrics_the_code_emits(emitted):
    shapes = {(m["namespace"], m["name"], frozenset(m["dimensions"])) for m in emitted}
    values: dict[str, set[str]] = {}
    for m in emitted:
        for key, value in m["dimensions"].items():
            values.setdefault(key, set()).add(value)
    ours = [(name, metric) for name, props in alarms().items() for metric in watched(props)
            if not metric["Namespace"].startswith("AWS/")]
    assert {name for name, _ in ours} == {"chat-fallback-share", "order-failures", "429-spike"}
    for name, metric in ours:
        dimensions = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
        assert (metric["Namespace"], metric["MetricName"], frozenset(dimensions)) in shapes, (name, metric)
        for key, value in dimensions.items():
            if key == "StatusClass":  # 5xx is not provoked here: the code's own classes
                assert value in {"1xx", "2xx", "3xx", "4xx", "5xx"}, (name, value)
            else:
                assert value in values[key], (name, key, value, values[key])


def test_the_fallback_share_divides_fallbacks_by_chat_answers():
    share = alarms()["chat-fallback-share"]
    by_id = {q["Id"]: q for q in share["Metrics"]}
    fallbacks = by_id["fallbacks"]["MetricStat"]["Metric"]
    assert fallbacks["MetricName"] == "FallbackAnswers" and not fallbacks.get("Dimensions")  # the total
    answers = by_id["answers"]["MetricStat"]["Metric"]
    assert {d["Name"]: d["Value"] for d in answers["Dimensions"]} == {"Route": "POST /api/chat", "StatusClass": "2xx"}
    assert by_id["share"]["Expression"].replace(" ", "").endswith("100*fallbacks/answers,0)")


# --- documented -----------------------------------------------------------------------------------


def test_each_alarm_is_explained_in_the_runbook():
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text[text.index("## Alarms"):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    for kind in (*KINDS, "throttles", "p99-latency"):
        assert f"`{kind}`" in section or f"-{kind}`" in section, kind
