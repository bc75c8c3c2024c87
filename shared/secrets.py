"""A Lambda function's secrets, read from SSM Parameter Store once per container (serverless.yml).

The secrets never enter the CloudFormation template or the function's configuration: each function's
environment names the ones it uses, ``STJARNA_SECRETS=SUPABASE_URL,SUPABASE_SERVICE_ROLE_KEY,CDN_ORIGIN_SECRET?``
(a trailing ``?``: optional), under ``STJARNA_SECRETS_PATH`` (``/stjarna/<stage>/``). ``load_settings``
asks for them here when it builds the container's Settings, at the first request that needs them: one
``GetParameters`` call per ten names, decrypted (SecureString), cached for the life of the process.

An adapter in its own layer under ``shared.settings`` (docs/architecture.md): it imports boto3 (the Lambda
runtime ships it) only when it reads, and boto3's errors stop here as ``ConfigError``, which names the
parameters, never a value.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from shared.errors import ConfigError

_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}\??$")
_PATH = re.compile(r"^/(?:[A-Za-z0-9_.-]+/)+$")
TIMEOUT_SECONDS = 2.0  # connect and read, per attempt; two attempts (the first request waits for it)
BATCH = 10  # GetParameters takes at most ten names


def parse_names(spec: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``"A,B?,C"`` → (required, optional) names; a malformed name raises ``ConfigError``."""
    names = [n.strip() for n in spec.split(",") if n.strip()]
    bad = [n for n in names if not _NAME.match(n)]
    if bad:
        raise ConfigError(f"STJARNA_SECRETS: not parameter names: {', '.join(bad)}")
    required = tuple(n for n in names if not n.endswith("?"))
    optional = tuple(n.removesuffix("?") for n in names if n.endswith("?"))
    return required, optional


def read_secrets(path: str, spec: str, *, client: Any = None) -> dict[str, str]:
    """The secrets ``spec`` names, as ``{NAME: value}``; optional ones that do not exist are left out."""
    required, optional = parse_names(spec)
    if not required and not optional:
        return {}
    if not _PATH.match(path):
        raise ConfigError(f"STJARNA_SECRETS_PATH must look like /stjarna/<stage>/ (got {path!r})")
    if client is None:
        client = _client()
    wanted = [*required, *optional]
    found: dict[str, str] = {}
    try:
        for start in range(0, len(wanted), BATCH):
            names = [path + name for name in wanted[start:start + BATCH]]
            answer = client.get_parameters(Names=names, WithDecryption=True)
            found.update({p["Name"][len(path):]: p["Value"] for p in answer["Parameters"]})
    except Exception as exc:  # botocore's whole tree (network, access, throttling) stops here
        raise ConfigError(f"Could not read the secrets under {path} from SSM ({type(exc).__name__}); "
                          "the function's role needs ssm:GetParameters on them") from exc
    missing = [name for name in required if name not in found]
    if missing:
        raise ConfigError(f"Missing SSM parameters under {path}: {', '.join(missing)}")
    return {name: value for name, value in found.items() if name in wanted}


@functools.cache
def cached_secrets(path: str, spec: str) -> dict[str, str]:
    """``read_secrets`` once per process (a Lambda container): later callers get the same values."""
    return read_secrets(path, spec)


def _client() -> Any:
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS,
                    retries={"max_attempts": 2, "mode": "standard"})
    return boto3.client("ssm", config=config)
