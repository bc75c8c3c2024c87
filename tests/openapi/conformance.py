"""Real answers against the OpenAPI document, with jsonschema: the status must be documented for the
operation, the body must match the response's schema (an error's too: a documented code for that
status, its details, requestId equal to X-Request-ID), required headers must be there and every
documented header must match its schema, and bodiless answers (204, 304, HEAD) must be empty.

``Document.seen`` records which statuses each operation answered, so a test can require coverage."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime
from typing import Any

import httpx
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

URI = "urn:stjarna:openapi"
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339 with an offset (jsonschema checks date-time only with an optional package)."""
    return not isinstance(value, str) or ("T" in value and datetime.fromisoformat(value).tzinfo is not None)


class Nonconforming(AssertionError):
    pass


class Document:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.registry: Registry[Any] = Registry().with_resource(URI, Resource.from_contents(
            doc, default_specification=DRAFT202012))
        self.routes = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), template)
                       for template in doc["paths"]]
        self.seen: dict[tuple[str, str], set[int]] = defaultdict(set)

    def operations(self) -> set[tuple[str, str]]:
        return {(method.upper(), path) for path, item in self.doc["paths"].items() for method in item}

    def resolve(self, obj: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in obj:
            node: Any = self.doc
            for part in obj["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            obj = node
        return obj

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        for pattern, template in self.routes:
            if pattern.fullmatch(path) and method.lower() in self.doc["paths"][template]:
                return template, self.doc["paths"][template][method.lower()]
        raise Nonconforming(f"{method} {path}: no such operation in the document")

    def validate(self, instance: Any, schema: dict[str, Any], where: str) -> None:
        """``schema``: inline, or a ``$ref`` into the document."""
        root = {"$ref": URI + schema["$ref"]} if "$ref" in schema else schema
        validator = jsonschema.Draft202012Validator(root, registry=self.registry, format_checker=FORMATS)
        problems = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if problems:
            detail = "; ".join(f"{'/'.join(map(str, p.absolute_path)) or '(root)'}: {p.message[:300]}"
                               for p in problems[:5])
            raise Nonconforming(f"{where}: {detail}")

    def check(self, response: httpx.Response) -> httpx.Response:
        """Raises ``Nonconforming`` naming what differs; returns the response for chaining."""
        self.check_parts(response.request.method, response.request.url.path, response.status_code,
                         response.headers, response.content)
        return response

    def check_parts(self, method: str, path: str, status: int, headers: httpx.Headers, raw: bytes) -> None:
        """``check`` for an answer taken apart (raw ASGI calls)."""
        template, op = self.operation(method, path)
        where = f"{method} {template} -> {status}"
        answer = op["responses"].get(str(status))
        if answer is None:
            raise Nonconforming(f"{where}: status not documented ({', '.join(op['responses'])})")
        answer = self.resolve(answer)
        for name, ref in answer.get("headers", {}).items():
            header = self.resolve(ref)
            value = headers.get(name)
            if value is None:
                if header["required"]:
                    raise Nonconforming(f"{where}: required header {name} missing")
                continue
            schema = header["schema"]
            typed: Any = int(value) if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", value) else value
            self.validate(typed, schema, f"{where}: header {name}={value!r}")
        content = answer.get("content")
        if content is None:
            if raw:
                raise Nonconforming(f"{where}: a body where none is documented")
        else:
            media = headers.get("content-type", "").split(";")[0].strip()
            declared = {m.split(";")[0].strip(): spec for m, spec in content.items()}
            if media not in declared:
                raise Nonconforming(f"{where}: content type {media!r}, documented {sorted(declared)}")
            if media == "application/json":
                body = json.loads(raw)
                self.validate(body, declared[media]["schema"], f"{where}: body")
                error = body.get("error") if status >= 400 and isinstance(body, dict) else None
                if error is not None and error["requestId"] != headers["x-request-id"]:
                    raise Nonconforming(f"{where}: requestId differs from X-Request-ID")
        self.seen[(method, template)].add(status)
