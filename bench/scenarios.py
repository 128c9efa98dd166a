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
WARM_PASSES = 3


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


def _warm_each(
    keys: list[str], max_seconds: float, fetch: Callable[[httpx.Client, str], Any]
) -> None:
    """Three requests per measured account before measuring: a server that has been up for a
    while has seen its active readers (their pages' post cards and statuses are in its
    caches), and that steady state is what the targets are about, not a cold start. On the
    embedded default each worker has its own cache and the kernel picks the worker for each
    connection, so three passes leave each of 2 workers with about 7/8 of the readers."""
    pending = iter(list(keys) * WARM_PASSES)
    lock = threading.Lock()

    def one(client: httpx.Client, rng: random.Random) -> bool:
        with lock:
            key = next(pending, None)
        if key is not None:
            fetch(client, key)
        return True

    _run_clients(2, len(keys) * WARM_PASSES, max_seconds, one)


# --- (a) and (b): the web pages ----------------------------------------------------------------


def measure_home(
    base: str, sessions: list[str], requests: int, max_seconds: float
) -> dict[str, Any]:
    """``GET /?limit=40`` as random measured accounts, 2 concurrent clients."""

    def page(client: httpx.Client, key: str) -> httpx.Response:
        return client.get(f"{base}/?limit=40", headers={"Cookie": f"sessionid={key}"})

    def one(client: httpx.Client, rng: random.Random) -> bool:
        return page(client, rng.choice(sessions)).status_code == 200

    _warm_each(sessions, max_seconds, page)
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
    _warm_each(tokens, max_seconds, lambda client, token: api_home(client, base, token))
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


# --- issue 4: search, group feed, message delivery --------------------------------------------

SEARCH_WORDS = ["pipelines", "peaches", "novel", "dashboards", "meetup", "onboarding", "hiring"]
SEARCH_PHRASES = ["single origin", "landing page", "product designer", "great talks"]
SEARCH_TAGS = ["#python", "#coffee", "#marketing", "#ux", "#books"]


def search_queries(accounts: int, busy_group: str) -> list[tuple[str, str]]:
    """The mix, as ``(kind, query)``: one word, two words, a hashtag, ``from:``,
    ``in:group`` and ``has:media``, in equal shares."""
    rng = random.Random(7)
    out: list[tuple[str, str]] = []
    for _ in range(20):
        out += [
            ("one word", rng.choice(SEARCH_WORDS)),
            ("two words", rng.choice(SEARCH_PHRASES)),
            ("hashtag", rng.choice(SEARCH_TAGS)),
            ("from:", f"from:u{rng.randrange(min(accounts, 2000))} {rng.choice(SEARCH_WORDS)}"),
            ("in:group", f"in:{busy_group} {rng.choice(SEARCH_WORDS)}"),
            ("has:media", f"has:media {rng.choice(SEARCH_TAGS)}"),
        ]
    return out


def measure_search(
    base: str, sessions: list[str], queries: list[tuple[str, str]], requests: int,
    max_seconds: float,
) -> dict[str, Any]:  # fmt: skip
    """``GET /search?q=...`` (the web page, every section: people, hashtags, groups, posts)
    as random measured accounts over the query mix, 2 concurrent clients; p50/p99 overall
    and p50 per kind of query."""
    by_kind: dict[str, list[float]] = {}
    lock = threading.Lock()

    def one(client: httpx.Client, rng: random.Random) -> bool:
        kind, q = rng.choice(queries)
        t0 = time.perf_counter()
        r = client.get(
            f"{base}/search",
            params={"q": q},
            headers={"Cookie": f"sessionid={rng.choice(sessions)}"},
        )
        with lock:
            by_kind.setdefault(kind, []).append(time.perf_counter() - t0)
        return r.status_code == 200

    out = _read(one, requests, max_seconds)
    out["p50_ms_by_kind"] = {
        k: round(_percentile(v, 0.5) * 1000, 1) for k, v in sorted(by_kind.items())
    }
    return out


def measure_group_feed(
    base: str, sessions: list[str], handle: str, requests: int, max_seconds: float
) -> dict[str, Any]:
    """``GET /g/<handle>`` of the busy (private) group as random members, 2 clients."""

    def one(client: httpx.Client, rng: random.Random) -> bool:
        r = client.get(
            f"{base}/g/{handle}", headers={"Cookie": f"sessionid={rng.choice(sessions)}"}
        )
        return r.status_code == 200

    with httpx.Client(timeout=30) as c:  # a member must see posts, not a "join" page
        r = c.get(f"{base}/g/{handle}", headers={"Cookie": f"sessionid={sessions[0]}"})
        r.raise_for_status()
        posts = r.text.count('class="post')
    return {**_read(one, requests, max_seconds), "posts_on_page": posts}


class _Listener:
    """One receiver's live channel: ``GET /messages/live?conversation=<id>`` (the SSE stream
    the messages page uses), read on a thread; each ``event: message`` goes to a queue with
    the time it arrived."""

    def __init__(self, base: str, session: str, conversation_id: int) -> None:
        import queue

        self.events: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.url = f"{base}/messages/live?conversation={conversation_id}"
        self.cookie = f"sessionid={session}"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._listen()
        except httpx.HTTPError:  # the server stopped, or the stream was cut: nothing to hear
            pass
        finally:
            self.ready.set()

    def _listen(self) -> None:
        import json

        timeout = httpx.Timeout(10, read=30)
        with (
            httpx.Client(timeout=timeout) as client,
            client.stream(
                "GET", self.url, headers={"Cookie": self.cookie, "Accept": "text/event-stream"}
            ) as r,
        ):
            if r.status_code != 200:
                self.ready.set()
                return
            event = ""
            for line in r.iter_lines():
                self.ready.set()  # the first line (":)") says the subscription is open
                if self.stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "message":
                    self.events.put((time.perf_counter(), json.loads(line[5:])))


def measure_delivery(
    base: str, sessions: dict[int, str], pairs: list[list[int]], messages: int,
    max_seconds: float, listeners: int = 2,
) -> dict[str, Any]:  # fmt: skip
    """A sends a message over HTTP (``POST /messages/<id>/send``, the thread page's form);
    seconds until B's live channel announces it. Pairs take turns, one message at a time.

    Only ``listeners`` pairs are used (receivers' streams open at once): on PostgreSQL each
    open stream currently holds one of the worker's pooled connections (see the README)."""
    import queue

    pairs = pairs[:listeners]
    streams = [_Listener(base, sessions[b], c) for c, _a, b in pairs]
    for listener in streams:
        listener.ready.wait(15)
    time.sleep(0.5)  # the bus polls for new subscriptions
    latencies: list[float] = []
    errors = lost = 0
    deadline = time.monotonic() + max_seconds
    with httpx.Client(timeout=30) as client:
        tokens = {a: csrf_token(client, base, sessions[a]) for _c, a, _b in pairs}
        for n in range(messages):
            if time.monotonic() > deadline:
                break
            k = n % len(pairs)
            conversation, a, _b = pairs[k]
            listener = streams[k]
            while not listener.events.empty():  # leftovers (e.g. "read" events)
                listener.events.get_nowait()
            t0 = time.perf_counter()
            r = client.post(
                f"{base}/messages/{conversation}/send",
                data={"csrfmiddlewaretoken": tokens[a], "text": f"Bench message {n}"},
                headers={"Cookie": f"sessionid={sessions[a]}; csrftoken={tokens[a]}"},
            )
            if r.status_code != 302:
                errors += 1
                continue
            while True:
                try:
                    at, payload = listener.events.get(
                        timeout=max(0.0, t0 + 5 - time.perf_counter())
                    )
                except queue.Empty:
                    lost += 1
                    break
                if payload.get("action") == "new" and payload.get("conversation") == str(
                    conversation
                ):
                    latencies.append(at - t0)
                    break
            time.sleep(0.05)
    for listener in streams:
        listener.stop.set()
    return {
        "messages": len(latencies),
        "errors": errors,
        "lost": lost,
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1) if latencies else None,
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "listeners": len(streams),
    }
