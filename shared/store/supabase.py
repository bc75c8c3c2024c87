"""Store adapter for Supabase: PostgREST RPC to the same SQL functions.

Uses ``postgrest`` (supabase-py's own PostgREST client, the part of ``supabase`` that makes RPC
calls) directly: the full ``supabase`` package imports ≈ 0.8 s of realtime/auth/storage modules
that a Lambda cold start does not need. The HTTP client is ours, with an explicit timeout and no
retries (see docs/architecture.md, "Outbound calls").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from postgrest import APIError, SyncPostgrestClient

from shared.errors import StoreUnavailable
from shared.store import error_for_sqlstate


class SupabaseStore:
    def __init__(self, url: str, service_role_key: str, *, timeout_seconds: float) -> None:
        headers = {"apikey": service_role_key, "Authorization": f"Bearer {service_role_key}"}
        self._http = httpx.Client(timeout=httpx.Timeout(timeout_seconds),
                                  event_hooks={"response": [_require_json]})
        self._client = SyncPostgrestClient(
            f"{url.rstrip('/')}/rest/v1", headers=headers, http_client=self._http, retry_enabled=False
        )

    def rpc(self, function: str, params: Mapping[str, Any]) -> Any:
        try:
            response = self._client.rpc(function, dict(params)).execute()
        except APIError as exc:
            raise error_for_sqlstate(exc.code, exc.message or "database error") from exc
        except httpx.HTTPError as exc:  # transport failure, or not PostgREST answering (_require_json)
            raise StoreUnavailable() from exc
        return response.data

    def ping(self) -> None:
        self.rpc("stjarna_ping", {})

    def close(self) -> None:
        self._http.close()


def _require_json(response: httpx.Response) -> None:
    """A 2xx that is not JSON is not PostgREST (a captive portal, a misrouted proxy): postgrest would
    hand its text to callers as data. Treat it as the store being unreachable."""
    if response.is_success and not response.headers.get("content-type", "").startswith("application/json"):
        raise httpx.DecodingError(f"expected JSON from PostgREST, got {response.headers.get('content-type')!r}")
