"""A live Plaza for the real-client suites (Mastodon.py and masto.js), started by the tests.

The session starts ``uvicorn plaza.asgi:application`` on a free loopback port with its own
temporary data directory (SQLite, media), tasks inline, after ``migrate`` and the operator
commands have created the users, an application and tokens (``provision.py``). The clients
run in their own processes: Mastodon.py from ``tests/clients/.venv`` (its import name clashes
with our ``mastodon`` app), masto.js with Node from ``tests/clients/js`` — both installed by
``tests/clients/setup.sh``, which reuses what is already there.

Each client gets its own cast (``mp_alice``..., ``js_alice``...), so the two suites never
see each other's follows or notifications even on the same server.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CLIENTS_PYTHON = HERE / ".venv" / "bin" / "python"
MASTODON_PY_CLIENT = HERE / "mastodon_py" / "client.py"
MASTO_JS_CLIENT = HERE / "js" / "client.mjs"
ROLES = {"alice": {}, "bob": {}, "carol": {}, "dave": {}, "erin": {"locked": True}}
CLIENTS = {"mp": "Mastodon.py", "js": "masto.js"}
APP = {
    "name": "Plaza client tests",
    "client_id": "plaza-clients-tests",
    "client_secret": "plaza-clients-tests-secret",
    "scopes": "read write follow push",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "clients: drives a live Plaza with real Mastodon clients (Mastodon.py, masto.js)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.clients)


@dataclass
class PlazaServer:
    base_url: str
    data_dir: Path
    log: Path
    users: dict[str, dict[str, Any]] = field(default_factory=dict)

    def config(self, client: str) -> dict[str, Any]:
        """What a client scenario gets on stdin: the URL and its cast, by role."""
        return {
            "base_url": self.base_url,
            "users": {role: self.users[f"{client}_{role}"] for role in ROLES},
        }

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(data_dir: Path, base_url: str) -> dict[str, str]:
    # Only this server's settings: nothing of the test process's own PLAZA_* (e.g. the
    # PostgreSQL URL of the other run), and no pytest-ness.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAZA_", "PYTEST_"))}
    env.update(
        PLAZA_DATA_DIR=str(data_dir),
        PLAZA_PUBLIC_URL=base_url,
        PLAZA_TASK_IMMEDIATE="true",
        PLAZA_REGISTRATIONS_OPEN="true",
        PLAZA_SECRET_KEY="plaza-clients-tests-not-secret",
        DJANGO_SETTINGS_MODULE="plaza.settings",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(REPO),
    )
    return env


@pytest.fixture(scope="session")
def client_tools() -> None:
    """Install (or reuse) Mastodon.py's venv and masto.js; fail loudly when that fails."""
    done = subprocess.run(
        ["bash", str(HERE / "setup.sh")], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        pytest.fail(f"tests/clients/setup.sh failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def plaza_server() -> Iterator[PlazaServer]:
    if os.environ.get("PLAZA_DATABASE_URL"):
        # The PostgreSQL run repeats the suite; the live server always runs on its own SQLite
        # file anyway, so the real clients would only do the same work twice.
        pytest.skip("the real-client suites run once, in the SQLite run")
    data_dir = Path(tempfile.mkdtemp(prefix="plaza-clients-"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _server_env(data_dir, base_url)
    log = data_dir / "server.log"
    spec = {
        "app": APP,
        "users": [
            {"username": f"{client}_{role}", "password": f"Plaza-{client}-{role}-pw-2026", **extra}
            for client in CLIENTS
            for role, extra in ROLES.items()
        ],
    }
    provisioned = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), str(HERE / "provision.py"), json.dumps(spec)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if provisioned.returncode != 0:
        pytest.fail(f"provisioning failed:\n{provisioned.stdout}\n{provisioned.stderr}")
    users = json.loads(provisioned.stdout.strip().splitlines()[-1])
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                str(REPO / ".venv" / "bin" / "uvicorn"),
                "plaza.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    live = PlazaServer(base_url=base_url, data_dir=data_dir, log=log, users=users)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Plaza did not start on {base_url}:\n{live.log_tail()}")
            time.sleep(0.2)
        yield live
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


def _clip(text: str, keep: int = 2500) -> str:
    """Head and tail of a long traceback (a RecursionError's middle is all the same)."""
    if len(text) <= 2 * keep:
        return text
    return f"{text[:keep]}\n[... {len(text) - 2 * keep} characters ...]\n{text[-keep:]}"


class ClientRunner:
    """Runs one scenario of a client script in its own process and returns its result."""

    def __init__(self, live: PlazaServer, client: str, command: list[str], cwd: Path) -> None:
        self.live = live
        self.client = client
        self.command = command
        self.cwd = cwd

    def run(self, scenario: str, timeout: float = 90, **extra: Any) -> dict[str, Any]:
        config = {**self.live.config(self.client), **extra}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAZA_", "PYTEST_"))}
        env.pop("PYTHONPATH", None)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        done = subprocess.run(
            [*self.command, scenario],
            input=json.dumps(config),
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            pytest.fail(
                f"{CLIENTS[self.client]} scenario {scenario!r} crashed (exit {done.returncode}):\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}\n--- server log ---\n"
                f"{self.live.log_tail()}"
            )
        outcome: dict[str, Any] = json.loads(lines[-1])
        if not outcome["ok"]:
            pytest.fail(
                f"{CLIENTS[self.client]} scenario {scenario!r} failed: {outcome['error']}\n"
                f"{_clip(outcome.get('traceback', ''))}\n--- client stderr ---\n{done.stderr[-2000:]}"
                f"\n--- server log ---\n{self.live.log_tail()}",
                pytrace=False,
            )
        result: dict[str, Any] = outcome["result"]
        return result


@pytest.fixture(scope="session")
def mastodon_py(client_tools: None, plaza_server: PlazaServer) -> ClientRunner:
    # cwd outside the repository and no PYTHONPATH: `import mastodon` must find Mastodon.py.
    return ClientRunner(
        plaza_server,
        "mp",
        [str(CLIENTS_PYTHON), "-I", str(MASTODON_PY_CLIENT)],
        Path(tempfile.gettempdir()),
    )


@pytest.fixture(scope="session")
def masto_js(client_tools: None, plaza_server: PlazaServer) -> ClientRunner:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (the masto.js suite needs Node 20 or later)")
    return ClientRunner(plaza_server, "js", [node, str(MASTO_JS_CLIENT)], MASTO_JS_CLIENT.parent)
