"""Streaming across processes, as deployed: a real uvicorn and a separate Huey consumer.

The embedded default (``scripts/run.sh``) runs the web server and the task consumer as two
processes; fan-out to followers happens in the consumer, so its events must reach the web
process's sockets. This starts both (SQLite everything, and with Redis when
``redis-server`` is installed), opens a WebSocket and an SSE stream, posts through the API
and waits for the events. Bounded: every wait has a timeout, the processes are killed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
UVICORN = str(Path(sys.executable).with_name("uvicorn"))

SETUP = """
from accounts.models import User
from mastodon.actions import issue_token, register_app
from network.actions import follow
from tests.factories import make_account
reader, writer = make_account("reader"), make_account("writer")
follow(reader, writer)
app, _ = register_app(name="live", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write")
print(issue_token(reader.user, app, scopes="read")[1])
print(issue_token(writer.user, app, scopes="read write")[1])
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def _base_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PLAZA_"))}
    env.update(
        PLAZA_DATA_DIR=str(data_dir),
        PLAZA_PUBLIC_URL=f"http://127.0.0.1:{port}",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated data directory, made once and copied for each server."""
    data = tmp_path_factory.mktemp("migrated")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=_base_env(data, 8000),
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=180,
    )
    return data


@pytest.fixture(params=["sqlite", "redis"])
def server(
    request: pytest.FixtureRequest, tmp_path: Path, migrated: Path
) -> Iterator[tuple[str, str, str]]:
    port = _free_port()
    data = tmp_path / "data"
    shutil.copytree(migrated, data)
    env = _base_env(data, port)
    procs: list[subprocess.Popen[bytes]] = []
    if request.param == "redis":
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            pytest.skip("redis-server is not installed")
        redis_port = _free_port()
        procs.append(
            subprocess.Popen(
                [redis_server, "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        env["PLAZA_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    log = (tmp_path / "server.log").open("wb")
    try:
        out = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SETUP],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.split()
        reader_token, writer_token = out[-2], out[-1]
        procs.append(
            subprocess.Popen(
                [PYTHON, "manage.py", "run_huey", "--quiet"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        procs.append(
            subprocess.Popen(
                [
                    UVICORN,
                    "plaza.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/api/v1/streaming/health")
        yield base, reader_token, writer_token
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def _sse_events(response: httpx.Response, wanted: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    event = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event:
            found.append((event, line[6:]))
            if len(found) == wanted:
                break
    return found


@pytest.mark.slow
def test_posts_reach_sockets_across_processes(server: tuple[str, str, str]) -> None:
    base, reader_token, writer_token = server
    ws_url = base.replace("http://", "ws://") + "/api/v1/streaming?stream=user"
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {writer_token}"})
    sse = httpx.Client(
        base_url=base,
        headers={"Authorization": f"Bearer {reader_token}"},
        timeout=httpx.Timeout(10),
    )
    with (
        connect(ws_url, additional_headers={"Authorization": f"Bearer {reader_token}"}) as ws,
        sse.stream("GET", "/api/v1/streaming/public") as public,
    ):
        assert public.status_code == 200
        time.sleep(0.3)  # the SSE subscription is made as the response starts streaming
        created = api.post(
            "/api/v1/statuses", json={"status": "live #news", "visibility": "public"}
        )
        assert created.status_code == 200, created.text
        post_id = created.json()["id"]
        # Home: delivered by the fan-out in the task consumer process.
        message = json.loads(ws.recv(timeout=10))
        assert message["stream"] == ["user"]
        assert message["event"] == "update"
        assert json.loads(message["payload"])["id"] == post_id
        # Public: published by the web process on commit.
        ((event, data),) = _sse_events(public, 1)
        assert event == "update"
        assert json.loads(data)["id"] == post_id
        assert api.delete(f"/api/v1/statuses/{post_id}").status_code == 200
        message = json.loads(ws.recv(timeout=10))
        assert message == {"stream": ["user"], "event": "delete", "payload": post_id}
