"""The SSM Parameter Store adapter: the only flags module that imports boto3 (the Lambda runtime
provides it), and only when a client is built."""

from __future__ import annotations

from typing import Any

from shared.flags.overrides import Overrides


class SsmFlagStore:
    """SSM Parameter Store under ``/stjarna/<stage>/``: ``flags/<NAME>`` and ``tenants/<slug>/flags/<NAME>``
    (String parameters)."""

    def __init__(self, stage: str, *, timeout_seconds: float, client: Any = None) -> None:
        self.prefix = f"/stjarna/{stage}/"
        self.where = f"ssm:{self.prefix}"
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client("ssm", config=Config(connect_timeout=timeout_seconds, read_timeout=timeout_seconds,
                                                       retries={"max_attempts": 1, "mode": "standard"}))
        self._ssm = client

    def path(self, name: str, slug: str | None) -> str:
        return f"{self.prefix}flags/{name}" if slug is None else f"{self.prefix}tenants/{slug}/flags/{name}"

    def _parameters(self, path: str, *, recursive: bool) -> list[tuple[list[str], str]]:
        pages = self._ssm.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=recursive)
        return [(p["Name"][len(self.prefix):].split("/"), p["Value"]) for page in pages for p in page["Parameters"]]

    def load(self) -> Overrides:
        """Two reads (paginated): the global flags and the tenants' flags; never the secrets that
        live beside them under the stage's prefix."""
        global_ = {parts[1]: value for parts, value in self._parameters(f"{self.prefix}flags", recursive=False)
                   if len(parts) == 2}
        tenants: dict[str, dict[str, str]] = {}
        for parts, value in self._parameters(f"{self.prefix}tenants", recursive=True):
            if len(parts) == 4 and parts[2] == "flags":
                tenants.setdefault(parts[1], {})[parts[3]] = value
        return Overrides(global_, tenants)

    def put(self, name: str, value: str, slug: str | None) -> None:
        self._ssm.put_parameter(Name=self.path(name, slug), Value=value, Type="String", Overwrite=True)

    def delete(self, name: str, slug: str | None) -> bool:
        try:
            self._ssm.delete_parameter(Name=self.path(name, slug))
        except self._ssm.exceptions.ParameterNotFound:
            return False
        return True
