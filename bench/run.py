#!/usr/bin/env python
"""``make bench``: build (or reuse) the synthetic network, start the real server, measure.

On SQLite and, when PostgreSQL server binaries are installed, on PostgreSQL (``--db``).
Scenarios, each bounded in request count and wall time, talking only to 127.0.0.1:

a) home feed: ``GET /?limit=40`` as measured accounts, 2 concurrent clients: p50/p99, req/s;
b) posting: ``POST /compose`` (the composer form), 2 concurrent clients: posts/s;
c) fan-out: the 20,000-follower account posts through the composer; seconds until the post
   is in every follower's home feed (the task consumer does the fan-out);
d) API home timeline: ``GET /api/v1/timelines/home?limit=40`` with OAuth tokens, 2 clients;
e) API posting: ``POST /api/v1/statuses`` (form body), 2 concurrent clients: posts/s;
f) search: ``GET /search?q=...`` over a mix (one word, two words, a hashtag, from:, in:group,
   has:media) as measured accounts, 2 clients: p50/p99;
g) group feed: ``GET /g/<handle>`` of the busy private group as members, 2 clients: p50/p99;
h) message delivery: A sends over HTTP, B's live channel (SSE) hears it: p50/p99.

Scenarios f-h run on the issue-4 extension (groups, messages, media, search index), built
once on top of the base network with its own marker (:mod:`bench.extension`).

Results are printed as a table (one section per database) with the targets beside them and
written to ``bench/results.json``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

if TYPE_CHECKING:
    from bench.build import Built, Params
    from bench.extension import Extended

TARGETS = {
    "home_p50_ms": 15.0,
    "home_p99_ms": 40.0,
    "fanout_s": 2.0,
    "api_home_p50_ms": 15.0,
    "api_home_p99_ms": 40.0,
    "api_posts_per_s": 150.0,
    "search_p50_ms": 50.0,
    "search_p99_ms": 150.0,
    "group_feed_p50_ms": 15.0,
    "delivery_p99_s": 1.0,
}
DB_FILES = ("plaza.sqlite3", "plaza.sqlite3-wal", "plaza.sqlite3-shm")
TASK_FILES = ("tasks.sqlite3", "tasks.sqlite3-wal", "tasks.sqlite3-shm")
MARKER = "bench-build.json"
DB_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def bench_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment for everything the bench starts: its own data dir, SQLite unless a
    ``database_url`` is given, the real task queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAZA_")}
    env.update(PLAZA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="plaza.settings")
    if database_url:
        env["PLAZA_DATABASE_URL"] = database_url
    return env


@dataclass
class Target:
    """One database the bench measures: its data dir (SQLite file or, for PostgreSQL, the
    task queue and logs), its URL (PostgreSQL only) and the network built in it."""

    db: str  # "sqlite" | "postgres"
    data_dir: Path
    built: Built
    url: str | None = None
    notes: list[str] = field(default_factory=list)
    ext: Extended | None = None

    @property
    def env(self) -> dict[str, str]:
        return bench_env(self.data_dir, self.url)


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
        migrate(data_dir)  # tables added since the build (new apps' migrations)
        with sqlite3.connect(data_dir / DB_FILES[0]) as db:
            db.execute("ANALYZE")  # statistics for what the migrations added
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


# --- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], target: Target, log: str) -> subprocess.Popen[bytes]:
    out = open(target.data_dir / log, "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        cmd, cwd=ROOT, env=target.env, stdout=out, stderr=subprocess.STDOUT,
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


# --- one run ---------------------------------------------------------------------------------


def credentials(target: Target, user_ids: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """Reset what earlier runs left, then sessions and API tokens for ``user_ids``, made in a
    subprocess with the target's environment (``bench/credentials.py``)."""
    args = json.dumps(
        {
            "max_post_id": target.built.max_post_id,
            "max_message_id": target.ext.max_message_id if target.ext else None,
            "user_ids": user_ids,
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench.credentials", args],
        cwd=ROOT, env=target.env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"bench/credentials.py failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return (
        {int(k): v for k, v in data["sessions"].items()},
        {int(k): v for k, v in data["tokens"].items()},
    )


def run_once(target: Target, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    """Start the server and the consumer on ``target`` and measure every scenario."""
    from bench import scenarios as sc

    built = target.built
    load_before = round(os.getloadavg()[0], 2)
    for name in TASK_FILES:
        (target.data_dir / name).unlink(missing_ok=True)
    sessions, tokens = credentials(target, [*built.measured_user_ids, built.celebrity_user_id])
    measured = [sessions[u] for u in built.measured_user_ids if u in sessions]
    api_tokens = [tokens[u] for u in built.measured_user_ids if u in tokens]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    consumer = start([sys.executable, "manage.py", "run_huey"], target, "huey.log")
    server = start(
        [sys.executable, "-m", "plaza.serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
        target, "server.log",
    )  # fmt: skip
    probe = sc.Probe(target.data_dir / DB_FILES[0] if target.url is None else None, target.url)
    label = f"[{DB_LABELS[target.db]}, {workers} worker(s)]"
    cap = args.max_seconds
    try:
        wait_ready(base)
        print(f"{label} home page ...", flush=True)
        home = sc.measure_home(base, measured, args.home_requests, cap)
        print(f"{label} API home timeline ...", flush=True)
        api_home = sc.measure_api_home(base, api_tokens, args.home_requests, cap)
        issue4: dict[str, Any] = {}
        if target.ext is not None:
            ext = target.ext
            print(f"{label} search ...", flush=True)
            queries = sc.search_queries(built.params["accounts"], ext.busy_group_handle)
            issue4["search"] = sc.measure_search(base, measured, queries, args.search_requests, cap)
            print(f"{label} group feed ...", flush=True)
            issue4["group_feed"] = sc.measure_group_feed(
                base, measured, ext.busy_group_handle, args.home_requests, cap
            )
        print(f"{label} posting via /compose ...", flush=True)
        posting = sc.measure_posting(base, measured, args.posts, cap)
        print(f"{label} posting via the API ...", flush=True)
        api_posting = sc.measure_api_posting(base, api_tokens, args.posts, cap)
        if target.ext is not None:
            print(f"{label} message delivery ...", flush=True)
            issue4["delivery"] = sc.measure_delivery(
                base, sessions, target.ext.pairs, args.messages, cap,
                getattr(args, "listeners", 2),
            )  # fmt: skip
        print(f"{label} fan-out ...", flush=True)
        fanout = sc.measure_fanout(
            base, probe, built, sessions[built.celebrity_user_id], args.fanout_trials,
            min(cap, 30),
        )  # fmt: skip
    finally:
        probe.close()
        stop(server)
        stop(consumer)
    return {
        "workers": workers,
        "load_before": load_before,  # 1-minute load average: other work on the machine shows
        "load_after": round(os.getloadavg()[0], 2),
        "home": home,
        "posting": posting,
        "fanout": fanout,
        "api_home": api_home,
        "api_posting": api_posting,
        **issue4,
    }


# --- report ----------------------------------------------------------------------------------


def _verdict(value: float | None, target: float, *, at_least: bool = False) -> str:
    if value is None:
        return ""
    return "ok" if (value >= target if at_least else value <= target) else "MISSED"


def _rows(run: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    w = run["workers"]
    tag = f"({w} worker{'s' * (w > 1)})"
    home, posting, fan = run["home"], run["posting"], run["fanout"]
    rows = [
        (f"home page GET /?limit=40 p50 {tag}", f"{home.get('p50_ms')} ms", "<= 15 ms",
         _verdict(home.get("p50_ms"), TARGETS["home_p50_ms"])),
        (f"home page GET /?limit=40 p99 {tag}", f"{home.get('p99_ms')} ms", "<= 40 ms",
         _verdict(home.get("p99_ms"), TARGETS["home_p99_ms"])),
        (f"home page throughput, 2 clients {tag}", f"{home.get('requests_per_s')} req/s", "",
         f"{home.get('errors', 0)} errors"),
    ]  # fmt: skip
    api = run.get("api_home")
    if api is not None:
        rows += [
            (f"API GET /api/v1/timelines/home?limit=40 p50 {tag}", f"{api.get('p50_ms')} ms",
             "<= 15 ms", _verdict(api.get("p50_ms"), TARGETS["api_home_p50_ms"])),
            (f"API GET /api/v1/timelines/home?limit=40 p99 {tag}", f"{api.get('p99_ms')} ms",
             "<= 40 ms", _verdict(api.get("p99_ms"), TARGETS["api_home_p99_ms"])),
            (f"API home throughput, 2 clients {tag}", f"{api.get('requests_per_s')} req/s", "",
             f"{api.get('errors', 0)} errors"),
        ]  # fmt: skip
    rows.append(
        (f"posting POST /compose, 2 clients {tag}", f"{posting.get('posts_per_s')} posts/s", "",
         f"{posting.get('errors', 0)} errors")
    )  # fmt: skip
    api_posting = run.get("api_posting")
    if api_posting is not None:
        rate = api_posting.get("posts_per_s")
        rows.append(
            (f"API POST /api/v1/statuses, 2 clients {tag}", f"{rate} posts/s", ">= 150 posts/s",
             " ".join(filter(None, [_verdict(rate, TARGETS["api_posts_per_s"], at_least=True),
                                    f"{api_posting.get('errors', 0)} errors"])))
        )  # fmt: skip
    rows += _issue4_rows(run, tag)
    rows.append(
        (f"fan-out to {fan['followers']:,} followers {tag}",
         f"{fan['median_s']} s (max {fan['max_s']})", "<= 2 s",
         _verdict(fan["max_s"], TARGETS["fanout_s"]))
    )  # fmt: skip
    return rows


def _issue4_rows(run: dict[str, Any], tag: str) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    search, group, delivery = run.get("search"), run.get("group_feed"), run.get("delivery")
    if search is not None:
        kinds = ", ".join(f"{k} {v}" for k, v in search.get("p50_ms_by_kind", {}).items())
        rows += [
            (f"search GET /search (mix) p50 {tag}", f"{search.get('p50_ms')} ms", "<= 50 ms",
             _verdict(search.get("p50_ms"), TARGETS["search_p50_ms"])),
            (f"search GET /search (mix) p99 {tag}", f"{search.get('p99_ms')} ms", "<= 150 ms",
             _verdict(search.get("p99_ms"), TARGETS["search_p99_ms"])),
            (f"search p50 by query kind (ms) {tag}", kinds, "",
             f"{search.get('errors', 0)} errors"),
        ]  # fmt: skip
    if group is not None:
        rows += [
            (f"group feed GET /g/<busy> p50 {tag}", f"{group.get('p50_ms')} ms", "<= 15 ms",
             _verdict(group.get("p50_ms"), TARGETS["group_feed_p50_ms"])),
            (f"group feed GET /g/<busy> p99 {tag}", f"{group.get('p99_ms')} ms", "",
             f"{group.get('errors', 0)} errors"),
        ]  # fmt: skip
    if delivery is not None:
        p99 = delivery.get("p99_ms")
        rows.append(
            (f"message to live channel (SSE), {delivery.get('messages')} msgs p50/p99 {tag}",
             f"{delivery.get('p50_ms')} / {p99} ms", "p99 <= 1 s",
             " ".join(filter(None, [
                 _verdict(p99 / 1000 if p99 is not None else None, TARGETS["delivery_p99_s"]),
                 f"{delivery.get('errors', 0)} errors, {delivery.get('lost', 0)} lost"])))
        )  # fmt: skip
    return rows


def table(results: dict[str, Any]) -> str:
    """The printed report: one section per database, figures with their targets."""
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    for db, section in results["databases"].items():
        p = section["network"]["params"]
        title = f"{DB_LABELS.get(db, db)}: {p['accounts']:,} accounts, {p['posts']:,} posts"
        rows = [row for run in section["runs"] for row in _rows(run)]
        sections.append((title + "".join(f"; {n}" for n in section.get("notes", [])), rows))
    header = ("scenario", "result", "target", "")
    every = [header] + [r for _, rows in sections for r in rows]
    widths = [max(len(r[i]) for r in every) for i in range(4)]

    def line(r: tuple[str, str, str, str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()

    out: list[str] = []
    for title, rows in sections:
        out += [title, line(header), "  ".join("-" * w for w in widths)]
        out += [line(r) for r in rows] + [""]
    return "\n".join(out).rstrip()


# --- main ------------------------------------------------------------------------------------


def choose_databases(requested: str | None) -> tuple[list[str], list[str]]:
    """The databases to measure and notes to print: both when PostgreSQL binaries exist."""
    from bench import pg

    if requested:
        dbs = [d.strip() for d in requested.split(",") if d.strip()]
        unknown = set(dbs) - set(DB_LABELS)
        if unknown:
            raise SystemExit(f"--db: unknown database(s) {', '.join(sorted(unknown))}")
        if "postgres" in dbs and pg.binaries() is None and os.geteuid() != 0:
            raise SystemExit("--db postgres: PostgreSQL server binaries are not installed")
        return dbs, []
    if pg.binaries() is None:
        return ["sqlite"], [
            "PostgreSQL server binaries not found: measuring SQLite only "
            "(install postgresql, or pass --db postgres as root to let scripts/start-postgres.sh do it)."
        ]
    return ["sqlite", "postgres"], []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="2,000 accounts / 20,000 posts")
    parser.add_argument(
        "--db", default=None,
        help="databases to measure: sqlite,postgres (default: both when PostgreSQL is installed)",
    )  # fmt: skip
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument(
        "--pg-dir", default=None,
        help="the bench's PostgreSQL cluster (default: /tmp/plaza-bench-pg)",
    )  # fmt: skip
    parser.add_argument("--pg-port", type=int, default=55433)
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to measure")
    parser.add_argument("--home-requests", type=int, default=600)
    parser.add_argument("--posts", type=int, default=200, help="posts to publish in (b), (e)")
    parser.add_argument("--fanout-trials", type=int, default=3)
    parser.add_argument("--search-requests", type=int, default=300, help="for (f)")
    parser.add_argument("--messages", type=int, default=100, help="for (h)")
    parser.add_argument(
        "--listeners", type=int, default=2, help="live channels open at once in (h)"
    )
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

    django.setup()  # for the models' table and column names; the bench never uses the ORM
    from bench import extension, pg
    from bench.build import Params

    dbs, notes = choose_databases(args.db)
    for note in notes:
        print(f"Note: {note}")
    params = Params.small() if args.small else Params()
    ext_params = extension.ExtParams.small() if args.small else extension.ExtParams()
    targets: list[Target] = []
    cluster_dir = Path(args.pg_dir or "/tmp/plaza-bench-pg").resolve()
    started_cluster = False
    try:
        for db in dbs:
            if db == "sqlite":
                built = prepare(data_dir, params, rebuild=args.rebuild)
                ext = extension.prepare_sqlite(data_dir / DB_FILES[0], built, ext_params)
                targets.append(Target("sqlite", data_dir, built, ext=ext))
                continue
            started_cluster = not pg.is_running(cluster_dir)
            url = pg.start_cluster(cluster_dir, args.pg_port)
            pg_data = data_dir / "postgres"
            pg_data.mkdir(parents=True, exist_ok=True)
            built = pg.prepare(url, bench_env(pg_data, url), params, rebuild=args.rebuild)
            ext = extension.prepare_pg(url, built, ext_params)
            targets.append(Target("postgres", pg_data, built, url, ext=ext))
        if args.build_only:
            return 0
        results: dict[str, Any] = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "targets": TARGETS,
            "notes": notes,
            "databases": {},
        }
        for target in targets:
            runs = [run_once(target, int(w), args) for w in args.workers.split(",") if w.strip()]
            results["databases"][target.db] = {
                "network": {
                    "params": target.built.params,
                    "counts": target.built.counts,
                    "extension": (
                        {"params": target.ext.params, "counts": target.ext.counts}
                        if target.ext
                        else None
                    ),
                },
                "notes": target.notes,
                "runs": runs,
            }
    finally:
        if started_cluster:
            pg.stop_cluster(cluster_dir)
    print()
    print(table(results))
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
