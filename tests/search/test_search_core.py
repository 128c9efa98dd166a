"""Full-text search: index sync, ranking, filters, visibility (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from network.actions import accept_connection, block, follow, mute, request_connection
from plaza.errors import ActionError
from posts.actions import delete, edit, like, publish, reshare
from search import index
from search.backends import backend
from search.parse import parse
from search.queries import search_hashtags, search_people, search_posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def ids(viewer, q: str, **kw) -> list[int]:
    return [p.pk for p in search_posts(viewer, parse(q), **kw).posts]


def names(viewer, q: str, **kw) -> list[str]:
    return [a.username for a in search_people(viewer, parse(q), **kw).accounts]


# --- index sync -----------------------------------------------------------------------------


def test_publish_edit_delete_keep_the_index_in_step(run_tasks):
    ana = make_account("ana")
    with run_tasks():
        post = publish(ana, text="Gardening with tomatoes #summer")
    assert ids(ana, "tomatoes") == [post.pk]
    assert ids(ana, "#summer") == [post.pk]
    with run_tasks():
        edit(ana, post, text="Now about cucumbers #winter")
    assert ids(ana, "tomatoes") == []
    assert ids(ana, "cucumbers") == [post.pk]
    assert ids(ana, "#winter") == [post.pk] and ids(ana, "#summer") == []
    with run_tasks():
        delete(ana, post)
    assert ids(ana, "cucumbers") == []
    assert backend().indexed_post_ids([post.pk]) == set()


def test_reshares_are_not_indexed_and_index_task_is_idempotent(run_tasks):
    ana, bo = make_account("ana"), make_account("bo")
    with run_tasks():
        post = publish(ana, text="reshare me")
        share = reshare(bo, post)
    assert backend().indexed_post_ids([post.pk, share.pk]) == {post.pk}
    index.index_posts([post.pk])
    index.index_posts([post.pk])
    assert ids(None, "reshare") == [post.pk]


def test_rebuild_command_restores_the_index(run_tasks):
    ana = make_account("ana", display_name="Ana Lima")
    with run_tasks():
        posts = [publish(ana, text=f"rebuild number {i}") for i in range(5)]
    backend().clear()
    assert ids(ana, "rebuild") == []
    assert names(ana, "lima") == []
    call_command("rebuild_search_index", "--batch", "2", "--no-progress")
    assert sorted(ids(ana, "rebuild", order="recent")) == sorted(p.pk for p in posts)
    assert names(ana, "lima") == ["ana"]


def test_accounts_are_indexed_when_saved():
    ana = make_account("ana")
    assert names(None, "ana") == ["ana"]
    ana.display_name = "Marguerite"
    ana.bio = "Loves pottery"
    ana.save()
    assert names(None, "margu") == ["ana"]
    assert names(None, "pottery") == ["ana"]
    assert names(None, "ana") == ["ana"]  # the exact username still finds her


# --- ranking --------------------------------------------------------------------------------


def test_relevance_prefers_better_text_matches_then_engagement(run_tasks):
    ana, bo, cy = make_account("ana"), make_account("bo"), make_account("cy")
    with run_tasks():
        weak = publish(ana, text="a long post that mentions kayak once among many other words here")
        strong = publish(ana, text="kayak kayak: the kayak trip #kayak")
        liked = publish(bo, text="a long post that mentions kayak once among many other words too")
        for fan in (bo, cy):
            like(fan, liked)
        reshare(cy, liked)
    found = ids(ana, "kayak")
    assert found[0] == strong.pk
    assert found.index(liked.pk) < found.index(weak.pk)
    assert ids(ana, "kayak", order="recent") == [liked.pk, strong.pk, weak.pk]


def test_all_words_must_match_and_phrases(run_tasks):
    ana = make_account("ana")
    with run_tasks():
        both = publish(ana, text="red bicycle for sale")
        one = publish(ana, text="red car for sale")
        apart = publish(ana, text="bicycle that is red")
    assert set(ids(ana, "red bicycle")) == {both.pk, apart.pk}
    assert ids(ana, '"red bicycle"') == [both.pk]
    assert ids(ana, "RED car") == [one.pk]
    assert ids(ana, "Bicyclé") == ids(ana, "bicycle")  # diacritics folded


# --- filters --------------------------------------------------------------------------------


def test_filters_from_has_media_dates(run_tasks, settings):
    from posts.models import MediaAttachment, MediaKind, MediaState

    ana, bo = make_account("ana"), make_account("bo")
    media = MediaAttachment.objects.create(
        account=ana, kind=MediaKind.IMAGE, state=MediaState.READY, content_type="image/png"
    )
    with run_tasks():
        pic = publish(ana, text="beach photo", media=[media])
        text_only = publish(ana, text="beach thoughts")
        bos = publish(bo, text="beach day")
    assert set(ids(ana, "beach from:ana")) == {pic.pk, text_only.pk}
    assert ids(ana, "beach from:@BO") == [bos.pk]
    assert ids(ana, "beach from:nobody") == []
    assert ids(ana, "beach has:media") == [pic.pk]
    assert set(ids(ana, "from:ana")) == {pic.pk, text_only.pk}  # filters alone list posts
    assert ids(ana, "from:ana has:media") == [pic.pk]
    today = dt.datetime.now(dt.UTC).date()
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=1)
    assert len(ids(ana, f"beach before:{tomorrow}")) == 3
    assert ids(ana, f"beach before:{today}") == []
    assert len(ids(ana, f"beach after:{yesterday}")) == 3
    assert ids(ana, f"beach after:{today}") == []


def test_bad_filters_are_clear_errors():
    for q, msg in (
        ("before:yesterday", "date"),
        ("has:pictures", "has:media"),
        ("type:videos", "type:"),
        ("from:", "username"),
        ("x " * 20, "at most"),
        ("after:2026-02-01 before:2026-01-01", "earlier"),
    ):
        with pytest.raises(ActionError) as err:
            parse(q)
        assert msg in err.value.message
    assert parse("").text.words == []
    assert ids(None, "") == []


def test_query_syntax_never_reaches_the_engine(run_tasks):
    ana = make_account("ana")
    with run_tasks():
        post = publish(ana, text="quotes with stars")
    for q in ('"', "quotes*", "NEAR(quotes stars)", "quotes OR", "stars:*", "(quotes", "-stars"):
        ids(ana, q)  # no database error whatever is typed
    assert ids(ana, "quotes AND stars") == []  # AND is a word here, not an operator
    assert ids(ana, "quotes* stars") == [post.pk]


# --- visibility -----------------------------------------------------------------------------


def test_private_posts_never_leak(run_tasks):
    ana, bo, cy, dee = (make_account(n) for n in ("ana", "bo", "cy", "dee"))
    with run_tasks():
        follow(cy, bo)
        request_connection(dee, bo)
        accept_connection(bo, dee)
        public = publish(bo, text="zebra public")
        followers = publish(bo, text="zebra followers", visibility="followers")
        conns = publish(bo, text="zebra connections", visibility="connections")
        direct = publish(bo, text="zebra direct @dee", visibility="direct")
        unlisted = publish(bo, text="zebra unlisted", visibility="unlisted")
    for order in ("relevance", "recent"):
        assert set(ids(None, "zebra", order=order)) == {public.pk}
        assert set(ids(ana, "zebra", order=order)) == {public.pk}
        assert set(ids(cy, "zebra", order=order)) == {public.pk, followers.pk}
        assert set(ids(dee, "zebra", order=order)) == {public.pk, followers.pk, conns.pk, direct.pk}
        assert set(ids(bo, "zebra", order=order)) == {
            public.pk,
            followers.pk,
            conns.pk,
            direct.pk,
            unlisted.pk,
        }
        assert set(ids(cy, "zebra from:bo", order=order)) == {public.pk, followers.pk}


def test_blocks_hide_posts_and_people_both_ways(run_tasks):
    ana, bo, cy = make_account("ana"), make_account("bob"), make_account("cy")
    with run_tasks():
        publish(bo, text="walrus news")
        publish(cy, text="walrus too")
        block(ana, bo)
        mute(ana, cy)
    assert ids(ana, "walrus") == []
    assert names(ana, "bob") == []
    assert names(bo, "ana") == []
    assert [p.author.username for p in search_posts(None, parse("walrus")).posts] == ["cy", "bob"]
    assert names(None, "bob") == ["bob"]


def test_people_search_respects_discoverable_and_ranks_exact_first():
    make_account("sam", display_name="Samuel")
    make_account("samantha", display_name="Sam")
    hidden = make_account("samhidden")
    hidden.discoverable = False
    hidden.save()
    assert names(None, "sam")[0] == "sam"
    assert "samhidden" not in names(None, "sam")
    assert names(None, "samhidden") == ["samhidden"]  # the exact username finds anyone


def test_hashtags_by_prefix_exact_first(run_tasks):
    ana = make_account("ana")
    with run_tasks():
        publish(ana, text="#cats #catsofplaza")
        publish(ana, text="#catsofplaza")
        publish(ana, text="#cat")
    assert [t.name for t in search_hashtags(ana, "cat")] == ["cat", "catsofplaza", "cats"]
    assert [t.name for t in search_hashtags(ana, "#CATS")] == ["cats", "catsofplaza"]
    assert search_hashtags(ana, "%") == []


def test_query_counts_are_bounded(run_tasks, django_assert_max_num_queries):
    ana = make_account("ana")
    authors = [make_account(f"author{i}") for i in range(6)]
    with run_tasks():
        for i in range(30):
            publish(authors[i % 6], text=f"bounded query number {i} #bounded")
    for order in ("relevance", "recent"):
        with django_assert_max_num_queries(9):
            page = search_posts(ana, parse("bounded"), order=order, limit=20)
        assert len(page.posts) == 20
    with django_assert_max_num_queries(4):
        search_people(ana, parse("author"))


def test_paging(run_tasks):
    ana = make_account("ana")
    with run_tasks():
        posts = [publish(ana, text=f"pager {i}") for i in range(7)]
    newest = [p.pk for p in reversed(posts)]
    first = search_posts(ana, parse("pager"), order="recent", limit=3)
    assert [p.pk for p in first.posts] == newest[:3]
    second = search_posts(ana, parse("pager"), order="recent", limit=3, max_id=first.next_max_id)
    assert [p.pk for p in second.posts] == newest[3:6]
    top = search_posts(ana, parse("pager"), limit=4)
    rest = search_posts(ana, parse("pager"), limit=4, offset=top.next_offset or 0)
    assert len(top.posts) == 4 and len(rest.posts) == 3 and rest.next_offset is None
    assert {p.pk for p in top.posts + rest.posts} == set(newest)


def test_vendor_backend_is_the_database_one():
    assert backend().vendor == connection.vendor
