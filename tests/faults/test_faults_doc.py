"""docs/faults.md names the tests that prove each fault's outcome: every one must exist (so the table
cannot outlive the tests it cites), and every fault test must be in it. The node ids come from
pytest's own collection (parametrised ids included), in one subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "faults.md"
NODE_ID = re.compile(r"`(tests/[\w/]+\.py::[\w\[\]-]+)`")
NOT_FAULTS = ("tests/faults/test_fault_proxy.py", "tests/faults/test_faults_doc.py")  # tools, not faults


def collected(paths: list[str]) -> set[str]:
    # (without the hypothesis and schemathesis plugins: none of these tests needs them, and they cost seconds)
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-p", "no:hypothesispytest", "-p", "no:schemathesis", *paths],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return {line.strip() for line in done.stdout.splitlines() if "::" in line}


def test_docs_faults_md_and_the_tests_agree():
    cited = set(NODE_ID.findall(DOC.read_text()))
    assert len(cited) >= 30  # the tables are there and the pattern still reads them
    found = collected(sorted({name.split("::", 1)[0] for name in cited} | {"tests/faults"}))

    def exists(name: str) -> bool:
        return name in found or any(node.startswith(f"{name}[") for node in found)

    assert sorted(name for name in cited if not exists(name)) == []  # cited, but no such test

    def told(node: str) -> bool:
        return node in cited or node.partition("[")[0] in cited

    fault_tests = [node for node in found if node.startswith("tests/faults/") and not node.startswith(NOT_FAULTS)]
    assert sorted(node for node in fault_tests if not told(node)) == []  # a fault test missing from the doc
