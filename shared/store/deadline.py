"""A client-side deadline for blocking database calls.

The statement timeout is the server's: it cannot end a call whose server is paused, or whose reply is
slowed or lost on the network, and libpq has no read timeout, so such a call would wait forever (or as
long as the network). ``DEADLINES`` is one daemon thread per process that shuts down the socket of a
call still running at its deadline: libpq then sees the connection lost, psycopg raises
``OperationalError`` and the caller gets ``StoreUnavailable``. Arming and disarming are a lock and a dict
operation; the thread wakes only when a deadline is due (or earlier than the one it waits for).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import socket
import threading
import time


class Deadlines:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[float, socket.socket]] = {}
        self._fired: set[int] = set()
        self._tokens = itertools.count()
        self._waiting_until = math.inf
        self._thread: threading.Thread | None = None

    def arm(self, sock: socket.socket, seconds: float) -> int:
        """Shut ``sock`` down unless ``disarm(token)`` comes within ``seconds``."""
        at = time.monotonic() + seconds
        with self._cond:
            token = next(self._tokens)
            self._armed[token] = (at, sock)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stjarna-store-deadlines", daemon=True)
                self._thread.start()
            elif at < self._waiting_until:
                self._cond.notify()
        return token

    def disarm(self, token: int) -> bool:
        """True when the deadline had passed and the socket was shut down: drop that connection."""
        with self._cond:
            self._armed.pop(token, None)
            fired = token in self._fired
            self._fired.discard(token)
        return fired

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for token, (at, sock) in list(self._armed.items()):
                    if at <= now:
                        del self._armed[token]
                        self._fired.add(token)
                        with contextlib.suppress(OSError):  # already closed by the other side
                            sock.shutdown(socket.SHUT_RDWR)
                self._waiting_until = min((at for at, _ in self._armed.values()), default=math.inf)
                self._cond.wait(None if self._waiting_until == math.inf else self._waiting_until - now)


DEADLINES = Deadlines()
