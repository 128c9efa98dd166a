"""Search statements compiled once per shape (search.compiled): later calls for other viewers,
groups and names get their own results, never the first caller's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from network.actions import block, mute
from network.models import Mute
from posts.actions import publish
from search import compiled
from search.parse import parse
from search.queries import search_groups, search_people, search_posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db
group_actions = pytest.importorskip("groups.actions")


@pytest.fixture(autouse=True)
def _fresh_statements():
    compiled._COMPILED.clear()
    yield
    compiled._COMPILED.clear()


def ids(viewer, q: str, **kw) -> list[int]:
    return [p.pk for p in search_posts(viewer, parse(q), **kw).posts]


def test_statements_are_reused_with_each_callers_values(run_tasks):
    ana, bo, cy = make_account("ana"), make_account("bobby"), make_account("cy")
    with run_tasks():
        post = publish(bo, text="otters at dawn")
        block(cy, bo)
    for order in ("relevance", "recent"):
        assert ids(ana, "otters", order=order) == [post.pk]  # compiles
        assert ids(cy, "otters", order=order) == []  # reused: cy's blocks, not ana's
        assert ids(bo, "otters", order=order) == [post.pk]
    assert [a.username for a in search_people(ana, parse("bobby")).accounts] == ["bobby"]
    assert search_people(cy, parse("bobby")).accounts == []
    assert [a.username for a in search_people(ana, parse("ana")).accounts] == ["ana"]
    # Every shape the page uses was compiled (none fell back to building each time).
    shapes = {key[1]: value for key, value in compiled._COMPILED.items()}
    assert {"relevant", "recent", "people"} <= set(shapes)
    assert [k for k, v in compiled._COMPILED.items() if v is None] == []


def test_expired_mutes_stop_hiding_after_the_statement_is_compiled(run_tasks):
    ana, bo = make_account("ana"), make_account("bo")
    with run_tasks():
        post = publish(bo, text="herons again")
        mute(ana, bo, duration=3600)
    assert ids(ana, "herons") == []  # compiled while the mute is in force
    Mute.all_objects.filter(account=ana).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert ids(ana, "herons") == [post.pk]  # "now" is the call's, not the compile's


def test_secret_groups_stay_secret_across_viewers(run_tasks):
    owner, outsider = make_account("owner"), make_account("outsider")
    secret = group_actions.create_group(
        owner, name="Quiet Kestrels", handle="kestrels", visibility="secret", join_policy="invite"
    )
    with run_tasks():
        post = publish(owner, text="kestrel minutes", group=secret)
    assert ids(owner, "in:kestrels kestrel") == [post.pk]
    assert ids(owner, "in:kestrels") == [post.pk]
    assert ids(outsider, "in:kestrels kestrel") == []
    assert ids(outsider, "in:kestrels") == []
    assert ids(None, "in:kestrels") == []
    assert [g.handle for g in search_groups(owner, parse("kestrels"))] == ["kestrels"]
    assert search_groups(outsider, parse("kestrels")) == []
