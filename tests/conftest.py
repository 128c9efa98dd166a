"""Suite-wide fixtures: isolated data dir, outbound network blocked, task helpers."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    # Only loopback and Unix sockets: the suite must never reach the internet.
    if isinstance(address, tuple):
        host = str(address[0])
        if not (host.startswith("127.") or host in ("::1", "localhost", "0.0.0.0")):
            raise RuntimeError(f"outbound network blocked in tests: {address!r}")
    return _real_connect(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root
    yield root


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The cache (trending tags, suggestions) would otherwise outlive each test's database.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def run_tasks(
    django_capture_on_commit_callbacks: Callable[
        ..., AbstractContextManager[list[Callable[[], Any]]]
    ],
) -> Callable[[], AbstractContextManager[list[Callable[[], Any]]]]:
    """``with run_tasks(): ...`` runs the on-commit hooks (and so the tasks) the block queued.

    Tests run inside a transaction that never commits, so ``transaction.on_commit`` hooks —
    which is how actions enqueue tasks — would never fire. Huey runs in immediate mode in
    tests, so executing the hooks runs the tasks for real, in order.
    """

    def _run() -> AbstractContextManager[list[Callable[[], Any]]]:
        return django_capture_on_commit_callbacks(execute=True)

    return _run


def pytest_configure(config: pytest.Config) -> None:
    tempfile.tempdir = None
