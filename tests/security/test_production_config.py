"""Production refuses weak configuration (issue #16): the public development pepper, a pepper of one
repeated character, no shared KV, an OpenAI key that is a placeholder, each one line of one error that
lists every problem, naming the variable and never its value; and only what a process uses is
required (the widget function runs with no secret at all)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shared.errors import ConfigError
from shared.paths import REPO_ROOT
from shared.settings import ALL_NEEDS, Settings, load_settings
from shared.strength import weak_openai_key, weak_secret, weak_token

STRONG = "kQ3v9Zr1xT7bN2mW8pL5cY0hJ4sF6dGa"  # 32 random characters: what `openssl rand` gives
OPENAI_KEY = "sk-proj-Jx83kLmQ2vN9rTz0Ab4Cd7EfGh1Ij"
# Production as serverless.yml configures it: every value strong (fakes; nothing connects to them).
PRODUCTION = {
    "STJARNA_ENV": "production",
    "SUPABASE_URL": "https://abcdefghijklmnop.supabase.co",
    "SUPABASE_SERVICE_ROLE_KEY": "sb-service-role-0123456789abcdef0123456789",
    "UPSTASH_REDIS_REST_URL": "https://eu1-test-12345.upstash.io",
    "UPSTASH_REDIS_REST_TOKEN": "upstash-token-0123456789abcdef0123456789",
    "ADMIN_KEY_PEPPER": STRONG,
    "CLIENT_HASH_SECRET": STRONG[::-1],
    "OPENAI_API_KEY": OPENAI_KEY,
}


def refused(env: dict[str, str], needs: frozenset[str] = ALL_NEEDS) -> list[str]:
    """The problems production names for ``env`` (one per line), or [] when it starts."""
    try:
        load_settings(env).require(needs)  # type: ignore[arg-type]
    except ConfigError as exc:
        head, *lines = exc.message.splitlines()
        assert head in {"Refusing to start in production:", "Invalid configuration:"}
        return [line.strip() for line in lines]
    return []


def without(*names: str) -> dict[str, str]:
    return {k: v for k, v in PRODUCTION.items() if k not in names}


def test_a_strong_production_configuration_starts():
    assert refused(PRODUCTION) == []
    assert refused(without("OPENAI_API_KEY")) == []  # no key: the fallback answers (health says so)


@pytest.mark.parametrize(("change", "needle"), [
    ({"ADMIN_KEY_PEPPER": "stjarna-development-pepper"}, "ADMIN_KEY_PEPPER is the public development default"),
    ({"ADMIN_KEY_PEPPER": "a" * 32}, "ADMIN_KEY_PEPPER has only 1 distinct characters"),
    ({"ADMIN_KEY_PEPPER": "ab" * 20}, "ADMIN_KEY_PEPPER has only 2 distinct characters"),
    ({"ADMIN_KEY_PEPPER": "kQ3v9Zr1xT7bN2m"}, "ADMIN_KEY_PEPPER is 15 characters long"),
    ({"ADMIN_KEY_PEPPER": "0123456789abcdef" * 2}, "ADMIN_KEY_PEPPER is a shorter string repeated"),
    ({"ADMIN_KEY_PEPPER": "abcdefghijklmnopqrstuvwxyz0123456789"}, "ADMIN_KEY_PEPPER is a run of consecutive"),
    ({"ADMIN_KEY_PEPPER": "a" * 24 + "bcdefghijklm"}, "ADMIN_KEY_PEPPER is mostly one repeated character"),
    ({"ADMIN_KEY_PEPPER": "please-changeme-to-something-long-123"}, "ADMIN_KEY_PEPPER looks like a placeholder"),
    ({"CLIENT_HASH_SECRET": "stjarna-development-client-hash-secret"}, "CLIENT_HASH_SECRET is the public development"),
    ({"CLIENT_HASH_SECRET": "z" * 40}, "CLIENT_HASH_SECRET has only 1 distinct"),
    ({"ADMIN_KEY_PEPPER_PREVIOUS": "stjarna-development-pepper"}, "ADMIN_KEY_PEPPER_PREVIOUS is the public"),
    ({"CDN_ORIGIN_SECRET": "changeme-origin-secret"}, "CDN_ORIGIN_SECRET looks like a placeholder"),
    ({"CHAT_PROBE_SECRET": "probeprobeprobeprobe"}, "CHAT_PROBE_SECRET has only 5 distinct characters"),
    ({"OPENAI_API_KEY": "placeholder"}, "OPENAI_API_KEY looks like a placeholder"),
    ({"OPENAI_API_KEY": "changeme"}, "OPENAI_API_KEY looks like a placeholder"),
    ({"OPENAI_API_KEY": "sk-..."}, "OPENAI_API_KEY looks like a placeholder"),
    ({"OPENAI_API_KEY": "sk-abc123"}, "OPENAI_API_KEY is too short for an API key (6 characters"),
    ({"OPENAI_API_KEY": "sk-proj-abc123"}, "OPENAI_API_KEY is too short for an API key (6 characters"),
    ({"OPENAI_API_KEY": "sk-" + "a" * 40}, "OPENAI_API_KEY has only 1 distinct characters"),
    ({"OPENAI_API_KEY": "Jx83kLmQ2vN9rTz0Ab4Cd7EfGh1Ij"}, "OPENAI_API_KEY does not look like an OpenAI key"),
    ({"OPENAI_API_KEY": "sk-proj-Jx83kLmQ2vN9 rTz0Ab4Cd7EfGh1Ij"}, "OPENAI_API_KEY contains whitespace"),
    ({"OPENAI_API_KEY": "sk-your-key-here-0123456789abcdef"}, "OPENAI_API_KEY looks like a placeholder"),
    ({"SUPABASE_SERVICE_ROLE_KEY": "changeme"}, "SUPABASE_SERVICE_ROLE_KEY looks like a placeholder"),
    ({"UPSTASH_REDIS_REST_TOKEN": "short-token"}, "UPSTASH_REDIS_REST_TOKEN is 11 characters long"),
])
def test_each_weak_value_is_refused_with_its_variable_named_and_never_its_value(change, needle):
    problems = refused({**PRODUCTION, **change})
    assert [p for p in problems if p.startswith(needle)], problems
    assert len(problems) == 1, problems
    for value in change.values():
        if len(value) >= 12:  # shorter ones are the placeholder words the message quotes
            assert all(value not in p for p in problems)


@pytest.mark.parametrize(("missing", "needle"), [
    (("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY"), "the embedded store is for development"),
    (("UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"), "without a shared KV every rate limit"),
    (("ADMIN_KEY_PEPPER",), "production needs ADMIN_KEY_PEPPER"),
    (("CLIENT_HASH_SECRET",), "production needs CLIENT_HASH_SECRET"),
])
def test_each_missing_requirement_is_refused(missing, needle):
    problems = refused(without(*missing))
    assert len(problems) == 1 and needle in problems[0], problems


def test_every_problem_at_once_one_line_each():
    """The issue's configuration: development pepper, no KV, a placeholder OpenAI key, an ax32 hash
    secret: one error with four lines, not the first problem only."""
    env = {**without("UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"),
           "ADMIN_KEY_PEPPER": "stjarna-development-pepper", "OPENAI_API_KEY": "placeholder",
           "CLIENT_HASH_SECRET": "a" * 32}
    problems = refused(env)
    assert len(problems) == 4, problems
    assert {p.split()[0] for p in problems} == {"production", "ADMIN_KEY_PEPPER", "OPENAI_API_KEY",
                                                "CLIENT_HASH_SECRET"}


def test_weak_values_are_refused_whatever_the_process_uses():
    """A weak secret is refused even where it is not used (a widget function), while what is merely
    absent is refused only where it is used."""
    settings = load_settings({"STJARNA_ENV": "production", "ADMIN_KEY_PEPPER": "stjarna-development-pepper"})
    with pytest.raises(ConfigError, match="ADMIN_KEY_PEPPER is the public development default"):
        settings.require(frozenset())
    widget = load_settings({"STJARNA_ENV": "production"})  # nothing at all: fine for what needs nothing
    widget.require(frozenset())
    with pytest.raises(ConfigError, match="embedded store"):
        widget.require({"store"})


def test_development_requires_nothing():
    load_settings({"ADMIN_KEY_PEPPER": "a" * 32, "OPENAI_API_KEY": "placeholder"}).require(ALL_NEEDS)


@pytest.mark.parametrize("value", [
    STRONG,
    # what `openssl rand -hex 32` and `-base64 32` print
    "5f0c2a9e4b7d13e8a6c9f2b0d4e7a1c35b8e0f2a4c6d8e1b3a5c7e9f0b2d4a6c",
    "p3N+Yq0v7KzR1xL5wT9bM2cH8sJ4dF6gA0eZ3uV7iO=",
])
def test_random_values_pass(value):
    assert weak_secret(value) is None


def test_no_random_secret_or_key_is_ever_refused():
    """Real secrets and keys are random: none may look like a placeholder by chance ("xxx" turned up in
    about one random key in 700 and made the artefact test flaky; a production key would have been
    refused at start-up the same way)."""
    import base64
    import random
    import string

    rng = random.Random(20261206)  # reproducible; 20,000 of each shape
    alphabet = string.ascii_letters + string.digits + "-_"
    for _ in range(20_000):
        urlsafe = "".join(rng.choice(alphabet) for _ in range(48))
        b64 = base64.b64encode(rng.randbytes(32)).decode()
        assert weak_secret(urlsafe) is None, urlsafe
        assert weak_secret(b64) is None, b64
        assert weak_openai_key("sk-proj-" + urlsafe, official=True) is None, urlsafe


def test_keys_from_an_openai_compatible_server_need_no_sk_prefix():
    assert weak_openai_key("Jx83kLmQ2vN9rTz0Ab4Cd7EfGh1Ij", official=False) is None
    assert weak_openai_key("Jx83kLmQ2vN9rTz0Ab4Cd7EfGh1Ij", official=True) is not None
    env = {**PRODUCTION, "OPENAI_API_KEY": "Jx83kLmQ2vN9rTz0Ab4Cd7EfGh1Ij",
           "OPENAI_BASE_URL": "https://llm.internal.example.net/v1"}
    assert refused(env) == []
    assert weak_token("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.sig") is None


def test_the_group_needs_are_what_the_functions_use():
    """What serverless.yml must give each function (docs/operations.md lists the same)."""
    from shared.http.app import DEPLOYED_GROUPS, NEEDS

    assert set(DEPLOYED_GROUPS) <= set(NEEDS)
    assert NEEDS["widget"] == frozenset()
    assert NEEDS["health"] == {"store", "kv"}  # no pepper, no OpenAI key, no client-hash secret
    assert "admin_keys" in NEEDS["admin"] and all("admin_keys" not in NEEDS[g] for g in DEPLOYED_GROUPS if g != "admin")
    assert all("limits" in NEEDS[g] for g in ("chat", "orders", "admin"))


def test_builders_refuse_what_they_would_run_without():
    """Whoever builds a client (a CLI command, a mislabelled function) meets the same refusal."""
    from shared.container import Container

    c = Container(Settings.model_validate(without("ADMIN_KEY_PEPPER", "UPSTASH_REDIS_REST_URL",
                                                  "UPSTASH_REDIS_REST_TOKEN")))
    with pytest.raises(ConfigError, match="ADMIN_KEY_PEPPER"):
        _ = c.admin_keys
    with pytest.raises(ConfigError, match="shared KV"):
        _ = c.limiter
    with pytest.raises(ConfigError, match="shared KV"):
        _ = c.kv


_LAMBDA_PROBE = """
import json, logging, sys
from pathlib import Path
import functions.{group} as module

class Context:
    aws_request_id = "probe"

records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record)
logging.getLogger("stjarna.config").addHandler(Keep())
event = json.loads(Path("tests/events/{event}").read_text())
answer = module.handler(event, Context())
print(json.dumps({{"status": answer["statusCode"], "body": answer["body"][:1000],
                  "logged": [getattr(r, "problems", None) for r in records]}}))
"""


def _invoke(group: str, event: str, env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", _LAMBDA_PROBE.format(group=group, event=event)], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=60, check=True,
                         env={"PATH": "/usr/bin:/bin", "STJARNA_DATA_DIR": "/nonexistent", **env})
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_a_lambda_cold_start_refuses_with_every_problem_in_its_log_and_none_in_the_answer():
    env = {**without("UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"),
           "ADMIN_KEY_PEPPER": "a" * 32, "OPENAI_API_KEY": "placeholder"}
    result = _invoke("health", "v2-health-get.json", env)
    assert result["status"] == 500
    body = json.loads(str(result["body"]))
    assert body["error"]["code"] == "CONFIG_ERROR"
    assert "ADMIN_KEY_PEPPER" not in json.dumps(body)  # the client learns nothing of the configuration
    logged = result["logged"]
    assert isinstance(logged, list) and len(logged) == 1
    assert len(logged[0]) == 3 and {line.split()[0] for line in logged[0]} == {
        "production", "ADMIN_KEY_PEPPER", "OPENAI_API_KEY"}


def test_the_widget_function_needs_no_secret():
    result = _invoke("widget", "v2-widget-get.json", {"STJARNA_ENV": "production"})
    assert result["status"] == 200 and result["logged"] == []


def test_the_cli_refuses_with_a_line_per_problem_and_a_non_zero_exit():
    env = {**without("UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"), "ADMIN_KEY_PEPPER": "a" * 32}
    out = subprocess.run([sys.executable, "-m", "shared.cli", "serve", "--port", "1"], cwd=REPO_ROOT, check=False,
                         capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "STJARNA_DATA_DIR": "/nonexistent", **env})
    assert out.returncode != 0
    assert "ADMIN_KEY_PEPPER has only 1 distinct characters" in out.stderr
    assert "a" * 32 not in out.stderr
