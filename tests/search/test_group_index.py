"""Groups in the full-text index: kept in step with saves and deletes, rebuilt, ranked by
text and size, and found only by the people who may know they exist (both databases)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from network.actions import block
from search import index
from search.backends import TextQuery, backend
from search.parse import parse
from search.queries import search_groups
from tests.factories import make_account

group_actions = pytest.importorskip("groups.actions")
pytestmark = pytest.mark.django_db


def handles(viewer, q: str, **kw) -> list[str]:
    return [g.handle for g in search_groups(viewer, parse(q), **kw)]


def make_groups(owner):
    open_g = group_actions.create_group(
        owner,
        name="Harbour Rowers",
        handle="rowers_open",
        description="Early morning sculling on the estuary",
        topics=["rowing", "outdoors"],
    )
    private = group_actions.create_group(
        owner,
        name="Harbour Rowers Crew",
        handle="rowers_crew",
        description="The racing crew",
        visibility="private",
        join_policy="request",
    )
    secret = group_actions.create_group(
        owner,
        name="Harbour Rowers Council",
        handle="rowers_council",
        description="Club committee",
        visibility="secret",
        join_policy="invite",
    )
    return open_g, private, secret


def test_groups_are_indexed_on_save_and_removed_on_delete():
    owner = make_account("owner")
    group = group_actions.create_group(
        owner, name="Sourdough Bakers", handle="bakers", description="Wild yeast and patience"
    )
    assert handles(owner, "sourdough") == ["bakers"]
    assert handles(owner, "yeast") == ["bakers"]  # description
    assert handles(owner, "bake") == ["bakers"]  # the last word is a prefix (type-ahead)
    assert handles(owner, "bakers") == ["bakers"]  # handle
    group_actions.update_group(owner, group, name="Rye Bakers", topics=["bread"])
    assert handles(owner, "sourdough") == []
    assert handles(owner, "rye") == ["bakers"]
    assert handles(owner, "#bread") == ["bakers"]  # topic tags
    group_actions.delete_group(owner, group)
    assert backend().match_groups(TextQuery(words=["rye"]), limit=10) == []


def test_topics_are_one_word_like_hashtags():
    owner = make_account("owner")
    group_actions.create_group(owner, name="Pipes", handle="pipes", topics=["data_eng"])
    assert handles(owner, "#data_eng") == ["pipes"]
    assert handles(owner, "#dataeng") == ["pipes"]


def test_rebuild_restores_groups():
    owner = make_account("owner")
    group_actions.create_group(owner, name="Chess Club", handle="chess")
    backend().clear()
    assert handles(owner, "chess") == []
    counts = index.rebuild()
    assert counts["groups"] == 1
    assert handles(owner, "chess") == ["chess"]
    backend().clear()
    call_command("rebuild_search_index", "--no-progress", verbosity=0)
    assert handles(owner, "chess") == ["chess"]


def test_ranking_text_first_then_member_count():
    owner = make_account("owner")
    small = group_actions.create_group(owner, name="Birding", handle="birding_small")
    big = group_actions.create_group(owner, name="Birding Folk", handle="birding_big")
    for i in range(5):
        group_actions.join(make_account(f"m{i}"), big)
    # Same word in both names: the bigger group first.
    assert handles(owner, "birding") == ["birding_big", "birding_small"]
    # A description-only match ranks under a name match, whatever the size.
    group_actions.update_group(owner, small, name="Owls", description="birding at dusk")
    group_actions.update_group(owner, big, name="Birding birding", description="")
    assert handles(owner, "birding")[0] == "birding_big"
    assert handles(owner, "birding", limit=1, offset=1) == ["birding_small"]


def test_private_groups_are_listed_secret_groups_only_for_members():
    owner, member, outsider = make_account("owner"), make_account("member"), make_account("out")
    _open, _private, secret = make_groups(owner)
    assert set(handles(outsider, "harbour")) == {"rowers_open", "rowers_crew"}
    assert set(handles(None, "harbour")) == {"rowers_open", "rowers_crew"}
    assert handles(outsider, "council") == []
    assert handles(outsider, "committee") == []
    assert handles(None, "council") == []
    # Invited is not enough to find a secret group by search.
    group_actions.invite(owner, secret, member)
    assert handles(member, "council") == []
    group_actions.accept_invite(member, secret)
    assert handles(member, "council") == ["rowers_council"]
    assert set(handles(owner, "harbour")) == {"rowers_open", "rowers_crew", "rowers_council"}


def test_banned_members_do_not_find_secret_groups():
    owner, member = make_account("owner"), make_account("member")
    _open, _private, secret = make_groups(owner)
    group_actions.invite(owner, secret, member)
    group_actions.accept_invite(member, secret)
    assert handles(member, "council") == ["rowers_council"]
    group_actions.ban(owner, secret, member)
    assert handles(member, "council") == []
    assert set(handles(member, "harbour")) == {"rowers_open", "rowers_crew"}


def test_groups_of_blocked_owners_are_not_found():
    owner, me = make_account("owner"), make_account("me")
    make_groups(owner)
    block(owner, me)
    assert handles(me, "harbour") == []


def test_search_page_groups_tab(client):
    owner, outsider = make_account("owner"), make_account("out")
    make_groups(owner)
    client.force_login(outsider.user)
    page = client.get("/search", {"q": "harbour", "type": "groups"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Harbour Rowers Crew" in html and "/g/rowers_crew" in html
    assert "Council" not in html and "committee" not in html
    assert "in%3Arowers_open" in html  # search posts in the group
    everything = client.get("/search", {"q": "harbour"}).content.decode()
    assert "/g/rowers_open" in everything and "rowers_council" not in everything
    client.force_login(owner.user)
    assert "/g/rowers_council" in client.get("/search", {"q": "council"}).content.decode()


def test_native_api_group_search(client):
    from mastodon.actions import issue_token, register_app

    owner, outsider = make_account("owner"), make_account("out")
    make_groups(owner)
    app, _secret = register_app(
        name="t", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write"
    )

    def get(account, q):
        auth = {}
        if account is not None:
            raw = issue_token(account.user, app, scopes="read")[1]
            auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        r = client.get("/api/plaza/v1/search", {"q": q, "type": "groups"}, **auth)
        assert r.status_code == 200
        return {g["handle"] for g in r.json()["groups"]}

    assert get(outsider, "harbour") == {"rowers_open", "rowers_crew"}
    assert get(None, "council") == set()
    assert get(owner, "council") == {"rowers_council"}
    assert get(owner, "type:groups harbour") == {"rowers_open", "rowers_crew", "rowers_council"}


def test_hashtag_counts_stop_at_the_cap(run_tasks, monkeypatch):
    from posts.actions import publish
    from search import queries

    monkeypatch.setattr(queries, "TAG_COUNT_CAP", 2)
    ana = make_account("ana")
    with run_tasks():
        for i in range(3):
            publish(ana, text=f"walk {i} #hiking")
        publish(ana, text="one #hikers")
        publish(ana, text="hidden #hikers", visibility="followers")
    found = {t.name: (t.posts, t.capped) for t in queries.search_hashtags(ana, parse("#hik"))}
    assert found == {"hiking": (2, True), "hikers": (1, False)}
