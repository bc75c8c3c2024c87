"""Input validation with pydantic, errors reported as ``VALIDATION_ERROR`` naming each field's path."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)


def _path(loc: tuple[int | str, ...], root: str) -> str:
    out = ""
    for part in loc:
        if isinstance(part, str) and (part == "[key]" or part.startswith(("function-", "tuple["))):
            continue  # pydantic's internal steps, not fields
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or root


def validate(model: type[M], data: Any, *, root: str = "(document)") -> M:
    """``model`` from decoded JSON; ``ValidationFailed`` lists every bad field as ``{path, message}``
    (``sections[1].items[0].tags``), ``root`` naming the whole input."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{"path": _path(tuple(err["loc"]), root), "message": err["msg"].removeprefix("Value error, ")}
                  for err in exc.errors(include_url=False)]
        raise ValidationFailed(errors) from exc
