"""Node.js for the widget tests: the widget's npm dev dependencies (esbuild, tsc) are installed by
``scripts/build-widget --deps`` (``scripts/test`` runs it). Without Node.js the tests that need it
fail and say what to install: CI machines have it."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "widget"
BUILD = ROOT / "scripts" / "build-widget"


def require_node() -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found: the widget tests need Node.js 20+ and npm "
                    "(Debian: apt-get install nodejs npm); scripts/test then installs the widget's npm dependencies")


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, **kwargs)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="session")
def widget_deps() -> None:
    """The npm dev dependencies, installed (npm ci) when missing or stale."""
    require_node()
    run([str(BUILD), "--deps"])


@pytest.fixture(scope="session")
def node_entry(widget_deps: None, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Callable[[Any], Any]]:
    """``node_entry("units")(payload)``: build widget/test/units.ts for node once, run it with the JSON
    payload on stdin, return its JSON output."""
    built: dict[str, Path] = {}
    out = tmp_path_factory.mktemp("widget-entries")

    def entry(name: str) -> Callable[[Any], Any]:
        if name not in built:
            built[name] = out / f"{name}.mjs"
            run(["node", str(WIDGET / "build.mjs"), "--test", name, str(built[name])])

        def call(payload: Any) -> Any:
            return json.loads(run(["node", str(built[name])], input=json.dumps(payload)).stdout)
        return call

    return entry
