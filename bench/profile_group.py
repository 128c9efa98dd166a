"""In-process cost of the busy group's page (``GET /g/<handle>``), for changes to compare.

The approach of ``bench/profile_home.py``: Django's WSGI handler run directly on the bench
network, as measured accounts (members of the busy private group, as in the bench's
``measure_group_feed``) with real session cookies; CPU milliseconds per page
(``time.process_time``), the queries per page, optionally a cProfile of the steady state::

    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_group
    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_group --accounts 200 --requests 400
    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_group --profile 40
    PLAZA_DATA_DIR=var/bench .venv/bin/python -m bench.profile_group --htmx   # "Load more"

Figures printed:

- ``cards cache empty``: ``--requests`` pages for random members among ``--accounts``, the
  card cache emptied before each (every card rendered) — the worst case;
- ``cards cache warm``: the same pages with every card cached;
- ``queries``: statements per page and the CPU spent executing them.

``--htmx`` measures the "Load more" partial instead (``?max_id=`` of the first page's last
post, with ``HX-Request``). The sessions it makes are deleted at the end; nothing else is
written.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from pathlib import Path

from bench.profile_home import (
    Pages,
    _clear_cards,
    _summary,
    _timed,
    report_queries_and_profile,
    setup,
)

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", default=os.environ.get("PLAZA_DATA_DIR", "var/bench"))
    parser.add_argument("--accounts", type=int, default=200, help="measured members to use")
    parser.add_argument("--requests", type=int, default=200, help="pages per pass")
    parser.add_argument("--htmx", action="store_true", help='the "Load more" partial instead')
    parser.add_argument("--profile", type=int, default=0, help="print the N top functions")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    built = setup(args.data_dir)
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    from bench.credentials import make_sessions

    extension = json.loads((Path(args.data_dir) / "bench-extension.json").read_text())
    handle = extension["busy_group_handle"]
    sessions = list(make_sessions(built["measured_user_ids"][: args.accounts]).values())
    pages = Pages(path=f"/g/{handle}")
    rng = random.Random(args.seed)
    try:
        first = pages.get(sessions[0])
        if args.htmx:
            ids = re.findall(rb'id="post-(\d+)"', first)
            pages = Pages(path=f"/g/{handle}", query=f"max_id={int(ids[-1])}", htmx=True)
        # Imports, URL resolver, template compilation, sessions into the cache: in no figure.
        for key in sessions:
            pages.get(key)
        order = [rng.choice(sessions) for _ in range(args.requests)]
        body = pages.get(sessions[0])
        group_posts = body.count(b'class="group-post')
        print(
            f"GET {pages.path}?{pages.query}{' (htmx)' if args.htmx else ''}: {len(body)} bytes, "
            f"{len(re.findall(rb'<article class=.post', body))} cards, "
            f"{group_posts} group posts"
        )
        print(
            "cards cache empty before each page: ", _summary(_timed(pages, order, clear_cards=True))
        )
        _clear_cards()
        _timed(pages, sessions)
        print("cards cache warm:                   ", _summary(_timed(pages, order)))

        report_queries_and_profile(pages, order, args.profile, "_render_detail|group_feed")
        cache.clear()  # the sessions about to be deleted
    finally:
        Session.objects.filter(session_key__in=sessions).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
