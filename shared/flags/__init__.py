"""Feature flags and the settings ops change without a deploy (docs/flags.md).

Layers, lowest first: code default < environment < global override < per-tenant override. The
overrides live in SSM Parameter Store in production (``/stjarna/<stage>/flags/<NAME>`` and
``/stjarna/<stage>/tenants/<slug>/flags/<NAME>``) or in a local file in development
(``STJARNA_DATA_DIR/flags.json``). Each instance reads every override in one call (SSM:
GetParametersByPath, paginated) at most every ``FLAGS_CACHE_SECONDS``. Reading never raises: a failed
read keeps the last good overrides (or none: defaults and environment) and is logged once per outage;
an override that does not parse is ignored (logged once) and the layer below applies.

- ``specs``: the names (``FlagName``, a ``Literal``; by value type ``BoolFlag``, ``LimitFlag``,
  ``SecondsFlag``, ``CountFlag``), what each accepts, its default's Settings field;
- ``evaluation``: ``Flags`` (the layers, the cache, fail-safe reads) and ``FlagSet``, one
  restaurant's values, typed by name (``flags["MENU_S_MAXAGE"].value`` is an ``int``);
- ``overrides``: the ``FlagStore`` port; adapters ``file`` (``FileFlagStore``) and ``ssm``
  (``SsmFlagStore``, the only module importing boto3), imported by ``build_flag_store`` when used.

``Flags.for_restaurant(slug)`` is the hot-path call: a dict lookup once the overrides are loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.flags.evaluation import Flags, FlagSet, FlagValue, Source
from shared.flags.overrides import FlagStore, Overrides
from shared.flags.specs import (
    SPECS,
    BoolFlag,
    CountFlag,
    FlagName,
    LimitFlag,
    SecondsFlag,
    Spec,
    Value,
    parse_value,
    spec,
)

if TYPE_CHECKING:
    from shared.settings import Settings

__all__ = ["SPECS", "BoolFlag", "CountFlag", "FlagName", "FlagSet", "FlagStore", "FlagValue", "Flags", "LimitFlag",
           "Overrides", "SecondsFlag", "Source", "Spec", "Value", "build_flag_store", "parse_value", "spec"]


def build_flag_store(settings: Settings) -> FlagStore | None:
    """The overrides' adapter ``FLAGS_BACKEND`` names (None for ``env``: no overrides), imported here."""
    source = settings.flags_source
    if source == "ssm":
        from shared.flags.ssm import SsmFlagStore

        return SsmFlagStore(settings.stage, timeout_seconds=settings.flags_ssm_timeout_seconds)
    if source == "file":
        from shared.flags.file import FileFlagStore

        return FileFlagStore(settings.data_dir / "flags.json")
    return None
