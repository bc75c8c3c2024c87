"""A fault-injecting TCP proxy on 127.0.0.1 in front of a real server (a TCP address or a Unix socket,
so it also fronts the embedded PostgreSQL, which listens on a socket only).

Faults are switched at run time and apply to open connections as well as new ones:

- ``pass_through()``: bytes flow unchanged (the default);
- ``latency(seconds)``: every chunk waits that long, both ways or one (``direction="replies"``: only
  the server's); ``per="connection"``: once, before the connection reaches the server;
- ``blackhole()``: a paused server: connections are accepted, nothing is answered; what was sent is
  held and delivered if the proxy passes through again (like SIGSTOP, then SIGCONT);
- ``refuse()``: nothing listens any more (connection refused) and open connections are cut, like a
  server that died; any other mode listens again on the same port;
- ``garbage()``: whatever a client sends is answered with random bytes (the server is not asked),
  then the connection is closed;
- ``corrupt(transform)``: the server's replies pass through ``transform`` (default: random bytes of
  the same length);
- ``reset()``: a one-off: every open connection is reset (RST) now; the mode is unchanged.

``stop()`` closes every socket and joins every thread it started (waits are interrupted, never
slept out). Random bytes come from a seeded generator: a failing run replays the same bytes.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Literal

Mode = Literal["pass", "latency", "blackhole", "refuse", "garbage", "corrupt"]
Direction = Literal["both", "requests", "replies"]
Upstream = tuple[str, int] | str  # (host, port), or the path of a Unix socket
CHUNK = 65536
GARBAGE_BYTES = 256


class _Link:
    """One client connection and its connection to the server, served by one or two pump threads;
    the last thread to finish closes both sockets."""

    def __init__(self, client: socket.socket, cond: threading.Condition) -> None:
        self.client = client
        self._cond = cond  # the proxy's: notified when the link closes (wakes a held chunk)
        self.server: socket.socket | None = None
        self.closed = threading.Event()
        self._lock = threading.Lock()
        self._users = 0

    def enter(self) -> None:
        with self._lock:
            self._users += 1

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            last = self._users == 0
        if last:
            self.close()
            self.client.close()
            if self.server is not None:
                self.server.close()

    def close(self, *, reset: bool = False) -> None:
        """Wake both pumps (their recv returns); with ``reset`` the client gets an RST, not a FIN.
        Only the first call acts."""
        with self._lock:
            if self.closed.is_set():
                return
            self.closed.set()
        with self._cond:
            self._cond.notify_all()
        if reset:
            _ignore(self.client.setsockopt, socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            _ignore(self.client.shutdown, socket.SHUT_RD)  # wakes the reader; the close sends the RST
        else:
            _ignore(self.client.shutdown, socket.SHUT_RDWR)
        if self.server is not None:
            _ignore(self.server.shutdown, socket.SHUT_RDWR)


def _ignore(call: Callable[..., object], *args: object) -> None:
    with contextlib.suppress(OSError):  # already closed or not connected
        call(*args)


class FaultProxy:
    """``with FaultProxy(upstream) as proxy: ... proxy.port ...; proxy.latency(2.0); ...``"""

    def __init__(self, upstream: Upstream, *, seed: int = 0, connect_timeout: float = 2.0) -> None:
        self.upstream = upstream
        self.host = "127.0.0.1"
        self.port = 0
        self.accepted = 0  # connections accepted since start (a reconnect shows here)
        self.mode: Mode = "pass"
        self._delay = 0.0
        self._per_connection = False
        self._direction: Direction = "both"
        self._transform: Callable[[bytes], bytes] | None = None
        self._rng = random.Random(seed)
        self._connect_timeout = connect_timeout
        self._cond = threading.Condition()  # guards the mode, the links and the threads; wakes held chunks
        self._links: set[_Link] = set()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._accepting = threading.Event()
        self._started = False

    # -- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def start(self) -> FaultProxy:
        if not self._started:
            self._started = True
            self._listen()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and every connection; join every thread (``RuntimeError`` if one hangs)."""
        self._started = False
        self._unlisten()
        with self._cond:
            links, self._links = list(self._links), set()
            threads, self._threads = self._threads, []
            self._cond.notify_all()
        for link in links:
            link.close()
        for thread in threads:
            thread.join(timeout)
        alive = [t.name for t in threads if t.is_alive()]
        if alive:
            raise RuntimeError(f"fault proxy threads did not stop: {alive}")

    @property
    def connections(self) -> int:
        """Connections open now."""
        with self._cond:
            return sum(not link.closed.is_set() for link in self._links)

    # -- faults -------------------------------------------------------------------------------------
    def pass_through(self) -> None:
        self._set("pass")

    def latency(self, seconds: float, *, per: Literal["chunk", "connection"] = "chunk",
                direction: Direction = "both") -> None:
        self._set("latency", delay=seconds, per_connection=per == "connection", direction=direction)

    def blackhole(self) -> None:
        self._set("blackhole")

    def garbage(self) -> None:
        self._set("garbage")

    def corrupt(self, transform: Callable[[bytes], bytes] | None = None) -> None:
        self._set("corrupt", transform=transform)

    def refuse(self) -> None:
        self._set("refuse")
        self._unlisten()
        self.reset()

    def reset(self) -> int:
        """Reset every open connection now; returns how many."""
        with self._cond:
            links = [link for link in self._links if not link.closed.is_set()]
            self._cond.notify_all()
        for link in links:
            link.close(reset=True)
        return len(links)

    def _set(self, mode: Mode, *, delay: float = 0.0, per_connection: bool = False, direction: Direction = "both",
             transform: Callable[[bytes], bytes] | None = None) -> None:
        with self._cond:
            self.mode, self._delay, self._transform = mode, delay, transform
            self._per_connection, self._direction = per_connection, direction
            self._cond.notify_all()  # held chunks move on (or stay held) under the new mode
        if mode != "refuse" and self._started and self._listener is None:
            self._listen()

    # -- listening ----------------------------------------------------------------------------------
    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        listener.settimeout(0.05)  # the accept loop looks at its stop flag this often
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._accepting.set()
        self._acceptor = threading.Thread(target=self._accept_loop, args=(listener,),
                                          name=f"fault-proxy-{self.port}-accept", daemon=True)
        self._acceptor.start()

    def _unlisten(self) -> None:
        listener, acceptor = self._listener, self._acceptor
        self._listener = self._acceptor = None
        self._accepting.clear()
        if acceptor is not None:
            acceptor.join(5)
        if listener is not None:
            listener.close()

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._accepting.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            link = _Link(client, self._cond)
            thread = threading.Thread(target=self._serve, args=(link,), name=f"fault-proxy-{self.port}-link",
                                      daemon=True)
            with self._cond:
                self.accepted += 1
                self._links.add(link)
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
                link.enter()
            thread.start()

    # -- one connection -------------------------------------------------------------------------------
    def _serve(self, link: _Link) -> None:
        try:
            if not self._hold(link, None):
                return
            if self.mode == "garbage":
                self._answer_garbage(link)
                return
            try:
                link.server = self._connect()
            except OSError:
                return  # the server is down: the client sees its connection closed
            if link.closed.is_set():  # cut while connecting
                _ignore(link.server.shutdown, socket.SHUT_RDWR)
                return
            down = threading.Thread(target=self._pump, args=(link, link.server, link.client, True),
                                    name=f"fault-proxy-{self.port}-reply", daemon=True)
            with self._cond:
                self._threads.append(down)
                link.enter()
            down.start()
            self._pump(link, link.client, link.server, False)
        finally:
            link.leave()
            with self._cond:
                self._links.discard(link)

    def _connect(self) -> socket.socket:
        if isinstance(self.upstream, str):
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.settimeout(self._connect_timeout)
        try:
            server.connect(self.upstream)
        except OSError:
            server.close()
            raise
        server.settimeout(None)
        return server

    def _answer_garbage(self, link: _Link) -> None:
        try:
            if link.client.recv(CHUNK):
                link.client.sendall(self._random(GARBAGE_BYTES))
        except OSError:
            pass
        link.close()

    def _pump(self, link: _Link, source: socket.socket, target: socket.socket, reply: bool) -> None:
        """Move chunks from ``source`` to ``target`` (``reply``: from the server) under the faults."""
        try:
            while not link.closed.is_set():
                try:
                    data = source.recv(CHUNK)
                except OSError:
                    return
                if not data:
                    return
                faulted = self._fault(link, data, reply)
                if faulted is None:
                    return
                try:
                    target.sendall(faulted)
                except OSError:
                    return
        finally:
            link.close()
            if reply:  # the client's side is pumped by _serve, which leaves itself
                link.leave()

    def _fault(self, link: _Link, data: bytes, reply: bool) -> bytes | None:
        """The chunk as it should go on, or ``None`` when the connection ends here."""
        if not self._hold(link, reply):
            return None
        with self._cond:
            mode, transform = self.mode, self._transform
        if mode == "garbage":
            if reply:
                return self._random(len(data))
            self._answer_garbage_now(link)
            return None
        if mode == "corrupt" and reply:
            return transform(data) if transform is not None else self._random(len(data))
        return data

    def _hold(self, link: _Link, reply: bool | None) -> bool:
        """Wait while the proxy is a blackhole, or for the latency of this chunk (``reply``: from the
        server or not; ``None``: of a new connection); a change of mode ends the wait early. False when
        the connection is closed meanwhile."""
        with self._cond:
            started = time.monotonic()
            while not link.closed.is_set() and self._started:
                if self.mode == "blackhole":
                    self._cond.wait()
                    continue
                if self.mode == "latency" and self._delays(reply):
                    left = started + self._delay - time.monotonic()
                    if left > 0:
                        self._cond.wait(left)
                        continue
                break
            return not link.closed.is_set() and self._started and self.mode != "refuse"

    def _delays(self, reply: bool | None) -> bool:
        if reply is None:
            return self._per_connection
        wanted = "replies" if reply else "requests"
        return not self._per_connection and self._direction in {"both", wanted}

    def _answer_garbage_now(self, link: _Link) -> None:
        with contextlib.suppress(OSError):
            link.client.sendall(self._random(GARBAGE_BYTES))

    def _random(self, size: int) -> bytes:
        with self._cond:
            return self._rng.randbytes(size)
