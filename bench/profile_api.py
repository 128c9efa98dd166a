"""In-process CPU cost of the Mastodon API's two benchmarked requests, against a bench database.

    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_api            # figures
    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_api --profile  # + cProfile top
    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_api --only post --text bench \
        --tasks --show-queries   # posting as the bench posts, its delivery task, the SQL

On PostgreSQL set ``PLAZA_DATABASE_URL`` too (and ``PLAZA_DATA_DIR`` to a directory with the
bench's ``bench-build.json``); wall times count the round trips there, and ``server CPU
mean`` is what the database's own processes spent per request (read from ``/proc``: it
runs on the same cores, and unlike wall time a busy machine hardly changes it).

Measures ``GET /api/v1/timelines/home?limit=40`` and ``POST /api/v1/statuses`` through the
whole Django stack (middleware, auth, view, JSON) with the test client, as the bench's
measured accounts, with ``time.process_time`` (CPU of this process only, so other work on
the machine does not change the figure) and the number of SQL queries per request. Unlike
``make bench`` it needs no server and no free cores; use it to compare changes.

It registers its own API application and tokens and posts a few hundred statuses; the bench's
between-runs reset (``bench/credentials.py``) deletes both. Better still, point it at a copy
of the bench directory (SQLite: a copy of ``plaza.sqlite3``; PostgreSQL:
``CREATE DATABASE copy TEMPLATE plaza_bench``).

``--tasks`` also measures what each post's on-commit delivery task
(``feeds.tasks.fan_out_post``: home-feed fan-out, streams, search index) costs, run in
process with ``.call_local()`` after the request — the bench's consumer runs it on the same
two cores, so it is part of what a post costs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

APP_NAME = "Plaza profile_api"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaza.settings")
    import django

    django.setup()


def _tokens(user_ids: list[int]) -> list[str]:
    from accounts.models import User
    from mastodon.actions import issue_token, register_app
    from mastodon.models import OOB_REDIRECT_URI, Application

    Application.objects.filter(name=APP_NAME).delete()
    app, _secret = register_app(
        name=APP_NAME, redirect_uris=[OOB_REDIRECT_URI], scopes="read write"
    )
    return [
        issue_token(user, app, scopes="read write")[1]
        for user in User.objects.filter(pk__in=user_ids)
    ]


TEXTS = {
    # what the bench's scenario (e) posts
    "bench": "API benchmark post {n:08x} about #bench and #python",
    # a mention, a hashtag and a link: every part of publish() has work
    "rich": "profile post {n} about #plaza with @u1 and https://example.org/{n}",
    "plain": "profile post {n}, nothing to link",
}


def _server_cpu() -> dict[int, float] | None:
    """PostgreSQL: CPU seconds used so far by each server process connected to this database
    (on this machine; the copy this script measures has no other clients), or None. Wall
    times hide it on a busy machine, yet it runs on the same cores as the server."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [row[0] for row in cursor.fetchall()]
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # not on this machine, or gone
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return used


def _measure(
    label: str,
    calls: list[Any],
    *,
    profile: bool,
    expect: int | None = 200,
    show_queries: bool = False,
) -> tuple[float, float]:
    """Run ``calls`` (each returns a response, or None); CPU ms median/mean and queries per
    call. ``show_queries``: print the SQL of the last call."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    cpu: list[float] = []
    wall: list[float] = []  # includes waits CPU time hides: disk flushes, locks
    queries: list[int] = []
    profiler = cProfile.Profile() if profile else None
    server_before = _server_cpu()
    for call in calls:
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.process_time()
            wall_start = time.perf_counter()
            if profiler:
                profiler.enable()
            response = call()
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - start) * 1000)
            wall.append((time.perf_counter() - wall_start) * 1000)
        queries.append(len(ctx.captured_queries))
        if expect is not None and response.status_code != expect:
            raise SystemExit(f"{label}: HTTP {response.status_code}: {response.content[:300]!r}")
    median = statistics.median(cpu)
    server = ""
    server_after = _server_cpu()
    if server_before is not None and server_after is not None:
        spent = sum(t - server_before.get(pid, 0.0) for pid, t in server_after.items())
        server = f"  server CPU mean {spent * 1000 / len(calls):6.2f} ms"
    print(
        f"{label:<34} n={len(cpu):<4} CPU median {median:6.2f} ms  mean "
        f"{statistics.fmean(cpu):6.2f} ms  p90 {sorted(cpu)[int(len(cpu) * 0.9)]:6.2f} ms  "
        f"wall median {statistics.median(wall):6.2f} ms  queries {min(queries)}-{max(queries)}"
        f"{server}"
    )
    if show_queries:
        for q in ctx.captured_queries:
            print(f"    {q['time']:>6} {q['sql'][:220]}")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return median, statistics.fmean(queries)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300, help="timeline pages to measure")
    parser.add_argument("--posts", type=int, default=200, help="statuses to post")
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--profile", action="store_true", help="print cProfile summaries")
    parser.add_argument("--only", choices=("home", "post"), help="measure one request only")
    parser.add_argument("--text", choices=sorted(TEXTS), default="rich", help="what to post")
    parser.add_argument(
        "--tasks", action="store_true", help="also measure each post's delivery task"
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of the last post (and task)"
    )
    args = parser.parse_args(argv)

    data_dir = os.environ.get("PLAZA_DATA_DIR", "")
    build = Path(data_dir or ".") / "bench-build.json"
    if not build.exists():
        raise SystemExit(f"no bench build in {build.parent} (set PLAZA_DATA_DIR)")
    built = json.loads(build.read_text())
    _setup()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    tokens = _tokens(built["measured_user_ids"])
    # One client (one handler, its middleware loaded once, as in a server process); the
    # token travels per request.
    client = Client()
    auth = [{"Authorization": f"Bearer {t}"} for t in tokens]
    rng = random.Random(7)

    figures: dict[str, Any] = {}
    if args.only in (None, "home"):

        def home() -> Any:
            return client.get("/api/v1/timelines/home?limit=40", headers=rng.choice(auth))

        _measure("warm-up", [home] * args.warmup, profile=False)
        cpu, queries = _measure(
            "GET /api/v1/timelines/home?limit=40", [home] * args.pages, profile=args.profile
        )
        figures["home_cpu_ms"], figures["home_queries"] = cpu, queries
    if args.only in (None, "post"):
        counter = iter(range(10**9))
        template = TEXTS[args.text]
        salt = rng.getrandbits(24) << 20  # texts differ between runs, as the bench's do
        posted: list[int] = []

        posters = auth[:20]  # as the bench's scenario (e): 20 measured accounts post

        def post() -> Any:
            n = next(counter)
            response = client.post(  # a form body, as the bench's client (httpx) sends it
                "/api/v1/statuses",
                urlencode({"status": template.format(n=salt + n)}),
                content_type="application/x-www-form-urlencoded",
                headers=posters[n % len(posters)],
            )
            if response.status_code == 200:
                posted.append(int(response.json()["id"]))
            return response

        # Each poster once first (their rows in the database's cache, as on a running server).
        _measure("warm-up", [post] * len(posters), profile=False)
        if args.tasks:
            from feeds.tasks import fan_out_post

            for post_id in posted:
                fan_out_post.call_local(post_id, index=True)
        posted.clear()
        cpu, queries = _measure(
            f"POST /api/v1/statuses ({args.text})",
            [post] * args.posts,
            profile=args.profile,
            show_queries=args.show_queries,
        )
        figures["post_cpu_ms"], figures["post_queries"] = cpu, queries
        if args.tasks:
            pending = iter(list(posted))

            def deliver() -> Any:
                fan_out_post.call_local(next(pending), index=True)

            cpu, queries = _measure(
                "  its task fan_out_post",
                [deliver] * len(posted),
                profile=args.profile,
                expect=None,
                show_queries=args.show_queries,
            )
            figures["task_cpu_ms"], figures["task_queries"] = cpu, queries
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
