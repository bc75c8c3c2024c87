"""The health routes' answers (shared/http/health.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.http.schemas.base import Out

CheckStatus = Literal["ok", "degraded", "down"]


class Check(Out):
    status: CheckStatus
    latency_ms: float = Field(ge=0)
    error: str | None = Field(None, description="The error code when it failed")
    backend: Literal["supabase", "postgres", "embedded", "upstash", "memory"] | None = None
    mode: Literal["openai", "fallback"] | None = None
    reason: str | None = None
    source: str | None = None


class Checks(Out):
    database: Check
    cache: Check
    ai: Check
    flags: Check


class Health(Out):
    status: CheckStatus = Field(description="down when the database is, degraded when anything else is")
    version: str
    checks: Checks


class Live(Out):
    status: Literal["ok"]


class ReadyChecks(Out):
    database: Check


class Ready(Out):
    status: Literal["ok", "down"]
    checks: ReadyChecks
