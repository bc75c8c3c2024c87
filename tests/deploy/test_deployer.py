"""The deployer is chosen and pinned (docs/deploy.md): exact versions in package.json, the same in the
lockfile, serverless.yml's frameworkVersion equal to the pin, what npm and the plugin write kept out of git,
and scripts/package's arguments checked before anything runs."""

from __future__ import annotations

import json
import subprocess

import yaml

from tests.support.artefact import PACKAGE, ROOT

PINNED = {"osls", "serverless-python-requirements"}


def test_the_deployer_and_its_plugin_are_pinned_exactly():
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    wanted = manifest["devDependencies"]
    assert set(wanted) == PINNED
    assert all(version[0].isdigit() for version in wanted.values()), wanted  # no ^ or ~ ranges
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in wanted.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    config = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    assert config["frameworkVersion"] == wanted["osls"]
    assert config["plugins"] == ["serverless-python-requirements"]


def test_what_npm_and_the_plugin_write_is_not_committed():
    for path in ("node_modules/osls/package.json", ".cache/npm/x", ".cache/python-requirements/x",
                 ".serverless/stjarna.zip", "requirements.txt"):
        done = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, check=False)
        assert done.returncode == 0, f"{path} is not ignored"


def test_package_refuses_bad_arguments_before_doing_anything():
    for args in (["--stage"], ["--stage", "Prod!"], ["--param", "novalue"], ["--bogus"]):
        done = subprocess.run([str(PACKAGE), *args], cwd=ROOT, capture_output=True, text=True, timeout=30,
                              check=False)
        assert done.returncode == 2, (args, done.stderr)
    done = subprocess.run([str(PACKAGE), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0 and "scripts/package --stage prod" in done.stdout


def test_prod_closes_the_default_endpoint_throttles_and_reserves_concurrency():
    config = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    params = config["params"]
    # the CDN cannot be bypassed in prod: no execute-api URL (dev keeps it: no custom domain there)
    assert config["provider"]["httpApi"]["disableDefaultEndpoint"] == "${param:disableDefaultApiEndpoint}"
    assert params["prod"]["disableDefaultApiEndpoint"] is True
    assert params["default"]["disableDefaultApiEndpoint"] is False
    stage = config["resources"]["extensions"]["HttpApiStage"]
    assert stage["Properties"]["DefaultRouteSettings"] == {"ThrottlingRateLimit": "${param:throttleRate}",
                                                           "ThrottlingBurstLimit": "${param:throttleBurst}"}
    routes = stage["Properties"]["RouteSettings"]
    assert {"POST /api/chat", "POST /api/orders", "POST /api/orders/quote"} <= set(routes)
    assert set(stage["DependsOn"]) == {"HttpApiRoute" + "".join(part.capitalize() for part in key.replace(
        " /", "/").lower().split("/")) for key in routes}  # the framework's route resource names
    for settings in routes.values():
        assert 0 < settings["ThrottlingRateLimit"] <= params["default"]["throttleRate"]
        assert settings["ThrottlingRateLimit"] <= settings["ThrottlingBurstLimit"]
    reserved = {}
    for name, function in config["functions"].items():
        value = function["reservedConcurrency"]
        key = value.removeprefix("${param:").removesuffix(", null}")
        assert value == "${param:" + key + ", null}", name  # absent, not 0 (which would stop the function)
        assert key not in params["default"], name
        reserved[name] = params["prod"][key]
    assert all(count >= 1 for count in reserved.values())
    assert sum(reserved.values()) <= 1000 - 100  # Lambda keeps 100 of the account's default 1000 unreserved
