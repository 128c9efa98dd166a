"""Keep-alive connections spread over the web processes (``python -m plaza.serve --workers N``).

The processes share one listening socket and the kernel hands each new connection to
whichever accepts first. A client that keeps its connection open stays with that process for
as long as the connection lives, so two busy clients can end up on one process while the
other idles: their requests then queue behind each other on one core (measured on the
bench: home page p50 26 ms with both connections on one process, 13 ms when spread).

The fix is the one load balancers use: a process that is serving another request while a
sibling is idle answers with ``Connection: close``; the client reconnects and the idle
process, not the busy one, is the first to accept. A process with nothing else in flight
never closes a connection, so in the steady state (one connection per process, or every
process busy) nothing changes.

Each process writes how many ordinary requests it has in flight (streams, which stay open
for minutes and cost nothing while idle, don't count) into its own slot of a small shared
memory board the parent creates; slots are claimed at start-up under a file lock, cleared at
exit, and a slot whose process has died is taken over by its replacement. The board has room
for twice the workers: on a graceful restart (SIGHUP) uvicorn starts the new workers before
it stops the old ones. Only a live sibling with nothing in flight counts as idle.

Where shared memory or file locks are missing (not Linux/macOS), the server runs unbalanced.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from multiprocessing import shared_memory
from pathlib import Path
from typing import Any

from plaza.ids import is_digits

ENV = "PLAZA_SERVE_BOARD"  # "<shared memory name>:<slots>", set by the parent for its workers
log = logging.getLogger(__name__)
_INTS_PER_SLOT = 2  # (pid, requests in flight)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class Board:
    """The shared table of (pid, requests in flight), one slot per web process."""

    def __init__(self, memory: shared_memory.SharedMemory, slots: int) -> None:
        self.memory = memory
        self.slots = slots
        assert memory.buf is not None
        self.ints = memory.buf.cast("i")
        self.mine = -1

    @classmethod
    def create(cls, workers: int) -> Board | None:
        """In the parent: a zeroed board, named in ``os.environ`` for the workers it spawns;
        None (and a warning) where the platform has no shared memory or file locks."""
        slots = 2 * workers + 2
        try:
            import fcntl  # noqa: F401 - POSIX only: without it workers could not claim slots

            memory = shared_memory.SharedMemory(create=True, size=4 * _INTS_PER_SLOT * slots)
            board = cls(memory, slots)
            board.lock_path().touch()
        except (ImportError, OSError) as error:
            log.warning("keep-alive balancing is off (%s): workers serve unbalanced", error)
            return None
        for i in range(len(board.ints)):
            board.ints[i] = 0
        os.environ[ENV] = f"{memory.name}:{slots}"
        return board

    @classmethod
    def attach(cls) -> Board | None:
        """In a worker: the parent's board with a slot claimed, or None when there is none."""
        spec = os.environ.get(ENV, "")
        name, _, slots = spec.rpartition(":")
        if not name or not is_digits(slots):
            return None
        try:
            memory = shared_memory.SharedMemory(name=name)
        except FileNotFoundError:
            return None
        # Attaching registers the name with multiprocessing's resource tracker again; spawned
        # workers share the parent's tracker, which unlinks it once (at the parent's unlink).
        board = cls(memory, int(slots))
        try:
            board.claim()
        except OSError as error:  # the lock file is gone: run unbalanced rather than not at all
            log.warning("keep-alive balancing is off in this worker (%s)", error)
            return None
        atexit.register(board.release)
        return board

    def close(self) -> None:
        """Release the view (a shared memory block cannot close while one is exported)."""
        self.ints.release()
        self.memory.close()

    def unlink(self) -> None:
        """In the parent, on the way out: remove the block and its lock file."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.memory.unlink()
        self.lock_path().unlink(missing_ok=True)

    def lock_path(self) -> Path:
        return Path(tempfile.gettempdir()) / f"plaza-board-{self.memory.name.lstrip('/')}.lock"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl

        with self.lock_path().open("rb") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def claim(self) -> None:
        """Take a free slot, or one whose process is gone (a restarted worker)."""
        with self._locked():
            for slot in range(self.slots):
                pid = self.ints[slot * _INTS_PER_SLOT]
                if pid == 0 or not _alive(pid):
                    self.ints[slot * _INTS_PER_SLOT] = os.getpid()
                    self.ints[slot * _INTS_PER_SLOT + 1] = 0
                    self.mine = slot
                    return

    def release(self) -> None:
        """A worker leaving: free its slot (a restart or a smaller pool leaves no ghost)."""
        if self.mine >= 0:
            with contextlib.suppress(ValueError):  # the view was already released
                self.ints[self.mine * _INTS_PER_SLOT + 1] = 0
                self.ints[self.mine * _INTS_PER_SLOT] = 0
            self.mine = -1

    def add(self, delta: int) -> None:
        """Change this process's in-flight count (called on its event loop thread only)."""
        if self.mine >= 0:
            self.ints[self.mine * _INTS_PER_SLOT + 1] += delta

    def should_shed(self) -> bool:
        """True when this process has another request in flight and a live sibling has none."""
        if self.mine < 0 or self.ints[self.mine * _INTS_PER_SLOT + 1] < 2:
            return False
        for slot in range(self.slots):
            pid = self.ints[slot * _INTS_PER_SLOT]
            if slot == self.mine or pid == 0 or self.ints[slot * _INTS_PER_SLOT + 1] != 0:
                continue
            if _alive(pid):  # a syscall only when shedding is on the table
                return True
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Balanced:
    """ASGI wrapper: counts this process's ordinary HTTP requests on the board and adds
    ``Connection: close`` to a response when :meth:`Board.should_shed` says so."""

    def __init__(self, app: App, board: Board, streaming_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.board = board
        self.streaming_prefixes = streaming_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # the app below has no lifespan of its own
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http" or scope["path"].startswith(self.streaming_prefixes):
            await self.app(scope, receive, send)
            return
        board = self.board

        async def send_balanced(message: Message) -> None:
            if message["type"] == "http.response.start" and board.should_shed():
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        board.add(1)
        try:
            await self.app(scope, receive, send_balanced)
        finally:
            board.add(-1)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Free this worker's slot when uvicorn shuts it down (a restart, a smaller pool)."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.board.release()
                await send({"type": "lifespan.shutdown.complete"})
                return
