"""Search and suggestions over groups: private and secret groups never leak."""

from __future__ import annotations

import pytest

from network.actions import accept_connection, request_connection
from posts.actions import publish
from search.parse import parse
from search.queries import search_groups, search_posts
from search.suggestions import groups_you_may_like, people_you_may_know
from tests.factories import make_account

group_actions = pytest.importorskip("groups.actions")
pytestmark = pytest.mark.django_db


def ids(viewer, q: str) -> set[int]:
    return {p.pk for p in search_posts(viewer, parse(q)).posts}


def test_group_posts_in_search_follow_the_group_rules(run_tasks):
    owner, member, outsider = make_account("owner"), make_account("member"), make_account("out")
    open_group = group_actions.create_group(owner, name="Open Kayakers", handle="kayak_open")
    private = group_actions.create_group(
        owner,
        name="Private Kayakers",
        handle="kayak_priv",
        visibility="private",
        join_policy="request",
    )
    secret = group_actions.create_group(
        owner,
        name="Secret Kayakers",
        handle="kayak_secret",
        visibility="secret",
        join_policy="invite",
    )
    group_actions.invite(owner, private, member)
    group_actions.accept_invite(member, private)
    with run_tasks():
        in_open = publish(owner, text="paddle open", group=open_group)
        in_private = publish(owner, text="paddle private", group=private)
        in_secret = publish(owner, text="paddle secret", group=secret)
    assert ids(outsider, "paddle") == {in_open.pk}
    assert ids(None, "paddle") == {in_open.pk}
    assert ids(member, "paddle") == {in_open.pk, in_private.pk}
    assert ids(owner, "paddle") == {in_open.pk, in_private.pk, in_secret.pk}
    assert ids(member, "paddle in:kayak_priv") == {in_private.pk}
    assert ids(outsider, "paddle in:kayak_priv") == set()
    assert ids(outsider, "paddle in:kayak_secret") == set()
    assert ids(outsider, "in:kayak_secret") == set()
    assert ids(owner, "in:kayak_secret") == {in_secret.pk}
    assert ids(owner, "paddle in:nosuchgroup") == set()
    names = {g.handle for g in search_groups(outsider, parse("kayakers"))}
    assert names == {"kayak_open", "kayak_priv"}  # secret groups are not listed
    assert {g.handle for g in search_groups(owner, parse("kayakers"))} == {
        "kayak_open",
        "kayak_priv",
        "kayak_secret",
    }


def test_group_suggestions_and_co_members(run_tasks):
    me, friend, owner = make_account("me"), make_account("friend"), make_account("owner")
    me.interests = ["data"]
    me.save()
    with run_tasks():
        request_connection(me, friend)
        accept_connection(friend, me)
    engineers = group_actions.create_group(owner, name="Data Engineers", handle="data_eng")
    topical = group_actions.create_group(owner, name="Numbers", handle="numbers", topics=["data"])
    hidden = group_actions.create_group(
        owner, name="Hidden", handle="hidden_g", visibility="secret", join_policy="invite"
    )
    group_actions.join(friend, engineers)
    group_actions.invite(owner, hidden, friend)
    group_actions.accept_invite(friend, hidden)
    found = {s.group.handle: s.reason for s in groups_you_may_like(me, limit=10)}
    assert found["data_eng"] == "1 person you know is a member"
    assert found["numbers"] == "About #data, one of your interests"
    assert "hidden_g" not in found
    group_actions.join(me, engineers)
    from search.suggestions import forget

    forget(me)
    people = {s.account.username: s.reason for s in people_you_may_know(me, limit=10)}
    assert people["owner"] == "Member of Data Engineers"
    assert topical.pk in {s.group.pk for s in groups_you_may_like(me, limit=10)}
    assert engineers.pk not in {s.group.pk for s in groups_you_may_like(me, limit=10)}


def test_in_group_is_an_index_filter(run_tasks):
    """in:group is answered by the index (the group's token), and a post outside the group
    that merely contains the token as a word is never a group result."""
    from search.backends import PostFilter, TextQuery, backend, group_token

    owner = make_account("owner")
    group = group_actions.create_group(owner, name="Rowers", handle="rowers")
    other = group_actions.create_group(owner, name="Sailors", handle="sailors")
    with run_tasks():
        inside = publish(owner, text="oars at dawn", group=group)
        publish(owner, text="oars at noon", group=other)
        mimic = publish(owner, text=f"oars {group_token(group.pk)}")
    sql, params = backend().post_ids_sql(TextQuery(words=["oars"]), PostFilter(group_id=group.pk))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        matched = {int(r[0]) for r in cursor.fetchall()}
    assert inside.pk in matched and len(matched) <= 2  # the mimic may match the token: no more
    assert ids(owner, "oars in:rowers") == {inside.pk}
    assert ids(owner, "oars") >= {inside.pk, mimic.pk}
