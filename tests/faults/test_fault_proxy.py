"""The fault proxy itself (tests/support/fault_proxy.py), in front of a real echo server on TCP and on
a Unix socket: each fault does what it says, switches at run time, and stopping leaves no thread or
socket behind. Waits are bounded by socket timeouts; nothing sleeps."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.fault_proxy import GARBAGE_BYTES, FaultProxy
from tests.support.servers import closed_port

SHORT = 0.1  # how long a test waits to see that nothing arrives


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.server.received += len(data)  # type: ignore[attr-defined]
            self.request.sendall(data)


@contextmanager
def echo_server(unix_path: Path | None) -> Iterator[tuple[Any, socketserver.BaseServer]]:
    server: Any
    if unix_path is None:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
        upstream: Any = server.server_address
    else:
        server = socketserver.ThreadingUnixStreamServer(str(unix_path), _Echo)
        upstream = str(unix_path)
    server.received = 0
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="echo-server")
    thread.start()
    try:
        yield upstream, server
    finally:
        server.shutdown()
        server.server_close()  # joins the handler threads (their clients are closed by then)
        thread.join(5)


@pytest.fixture
def echo() -> Iterator[tuple[Any, socketserver.BaseServer]]:
    with echo_server(None) as found:
        yield found


@pytest.fixture
def proxy(echo: tuple[Any, socketserver.BaseServer]) -> Iterator[FaultProxy]:
    with FaultProxy(echo[0], seed=1) as running:
        yield running
    assert proxy_threads() == []


def proxy_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("fault-proxy")]


def connect(proxy: FaultProxy, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection(proxy.address, timeout=timeout)


def receive(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def closed_by_peer(sock: socket.socket) -> bool:
    """The peer closed (FIN) or reset (RST) the connection."""
    try:
        return sock.recv(4) == b""
    except ConnectionResetError:
        return True


def echoed(sock: socket.socket, payload: bytes = b"ping") -> bytes:
    sock.sendall(payload)
    return receive(sock, len(payload))


def test_passes_bytes_through_to_a_unix_socket(tmp_path):
    with echo_server(tmp_path / "echo.sock") as (upstream, _), FaultProxy(upstream) as proxy, connect(proxy) as sock:
        assert echoed(sock, b"one" * 10000) == b"one" * 10000
    assert proxy_threads() == []


def test_passes_bytes_through(proxy):
    with connect(proxy) as a, connect(proxy) as b:
        assert echoed(a, b"one") == b"one"
        assert echoed(b, b"two" * 10000) == b"two" * 10000
        assert proxy.connections == 2 and proxy.accepted == 2


def test_latency_delays_every_chunk_and_clears(proxy):
    with connect(proxy) as sock:
        proxy.latency(0.1)
        started = time.monotonic()
        assert echoed(sock) == b"ping"
        assert time.monotonic() - started >= 0.2  # the request and the reply each waited
        proxy.latency(60)
        sock.sendall(b"late")
        sock.settimeout(SHORT)
        with pytest.raises(TimeoutError):
            sock.recv(4)
        proxy.pass_through()  # the held chunk goes on at once
        sock.settimeout(5)
        assert receive(sock, 4) == b"late"


def test_latency_on_replies_only(proxy, echo):
    _, server = echo
    with connect(proxy) as sock:
        proxy.latency(60, direction="replies")
        sock.sendall(b"ping")
        sock.settimeout(SHORT)
        with pytest.raises(TimeoutError):
            sock.recv(4)
        assert server.received == 4  # the request reached the server; its reply is held
        proxy.pass_through()
        sock.settimeout(5)
        assert receive(sock, 4) == b"ping"


def test_latency_per_connection(proxy):
    proxy.latency(60, per="connection")
    with connect(proxy) as sock:  # accepted, but held before it reaches the server
        sock.sendall(b"ping")
        sock.settimeout(SHORT)
        with pytest.raises(TimeoutError):
            sock.recv(4)
        proxy.latency(0.0, per="connection")
        sock.settimeout(5)
        assert receive(sock, 4) == b"ping"


def test_blackhole_accepts_and_never_answers_until_resumed(proxy, echo):
    _, server = echo
    with connect(proxy) as open_before:
        assert echoed(open_before) == b"ping"
        proxy.blackhole()
        with connect(proxy) as new:  # a paused server still accepts
            for sock in (open_before, new):
                sock.sendall(b"held")
                sock.settimeout(SHORT)
                with pytest.raises(TimeoutError):
                    sock.recv(4)
            assert server.received == 4
            proxy.pass_through()  # resumed: what was held is delivered
            for sock in (open_before, new):
                sock.settimeout(5)
                assert receive(sock, 4) == b"held"


def test_refuse_cuts_open_connections_and_refuses_new_ones_then_listens_again(proxy):
    port = proxy.port
    with connect(proxy) as sock:
        assert echoed(sock) == b"ping"
        proxy.refuse()
        assert closed_by_peer(sock)
    with pytest.raises(ConnectionRefusedError):
        connect(proxy)
    proxy.pass_through()
    assert proxy.port == port
    with connect(proxy) as sock:
        assert echoed(sock) == b"ping"


def test_garbage_answers_with_random_bytes_and_closes(proxy, echo):
    _, server = echo
    proxy.garbage()
    with connect(proxy) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n\r\n")
        answer = receive(sock, GARBAGE_BYTES + 1)
        assert len(answer) == GARBAGE_BYTES and not answer.startswith(b"GET")
    assert server.received == 0  # the server was never asked


def test_garbage_on_an_open_connection(proxy):
    with connect(proxy) as sock:
        assert echoed(sock) == b"ping"
        proxy.garbage()
        sock.sendall(b"ping")
        assert len(receive(sock, GARBAGE_BYTES + 1)) == GARBAGE_BYTES


def test_corrupt_transforms_the_servers_replies(proxy, echo):
    _, server = echo
    with connect(proxy) as sock:
        proxy.corrupt(bytes.upper)
        assert echoed(sock, b"abc") == b"ABC"
        proxy.corrupt()  # random bytes of the same length
        reply = echoed(sock, b"x" * 64)
        assert len(reply) == 64 and reply != b"x" * 64
    assert server.received == 67  # requests went through untouched


def test_reset_sends_an_rst_to_open_connections_only(proxy):
    with connect(proxy) as sock:
        assert echoed(sock) == b"ping"
        assert proxy.reset() == 1
        with pytest.raises(ConnectionResetError):
            sock.recv(4)
    with connect(proxy) as sock:  # new connections pass
        assert echoed(sock) == b"ping"


def test_a_server_that_is_down_closes_the_client(tmp_path):
    with FaultProxy(("127.0.0.1", closed_port())) as proxy, connect(proxy) as sock:
        sock.sendall(b"ping")
        assert closed_by_peer(sock)
    assert proxy_threads() == []


def test_stop_interrupts_held_chunks_and_joins_every_thread(echo):
    proxy = FaultProxy(echo[0]).start()
    sockets = [connect(proxy) for _ in range(3)]
    try:
        proxy.latency(60)
        sockets[0].sendall(b"slow")
        proxy.blackhole()
        sockets[1].sendall(b"held")
        started = time.monotonic()
        proxy.stop()
        assert time.monotonic() - started < 5  # no wait is sat out
        assert proxy_threads() == []
        for sock in sockets:
            sock.settimeout(5)
            assert closed_by_peer(sock)
    finally:
        for sock in sockets:
            sock.close()
