"""In-process cost of the logged-in home page (``GET /?limit=40``), for changes to compare.

Runs Django's WSGI handler directly (what ``plaza/asgi.py`` hands each page to) on the bench
network, as measured accounts with real session cookies, and reports CPU milliseconds per page
(``time.process_time``, so other load on the machine hardly matters), the queries per page and
optionally a cProfile of the steady state::

    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_home
    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_home --accounts 20 --requests 400
    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_home --profile 40

Figures printed:

- ``cards cache empty``: ``--requests`` pages over ``--accounts`` accounts at random, the card
  cache emptied before each (every card rendered) — the worst case;
- ``cards cache warm``: the same pages with every card cached;
- ``bench-like`` (``--bench-like 300``): what one of the bench's two workers serves, 300 pages
  for random measured accounts (all 200) starting from an empty cache;
- ``queries``: statements per page and the CPU spent executing them (sessions are in the cache,
  as on a running server).

The sessions it makes are deleted at the end (the bench deletes all sessions before each run
anyway). Nothing else is written.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _environ(path: str, query: str, session_key: str) -> dict[str, Any]:
    """A WSGI environ like the one a2wsgi builds for a browser's GET."""
    cookie = f"sessionid={session_key}; csrftoken=Q2hJ8pXb7yW3mZ0kR5tV9nL1sD4fG6hJ"
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "text/html",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


class Pages:
    """``GET path?query`` through the WSGI handler, as a given session (``htmx``: as htmx's
    partial requests); the home page by default. bench/profile_group.py uses it too."""

    def __init__(self, limit: int = 40, *, path: str = "/", query: str = "", htmx: bool = False):
        from django.core.wsgi import get_wsgi_application

        self.handler = get_wsgi_application()
        self.path = path
        self.query = query if path != "/" or query else f"limit={limit}"
        self.htmx = htmx

    def get(self, session_key: str) -> bytes:
        status: list[str] = []

        def start_response(s: str, headers: list[Any], exc_info: Any = None) -> Any:
            status.append(s)
            return lambda data: None

        environ = _environ(self.path, self.query, session_key)
        if self.htmx:
            environ["HTTP_HX_REQUEST"] = "true"
        body = b"".join(self.handler(environ, start_response))
        if not status or not status[0].startswith("200"):
            raise SystemExit(f"GET {self.path}?{self.query} answered {status}: {body[:300]!r}")
        return body


def setup(data_dir: str) -> dict[str, Any]:
    """Django on the bench database in ``data_dir``; the build's marker (measured accounts)."""
    os.environ["PLAZA_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaza.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    built: dict[str, Any] = json.loads((Path(data_dir) / "bench-build.json").read_text())
    return built


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _clear_cards() -> None:
    from django.conf import settings
    from django.core.cache import caches

    if "cards" in settings.CACHES:
        caches["cards"].clear()


def _timed(pages: Pages, order: list[str], *, clear_cards: bool = False) -> list[float]:
    times = []
    for key in order:
        if clear_cards:
            _clear_cards()
        start = time.process_time()
        pages.get(key)
        times.append(time.process_time() - start)
    return times


def report_queries_and_profile(
    pages: Pages, order: list[str], profile: int, callees: str = ""
) -> None:
    """Statements per page and the CPU spent executing them; with ``profile``, the top
    functions by CPU time over ``order`` (and, with ``callees``, what those functions call)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query_times: list[float] = []

    def timed_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            query_times.append(time.process_time() - start)

    with connection.execute_wrapper(timed_query):
        _timed(pages, order[:50])
    with CaptureQueriesContext(connection) as queries:
        pages.get(order[0])
    print(
        f"queries per page: {len(queries.captured_queries)}, "
        f"{_ms(sum(query_times) / len(order[:50]))} ms CPU in cursor.execute per page"
    )
    for query in queries.captured_queries:
        print("   ", query["sql"][:150])
    if not profile:
        return
    # CPU time, as the figures above (waiting on the database is not charged).
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    _timed(pages, order)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(profile)
    stats.sort_stats("tottime").print_stats(profile)
    if callees:
        stats.sort_stats("cumulative").print_callees(callees)
    print(out.getvalue())


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    return (
        f"mean {_ms(statistics.mean(times))} ms CPU, median {_ms(statistics.median(times))}, "
        f"p90 {_ms(ordered[int(len(ordered) * 0.9)])} ({len(times)} pages)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", default=os.environ.get("PLAZA_DATA_DIR", "var/bench"))
    parser.add_argument("--accounts", type=int, default=10, help="accounts for miss/hit passes")
    parser.add_argument("--requests", type=int, default=200, help="pages per pass")
    parser.add_argument(
        "--bench-like",
        type=int,
        default=0,
        metavar="N",
        help="also N pages over all measured accounts from an empty cache (one bench worker)",
    )
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--profile", type=int, default=0, help="print the N top functions")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after the warm-up, as plaza.serve does in each worker",
    )
    args = parser.parse_args(argv)

    built = setup(args.data_dir)
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    from bench.credentials import make_sessions

    count = max(args.accounts, args.bench_like and len(built["measured_user_ids"]))
    all_sessions = list(make_sessions(built["measured_user_ids"][:count]).values())
    sessions = all_sessions[: args.accounts]
    pages = Pages(args.limit)
    rng = random.Random(args.seed)
    try:
        # Imports, URL resolver, template compilation, sessions into the cache: in no figure.
        for key in all_sessions:
            pages.get(key)
        order = [rng.choice(sessions) for _ in range(args.requests)]
        if args.gc_freeze:
            import gc

            gc.collect()
            gc.freeze()
        print(f"GET /?limit={args.limit}, {len(pages.get(sessions[0]))} bytes of HTML")
        print(
            "cards cache empty before each page: ", _summary(_timed(pages, order, clear_cards=True))
        )
        _clear_cards()
        _timed(pages, sessions)
        print("cards cache warm:                   ", _summary(_timed(pages, order)))
        if args.bench_like:
            _clear_cards()
            bench_order = [rng.choice(all_sessions) for _ in range(args.bench_like)]
            print(
                f"bench-like, {len(all_sessions)} accounts from empty:",
                _summary(_timed(pages, bench_order)),
            )

        report_queries_and_profile(pages, order, args.profile)
        cache.clear()  # the sessions about to be deleted
    finally:
        Session.objects.filter(session_key__in=all_sessions).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
