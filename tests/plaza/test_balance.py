"""Spreading keep-alive connections over the web processes (plaza/balance.py, plaza/serve.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.run import wait_ready
from plaza.balance import ENV, Balanced, Board

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def board(monkeypatch: pytest.MonkeyPatch) -> Iterator[Board]:
    """A board for two workers as the parent makes it, attached as a worker would (slot 0 =
    us); the environment variable it sets is undone afterwards."""
    monkeypatch.setenv(ENV, "")
    parent = Board.create(2)
    assert parent is not None and parent.slots == 6  # room for a restart's overlap
    worker = Board.attach()
    assert worker is not None
    yield worker
    worker.close()
    parent.unlink()
    assert not parent.lock_path().exists()


def _sibling(board: Board, pid: int, in_flight: int) -> None:
    board.ints[2], board.ints[3] = pid, in_flight


def test_a_worker_claims_a_free_slot_and_replaces_a_dead_one(board: Board) -> None:
    assert board.mine == 0 and board.ints[0] == os.getpid()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _sibling(board, dead.pid, 3)
    again = Board.attach()  # a restarted worker: slot 1's process is gone
    assert again is not None and again.mine == 1
    assert (again.ints[2], again.ints[3]) == (os.getpid(), 0)
    again.close()


def test_no_board_without_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "")
    assert Board.attach() is None
    monkeypatch.setenv(ENV, "psm_plaza_no_such_board:2")
    assert Board.attach() is None


def test_shed_only_when_busy_and_a_sibling_idles(board: Board) -> None:
    _sibling(board, os.getppid(), 0)
    board.add(1)
    assert not board.should_shed()  # only this request: keep the connection
    board.add(1)
    assert board.should_shed()  # two here, none there: send one client over
    _sibling(board, os.getppid(), 1)
    assert not board.should_shed()  # everybody busy: reconnecting would gain nothing
    _sibling(board, 0, 0)
    assert not board.should_shed()  # an unclaimed slot is not an idle process
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _sibling(board, dead.pid, 0)
    assert not board.should_shed()  # nor is a process that died without clearing its slot
    board.add(-2)


def test_a_leaving_worker_frees_its_slot(board: Board) -> None:
    board.add(1)
    board.release()
    assert (board.ints[0], board.ints[1]) == (0, 0) and board.mine == -1
    board.add(1)  # after release: a no-op, not a write into someone else's slot
    assert board.ints[1] == 0


def _call(app: Balanced, path: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    asyncio.run(app({"type": "http", "path": path}, receive, send))
    return sent


def test_the_wrapper_counts_requests_and_closes_when_told(board: Board) -> None:
    seen: list[int] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(board.ints[1])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"a", b"1")]})
        await send({"type": "http.response.body", "body": b"ok"})

    app = Balanced(inner, board, ("/stream",))
    _sibling(board, os.getppid(), 0)
    sent = _call(app, "/")
    assert seen == [1] and board.ints[1] == 0  # counted while in flight, then released
    assert sent[0]["headers"] == [(b"a", b"1")]

    board.add(1)  # another request of this process is in flight
    sent = _call(app, "/")
    assert sent[0]["headers"] == [(b"a", b"1"), (b"connection", b"close")]
    assert sent[1]["body"] == b"ok"

    sent = _call(app, "/stream/x")  # long-lived streams are neither counted nor cut
    assert seen[-1] == 1 and sent[0]["headers"] == [(b"a", b"1")]
    board.add(-1)


def test_two_workers_share_two_busy_clients() -> None:
    """The real server with 2 workers: two clients with keep-alive connections, each
    request overlapping the other's, end up one per worker (CPU time of both grows)."""
    data_dir = Path(tempfile.mkdtemp(prefix="plaza-serve-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAZA_")}
    env.update(PLAZA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="plaza.settings")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "plaza.serve", "--port", str(port), "--workers", "2"],
        cwd=REPO, env=env, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        workers = _children(server.pid)
        assert len(workers) == 2
        board = {_environ(pid).get(ENV) for pid in workers}
        assert len(board) == 1 and None not in board  # both workers attached to one board
        _assert_both_busy(base, workers)

        # A graceful restart: uvicorn starts new workers before stopping the old ones; the
        # old ones free their slots, the new ones get slots and share the clients again.
        os.kill(server.pid, signal.SIGHUP)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            fresh = _children(server.pid)
            if len(fresh) == 2 and not set(fresh) & set(workers):
                break
            time.sleep(0.2)
        assert len(fresh) == 2 and not set(fresh) & set(workers)
        wait_ready(base)
        name = next(iter(board)).rpartition(":")[0]  # type: ignore[union-attr]
        time.sleep(0.5)
        slots = _board_pids(name)
        assert slots == set(fresh), (slots, workers, fresh)  # no ghost of the old, no one missing
        _assert_both_busy(base, fresh)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    assert not Path(f"/dev/shm/{name}").exists()  # the parent removed it on the way out


def _assert_both_busy(base: str, workers: list[int]) -> None:
    """Two clients with keep-alive connections, requests overlapping, until the workers
    have used 0.4 s of CPU between them (longer on a loaded machine; 30 s at most): both
    must have worked.

    A freshly started worker spends its first requests warming up (imports, templates,
    caches), which would count as work; so the clients run a first round that is not judged.
    The split is a statistical property, and on a loaded machine (CI runs the suite on both
    databases at once) one round can be lopsided by chance: up to three rounds are judged,
    and one balanced round passes — a worker that never gets connections fails all three."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def client() -> None:
        try:
            with httpx.Client(timeout=10) as c:
                while not stop.is_set():
                    assert c.get(f"{base}/api/v1/instance").status_code == 200
        except BaseException as e:  # reported below
            errors.append(e)

    def one_round() -> list[int]:
        before = {pid: _cpu_ticks(pid) for pid in workers}
        deadline = time.monotonic() + 30
        time.sleep(2)
        while time.monotonic() < deadline:
            used = sorted(_cpu_ticks(pid) - before[pid] for pid in workers)
            if sum(used) >= 40:  # clock ticks (1/100 s): enough work to judge the split
                break
            time.sleep(0.5)
        return sorted(_cpu_ticks(pid) - before[pid] for pid in workers)

    threads = [threading.Thread(target=client) for _ in range(2)]
    for t in threads:
        t.start()
    rounds: list[list[int]] = []
    try:
        one_round()  # warm-up, not judged
        for _ in range(3):
            used = one_round()
            rounds.append(used)
            if used[0] > used[1] / 4:
                break
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert rounds[-1][0] > rounds[-1][1] / 4, f"one worker served (almost) everything: {rounds}"


def _board_pids(name: str) -> set[int]:
    """The processes holding a slot on the server's board (read without claiming one)."""
    from multiprocessing import resource_tracker, shared_memory

    memory = shared_memory.SharedMemory(name=name)
    resource_tracker.unregister(memory._name, "shared_memory")  # type: ignore[attr-defined]
    try:
        ints = memory.buf.cast("i")  # type: ignore[union-attr]
        pids = {ints[i] for i in range(0, len(ints), 2) if ints[i]}
        ints.release()
    finally:
        memory.close()
    return pids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    """The web workers (spawned children; the resource tracker is a child too). A worker
    that exits between pgrep and the read (a restart under way) is not one."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split() if b"spawn_main" in _cmdline(int(p))]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    return dict(kv.split("=", 1) for kv in raw.split("\0") if "=" in kv)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
