"""The flags file adapter: overrides in ``STJARNA_DATA_DIR/flags.json`` (development, self-hosting)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from shared.errors import ConfigError
from shared.flags.overrides import Overrides


class FileFlagStore:
    """``{"global": {NAME: "text"}, "tenants": {slug: {NAME: "text"}}}`` in one JSON file, rewritten
    atomically (development and self-hosting; several processes may share it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = f"file:{path}"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"global": {}, "tenants": {}}
        if not isinstance(data, dict):
            raise ConfigError(f"{self.path} is not a flags file")
        return {"global": dict(data.get("global") or {}), "tenants": dict(data.get("tenants") or {})}

    def load(self) -> Overrides:
        data = self._read()
        return Overrides({k: str(v) for k, v in data["global"].items()},
                         {slug: {k: str(v) for k, v in layer.items()} for slug, layer in data["tenants"].items()})

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".flags-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
        os.replace(tmp, self.path)

    def put(self, name: str, value: str, slug: str | None) -> None:
        data = self._read()
        layer = data["global"] if slug is None else data["tenants"].setdefault(slug, {})
        layer[name] = value
        self._write(data)

    def delete(self, name: str, slug: str | None) -> bool:
        data = self._read()
        layer = data["global"] if slug is None else data["tenants"].get(slug, {})
        found = layer.pop(name, None) is not None
        if slug is not None and not layer:
            data["tenants"].pop(slug, None)
        if found:
            self._write(data)
        return found
