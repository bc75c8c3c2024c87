"""Building the Lambda artefact with the real deployer (scripts/package) and running its handlers with the
runtime's interpreter, as Lambda would: shared by tests/deploy/test_artefact.py and bench/import_bench.py.

``python312()`` finds a CPython 3.12 the way scripts/package does; ``build()`` packages once into a
directory and unzips ``stjarna.zip`` into an empty one; ``DRIVER`` is the child program that imports one
handler module from the unzipped tree only (``-I -S``: no site-packages, no environment, no current
directory) and invokes it with events, writing the answers and its timings to a JSON file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scripts" / "package"
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # bytes: a function's code and layers, unzipped
NODE_MINIMUM = (20, 19)  # osls 4's engines


def node_version() -> tuple[int, int] | None:
    node = shutil.which("node")
    if node is None:
        return None
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    found = re.match(r"v(\d+)\.(\d+)", done.stdout.strip())
    return (int(found[1]), int(found[2])) if done.returncode == 0 and found else None


def python312() -> str | None:
    done = subprocess.run([str(PACKAGE), "--python"], capture_output=True, text=True, check=False, cwd=ROOT)
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def offline_env() -> dict[str, str]:
    """The environment for scripts/package: no AWS credentials or profile (nothing may need them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    return env


def build(out: Path, unzipped: Path) -> subprocess.CompletedProcess[str]:
    """scripts/package --out OUT, then OUT/stjarna.zip unzipped into the empty UNZIPPED."""
    done = subprocess.run([str(PACKAGE), "--out", str(out)], cwd=ROOT, env=offline_env(), capture_output=True,
                          text=True, timeout=900, check=False)
    if done.returncode == 0:
        with zipfile.ZipFile(out / "stjarna.zip") as archive:
            archive.extractall(unzipped)
    return done


def tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


DRIVER = r"""
import json, sys, time
t0 = time.perf_counter()
root, module, events_file, out_file = sys.argv[1:5]
sys.path.insert(0, root)
handler = __import__("functions." + module, fromlist=["handler"]).handler
t1 = time.perf_counter()


class Context:
    function_name = "stjarna-artefact-" + module
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-north-1:123456789012:function:" + function_name
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self):
        return 10_000


answers, timings = [], []
for event in json.load(open(events_file)):
    headers = event.get("headers") or {}
    for name, value in list(headers.items()):  # "{etag}": the previous answer's ETag (a revalidation)
        if "{etag}" in str(value):
            headers[name] = value.replace("{etag}", answers[-1]["headers"]["etag"])
    started = time.perf_counter()
    answers.append(handler(event, Context()))
    timings.append(time.perf_counter() - started)
with open(out_file, "w") as out:
    json.dump({"import": t1 - t0, "timings": timings, "answers": answers,
               "python": sys.version, "path": sys.path, "stdlib": sys.base_prefix,
               "modules": sorted(m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None))}, out)
"""
