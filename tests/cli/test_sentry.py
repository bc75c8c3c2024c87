"""``stjarna sentry test`` against a real HTTP server acting as Sentry's ingest endpoint: the DSN points
at 127.0.0.1, sentry-sdk's own transport sends the envelope there, and the id printed is the id that
arrived. Without a DSN: a refusal (exit 2) and nothing sent."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared import cli
from shared.container import default_container
from shared.observability.sentry import TEST_MESSAGE, close_sentry


class Ingest:
    """A Sentry ingest endpoint: records each envelope POSTed to /api/<project>/envelope/."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []
        ingest = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                encoding = self.headers.get("Content-Encoding", "")
                body = gzip.decompress(raw) if encoding == "gzip" else (
                    zlib.decompress(raw) if encoding == "deflate" else raw)
                lines = body.split(b"\n")
                header = json.loads(lines[0])
                items = [json.loads(line) for line in lines[1:] if line.startswith(b"{")]
                ingest.envelopes.append((self.path, header, items))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict[str, Any]]:
        return [item for _, _, items in self.envelopes for item in items if "event_id" in item]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ingest(monkeypatch) -> Iterator[Ingest]:
    server = Ingest()
    monkeypatch.setenv("SENTRY_DSN", f"http://0123456789abcdef@127.0.0.1:{server.port}/42")
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "sentry-test")
    default_container.cache_clear()
    yield server
    close_sentry()
    default_container.cache_clear()
    server.close()


def test_sends_one_event_and_prints_the_id_that_arrived(ingest, capsys):
    assert cli.main(["sentry", "test"]) == 0
    out = capsys.readouterr().out
    events = ingest.events()
    assert len(events) == 1, ingest.envelopes
    event = events[0]
    assert f"sent test event {event['event_id']} " in out
    assert event["message"] == TEST_MESSAGE or event.get("logentry", {}).get("message") == TEST_MESSAGE
    assert event["level"] == "info" and event["environment"] == "sentry-test"
    assert event["tags"]["stjarnaTest"] == "true"
    path, header, _ = ingest.envelopes[0]
    assert path == "/api/42/envelope/" and header["event_id"] == event["event_id"]


def test_json_output_names_the_id(ingest, capsys):
    assert cli.main(["sentry", "test", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [e["event_id"] for e in ingest.events()] == [printed["eventId"]]


def test_without_a_dsn_it_refuses_and_sends_nothing(monkeypatch, capsys):
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    default_container.cache_clear()
    try:
        assert cli.main(["sentry", "test"]) == cli.EXIT_USAGE
    finally:
        default_container.cache_clear()
    captured = capsys.readouterr()
    assert "SENTRY_DSN is not set: nothing was sent" in captured.err and captured.out == ""
