"""The measured scenarios: HTTP clients against a running server on 127.0.0.1.

Every loop is bounded by a request count and a time cap. ``_run_clients`` runs one request
function from N threads (each with its own keep-alive ``httpx.Client``) and returns the
latencies of the successful ones, the error count and the wall time.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from bench.build import Built

OneRequest = Callable[[httpx.Client, random.Random], bool]


class Probe:
    """A plain connection to the measured database (for fan-out polling), SQLite or PostgreSQL;
    SQL is written with ``?`` placeholders."""

    def __init__(self, sqlite_path: Path | None = None, url: str | None = None) -> None:
        self.pg = url is not None
        if url is not None:
            import psycopg

            self.db: Any = psycopg.connect(url, autocommit=True)
        else:
            self.db = sqlite3.connect(sqlite_path or ":memory:", timeout=30)

    def one(self, sql: str, *args: Any) -> Any:
        if self.pg:
            sql = sql.replace("?", "%s")
        row = self.db.execute(sql, args).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _run_clients(
    clients: int, requests: int, max_seconds: float, one: OneRequest
) -> tuple[list[float], int, float]:
    """Run ``one(client, rng)`` (returns True on success) from ``clients`` threads, at most
    ``requests`` times in all and for at most ``max_seconds``."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    budget = iter(range(requests))
    deadline = time.monotonic() + max_seconds

    def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    if next(budget, None) is None:
                        return
                t0 = time.perf_counter()
                try:
                    ok = one(client, rng)
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - t0
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max_seconds + 60)
    return latencies, errors, time.perf_counter() - started


def _latency_summary(latencies: list[float], errors: int, wall: float) -> dict[str, Any]:
    if not latencies:
        return {"requests": 0, "errors": errors}
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "requests_per_s": round(len(latencies) / wall, 1),
    }


def _rate_summary(latencies: list[float], errors: int, wall: float) -> dict[str, Any]:
    return {
        "posts": len(latencies),
        "errors": errors,
        "posts_per_s": round(len(latencies) / wall, 1) if latencies else 0,
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1) if latencies else None,
    }


def _read(one: OneRequest, requests: int, max_seconds: float) -> dict[str, Any]:
    """40 warm-up requests (caches, connections), then the measured ones; 2 clients."""
    _run_clients(2, min(40, requests), max_seconds, one)
    return _latency_summary(*_run_clients(2, requests, max_seconds, one))


# --- (a) and (b): the web pages ----------------------------------------------------------------


def measure_home(
    base: str, sessions: list[str], requests: int, max_seconds: float
) -> dict[str, Any]:
    """``GET /?limit=40`` as random measured accounts, 2 concurrent clients."""

    def one(client: httpx.Client, rng: random.Random) -> bool:
        key = rng.choice(sessions)
        r = client.get(f"{base}/?limit=40", headers={"Cookie": f"sessionid={key}"})
        return r.status_code == 200

    return _read(one, requests, max_seconds)


def csrf_token(client: httpx.Client, base: str, session: str) -> str:
    r = client.get(f"{base}/compose", headers={"Cookie": f"sessionid={session}"})
    r.raise_for_status()
    token = r.cookies.get("csrftoken")
    if not token:
        raise RuntimeError("GET /compose set no csrftoken cookie")
    return token


def post(client: httpx.Client, base: str, session: str, token: str, text: str) -> httpx.Response:
    return client.post(
        f"{base}/compose",
        data={"csrfmiddlewaretoken": token, "text": text, "visibility": "public"},
        headers={"Cookie": f"sessionid={session}; csrftoken={token}"},
    )


def measure_posting(
    base: str, sessions: list[str], requests: int, max_seconds: float
) -> dict[str, Any]:
    """``POST /compose`` as 20 measured accounts, 2 concurrent clients; a 302 is a success."""
    with httpx.Client(timeout=30) as c:
        tokens = {s: csrf_token(c, base, s) for s in sessions[:20]}
    pool = list(tokens)

    def one(client: httpx.Client, rng: random.Random) -> bool:
        s = rng.choice(pool)
        text = f"Benchmark post {rng.getrandbits(32):08x} about #bench and #python"
        return post(client, base, s, tokens[s], text).status_code == 302

    return _rate_summary(*_run_clients(2, requests, max_seconds, one))


# --- (d) and (e): the Mastodon API -------------------------------------------------------------


def api_home(client: httpx.Client, base: str, token: str) -> httpx.Response:
    return client.get(
        f"{base}/api/v1/timelines/home",
        params={"limit": 40},
        headers={"Authorization": f"Bearer {token}"},
    )


def api_post(client: httpx.Client, base: str, token: str, text: str) -> httpx.Response:
    return client.post(
        f"{base}/api/v1/statuses",
        data={"status": text},
        headers={"Authorization": f"Bearer {token}"},
    )


def measure_api_home(
    base: str, tokens: list[str], requests: int, max_seconds: float
) -> dict[str, Any]:
    """``GET /api/v1/timelines/home?limit=40`` with random measured accounts' tokens,
    2 concurrent clients."""

    def one(client: httpx.Client, rng: random.Random) -> bool:
        return api_home(client, base, rng.choice(tokens)).status_code == 200

    with httpx.Client(timeout=30) as c:  # what a page holds, so an empty one is noticed
        first = api_home(c, base, tokens[0])
        first.raise_for_status()
    return {**_read(one, requests, max_seconds), "page_size": len(first.json())}


def measure_api_posting(
    base: str, tokens: list[str], requests: int, max_seconds: float
) -> dict[str, Any]:
    """``POST /api/v1/statuses`` (form body ``status=...``) as 20 measured accounts,
    2 concurrent clients; a 200 is a success."""
    pool = tokens[:20]

    def one(client: httpx.Client, rng: random.Random) -> bool:
        text = f"API benchmark post {rng.getrandbits(32):08x} about #bench and #python"
        return api_post(client, base, rng.choice(pool), text).status_code == 200

    return _rate_summary(*_run_clients(2, requests, max_seconds, one))


# --- (c): fan-out ------------------------------------------------------------------------------


def measure_fanout(
    base: str, probe: Probe, built: Built, session: str, trials: int, max_seconds: float
) -> dict[str, Any]:
    """The celebrity posts through ``/compose``; seconds from sending the POST until the post
    is in every follower's home feed (polling ``HomeFeedEntry`` every 10 ms)."""
    from feeds.models import HomeFeedEntry
    from network.models import Follow
    from posts.models import Post

    entries, posts = HomeFeedEntry._meta.db_table, Post._meta.db_table
    follows = Follow._meta.db_table
    expected = 1 + probe.one(
        f'SELECT COUNT(*) FROM "{follows}" WHERE target_id = ?', built.celebrity_id
    )
    times: list[float] = []
    incomplete = 0
    with httpx.Client(timeout=30) as client:
        token = csrf_token(client, base, session)
        for n in range(trials):
            time.sleep(1.0)  # let the consumer go idle, as between real posts
            t0 = time.perf_counter()
            r = post(client, base, session, token, f"Big announcement number {n} #launch")
            if r.status_code != 302:
                incomplete += 1
                continue
            post_id = probe.one(
                f'SELECT MAX(id) FROM "{posts}" WHERE author_id = ?', built.celebrity_id
            )
            while time.perf_counter() - t0 < max_seconds:
                delivered = probe.one(
                    f'SELECT COUNT(*) FROM "{entries}" WHERE post_id = ?', post_id
                )
                if delivered >= expected:
                    times.append(time.perf_counter() - t0)
                    break
                time.sleep(0.01)
            else:
                incomplete += 1
    return {
        "followers": expected - 1,
        "trials": trials,
        "incomplete": incomplete,
        "median_s": round(statistics.median(times), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
    }
