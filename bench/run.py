#!/usr/bin/env python
"""``make bench``: build (or reuse) the synthetic network, start the real server, measure.

Scenarios, each bounded in request count and wall time, talking only to 127.0.0.1:

a) home feed: ``GET /?limit=40`` as measured accounts, 2 concurrent clients: p50/p99, req/s;
b) posting: ``POST /compose`` (the composer form), 2 concurrent clients: posts/s;
c) fan-out: the 20,000-follower account posts through the composer; seconds until the post
   is in every follower's home feed (the task consumer does the fan-out).

Results are printed as a table with the targets beside them and written to
``bench/results.json``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

if TYPE_CHECKING:
    from bench.build import Built, Params

TARGETS = {"home_p50_ms": 15.0, "home_p99_ms": 40.0, "fanout_s": 2.0}
DB_FILES = ("plaza.sqlite3", "plaza.sqlite3-wal", "plaza.sqlite3-shm")
TASK_FILES = ("tasks.sqlite3", "tasks.sqlite3-wal", "tasks.sqlite3-shm")
MARKER = "bench-build.json"


def bench_env(data_dir: Path) -> dict[str, str]:
    """The environment for everything the bench starts: its own data dir, SQLite, real queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAZA_")}
    env.update(PLAZA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="plaza.settings")
    return env


def migrate(data_dir: Path) -> None:
    """Create the schema in ``data_dir`` with the project's own migrations."""
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=bench_env(data_dir),
        check=True,
        timeout=600,
    )


def prepare(data_dir: Path, params: Params, *, rebuild: bool = False) -> Built:
    """Reuse the network in ``data_dir`` when it was built with ``params``; else build it."""
    from bench.build import Built, build

    marker = data_dir / MARKER
    built = None if rebuild else Built.load(marker)
    if built is not None and built.params == asdict(params) and (data_dir / DB_FILES[0]).exists():
        print(f"Reusing the network in {data_dir} (built with the same parameters).")
        return built
    print(
        f"Building the network in {data_dir}: {params.accounts:,} accounts, {params.posts:,} posts."
    )
    for name in (MARKER, *DB_FILES, *TASK_FILES):
        (data_dir / name).unlink(missing_ok=True)
    started = time.monotonic()
    migrate(data_dir)
    built = build(data_dir / DB_FILES[0], params)
    built.counts["build_seconds"] = round(time.monotonic() - started)
    built.save(marker)
    print(f"Built in {built.counts['build_seconds']} s: {built.counts}")
    return built


def reset_between_runs(data_dir: Path, built: Built) -> None:
    """Drop what earlier runs posted and queued, so every run starts from the same network."""
    from bench.build import connect
    from feeds.models import HomeFeedEntry
    from notifications.models import Notification
    from posts.models import Mention, Post, PostHashtag

    db = connect(data_dir / DB_FILES[0])
    m = built.max_post_id
    for model in (HomeFeedEntry, PostHashtag, Mention, Notification):
        db.execute(f'DELETE FROM "{model._meta.db_table}" WHERE post_id > ?', (m,))
    db.execute(f'DELETE FROM "{Post._meta.db_table}" WHERE id > ?', (m,))
    db.execute('DELETE FROM "django_session"')
    db.commit()
    db.close()
    for name in TASK_FILES:
        (data_dir / name).unlink(missing_ok=True)


def make_sessions(user_ids: list[int]) -> dict[int, str]:
    """Logged-in sessions made the way ``django.contrib.auth.login`` makes them."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    keys: dict[int, str] = {}
    for user in User.objects.filter(pk__in=user_ids):
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "accounts.backends.AccountModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        assert s.session_key is not None
        keys[user.pk] = s.session_key
    from django.db import connection

    connection.close()
    return keys


# --- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], data_dir: Path, log: str) -> subprocess.Popen[bytes]:
    out = open(data_dir / log, "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        cmd, cwd=ROOT, env=bench_env(data_dir), stdout=out, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process this script started, and its children (its own process group)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server at {base} did not become ready in {timeout:.0f} s")


# --- scenarios -------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _run_clients(
    clients: int, requests: int, max_seconds: float, one: Any
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
                ok = one(client, rng)
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


def measure_home(
    base: str, sessions: list[str], requests: int, max_seconds: float
) -> dict[str, Any]:
    def one(client: httpx.Client, rng: random.Random) -> bool:
        key = rng.choice(sessions)
        r = client.get(f"{base}/?limit=40", headers={"Cookie": f"sessionid={key}"})
        return r.status_code == 200

    _run_clients(2, min(40, requests), max_seconds, one)  # warm-up: caches, connections
    latencies, errors, wall = _run_clients(2, requests, max_seconds, one)
    if not latencies:
        return {"errors": errors}
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "requests_per_s": round(len(latencies) / wall, 1),
    }


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
    with httpx.Client(timeout=30) as c:
        tokens = {s: csrf_token(c, base, s) for s in sessions[:20]}
    pool = list(tokens)

    def one(client: httpx.Client, rng: random.Random) -> bool:
        s = rng.choice(pool)
        text = f"Benchmark post {rng.getrandbits(32):08x} about #bench and #python"
        return post(client, base, s, tokens[s], text).status_code == 302

    latencies, errors, wall = _run_clients(2, requests, max_seconds, one)
    return {
        "posts": len(latencies),
        "errors": errors,
        "posts_per_s": round(len(latencies) / wall, 1) if latencies else 0,
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1) if latencies else None,
    }


def measure_fanout(
    base: str, db_path: Path, built: Built, session: str, trials: int, max_seconds: float
) -> dict[str, Any]:
    from feeds.models import HomeFeedEntry
    from network.models import Follow
    from posts.models import Post

    db = sqlite3.connect(db_path, timeout=30)
    entries, posts = HomeFeedEntry._meta.db_table, Post._meta.db_table
    expected = (
        1
        + db.execute(
            f'SELECT COUNT(*) FROM "{Follow._meta.db_table}" WHERE target_id = ?',
            (built.celebrity_id,),
        ).fetchone()[0]
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
            post_id = db.execute(
                f'SELECT MAX(id) FROM "{posts}" WHERE author_id = ?', (built.celebrity_id,)
            ).fetchone()[0]
            delivered = 0
            while time.perf_counter() - t0 < max_seconds:
                delivered = db.execute(
                    f'SELECT COUNT(*) FROM "{entries}" WHERE post_id = ?', (post_id,)
                ).fetchone()[0]
                if delivered >= expected:
                    times.append(time.perf_counter() - t0)
                    break
                time.sleep(0.01)
            else:
                incomplete += 1
    db.close()
    return {
        "followers": expected - 1,
        "trials": trials,
        "incomplete": incomplete,
        "median_s": round(statistics.median(times), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
    }


# --- report ----------------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str]] = [("scenario", "result", "target", "")]

    def verdict(value: float | None, target: float) -> str:
        return "" if value is None else ("ok" if value <= target else "MISSED")

    for run in results["runs"]:
        w = run["workers"]
        home, posting = run["home"], run["posting"]
        p50, p99 = home.get("p50_ms"), home.get("p99_ms")
        rows += [
            (f"home GET /?limit=40 p50 ({w} worker{'s' * (w > 1)})", f"{p50} ms", "<= 15 ms",
             verdict(p50, TARGETS["home_p50_ms"])),
            (f"home GET /?limit=40 p99 ({w} worker{'s' * (w > 1)})", f"{p99} ms", "<= 40 ms",
             verdict(p99, TARGETS["home_p99_ms"])),
            (f"home throughput, 2 clients ({w}w)", f"{home.get('requests_per_s')} req/s",
             "", f"{home.get('errors', 0)} errors"),
            (f"posting POST /compose ({w}w)", f"{posting.get('posts_per_s')} posts/s", "",
             f"{posting.get('errors', 0)} errors"),
        ]  # fmt: skip
        fan = run["fanout"]
        rows.append(
            (f"fan-out to {fan['followers']:,} followers ({w}w)", f"{fan['median_s']} s (max {fan['max_s']})",
             "<= 2 s", verdict(fan["max_s"], TARGETS["fanout_s"]))
        )  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="2,000 accounts / 20,000 posts")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to measure")
    parser.add_argument("--home-requests", type=int, default=600)
    parser.add_argument("--posts", type=int, default=200, help="posts to publish in (b)")
    parser.add_argument("--fanout-trials", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=60, help="cap per scenario")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir).resolve()
    if data_dir == (ROOT / "var").resolve():
        parser.error("the bench needs its own data dir, not the app's var/")
    os.environ.update(bench_env(data_dir))
    for key in [k for k in os.environ if k.startswith("PLAZA_") and k != "PLAZA_DATA_DIR"]:
        del os.environ[key]
    import django

    django.setup()
    from bench.build import Params

    params = Params.small() if args.small else Params()
    built = prepare(data_dir, params, rebuild=args.rebuild)
    if args.build_only:
        return 0

    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "network": {"params": built.params, "counts": built.counts},
        "targets": TARGETS,
        "runs": [],
    }
    for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
        reset_between_runs(data_dir, built)
        sessions = make_sessions([*built.measured_user_ids, built.celebrity_user_id])
        measured = [sessions[u] for u in built.measured_user_ids if u in sessions]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        consumer = start([sys.executable, "manage.py", "run_huey"], data_dir, "huey.log")
        server = start(
            [sys.executable, "-m", "uvicorn", "plaza.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers), "--no-access-log",
             "--log-level", "warning"],
            data_dir, "server.log",
        )  # fmt: skip
        try:
            wait_ready(base)
            print(f"[{workers} worker(s)] home feed ...", flush=True)
            home = measure_home(base, measured, args.home_requests, args.max_seconds)
            print(f"[{workers} worker(s)] posting ...", flush=True)
            posting = measure_posting(base, measured, args.posts, args.max_seconds)
            print(f"[{workers} worker(s)] fan-out ...", flush=True)
            fanout = measure_fanout(
                base, data_dir / DB_FILES[0], built, sessions[built.celebrity_user_id],
                args.fanout_trials, min(args.max_seconds, 30),
            )  # fmt: skip
        finally:
            stop(server)
            stop(consumer)
        results["runs"].append(
            {"workers": workers, "home": home, "posting": posting, "fanout": fanout}
        )
    print()
    print(table(results))
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
