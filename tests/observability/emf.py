"""Reading EMF lines back, checked against the specification's rules (what CloudWatch would reject)."""

from __future__ import annotations

from typing import Any

import orjson

UNITS = {"Count", "Milliseconds", "Seconds", "Bytes", "None"}


def parse(text: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]


def check(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Assert that ``document`` is a valid EMF document; return its metrics as
    ``{"namespace", "name", "unit", "value", "dimensions": {name: value}}`` (one per dimension set)."""
    aws = document["_aws"]
    assert isinstance(aws["Timestamp"], int) and aws["Timestamp"] > 1_600_000_000_000
    found = []
    for directive in aws["CloudWatchMetrics"]:
        assert isinstance(directive["Namespace"], str) and 1 <= len(directive["Namespace"]) <= 255
        assert 1 <= len(directive["Metrics"]) <= 100
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            for name in dimension_set:
                assert isinstance(document.get(name), str) and document[name], (name, document)
        for metric in directive["Metrics"]:
            assert metric["Unit"] in UNITS
            value = document[metric["Name"]]
            assert isinstance(value, int | float) and not isinstance(value, bool), metric
            for dimension_set in directive["Dimensions"]:
                found.append({"namespace": directive["Namespace"], "name": metric["Name"], "unit": metric["Unit"],
                              "value": value, "dimensions": {d: document[d] for d in dimension_set}})
    return found


def metrics(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for line in lines if "_aws" in line for m in check(line)]


def values(found: list[dict[str, Any]], name: str, **dimensions: str) -> list[float]:
    return [m["value"] for m in found if m["name"] == name and m["dimensions"] == dimensions]
