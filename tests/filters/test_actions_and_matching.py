"""Filters: the actions' rules and what :func:`filters.queries.match` matches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from filters import actions, queries
from filters.actions import KeywordChange
from filters.models import Filter, FilterKeyword, FilterStatus
from plaza.errors import ActionError, NotFound
from posts.actions import publish
from posts.models import MediaAttachment, Post
from posts.queries import with_related
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def words(*pairs: str | tuple[str, bool]) -> list[KeywordChange]:
    out = []
    for p in pairs:
        text, whole = p if isinstance(p, tuple) else (p, True)
        out.append(KeywordChange(keyword=text, whole_word=whole))
    return out


def make_filter(owner, *keywords, context=("home",), action="warn", **kw) -> Filter:
    return actions.create_filter(
        owner, title=kw.pop("title", "F"), context=context, action=action,
        keywords=words(*keywords), **kw,
    )  # fmt: skip


# --- actions ---------------------------------------------------------------------------------


def test_create_filter_with_keywords():
    alice = make_account("alice")
    f = make_filter(alice, "spam", ("eggs", False), context=["public", "home", "home"])
    assert f.context == ["home", "public"]  # canonical order, no duplicates
    assert f.action == "warn"
    assert sorted((k.keyword, k.whole_word) for k in f.keywords.all()) == [
        ("eggs", False),
        ("spam", True),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " ", "context": ["home"]}, "title"),
        ({"title": "x" * 257, "context": ["home"]}, "title"),
        ({"title": "t", "context": []}, "context"),
        ({"title": "t", "context": ["kitchen"]}, "context"),
        ({"title": "t", "context": ["home"], "action": "explode"}, "filter_action"),
        ({"title": "t", "context": ["home"], "keywords": words(" ")}, "keyword"),
        ({"title": "t", "context": ["home"], "keywords": words("k" * 201)}, "keyword"),
    ],
)
def test_create_filter_refuses_bad_input_and_writes_nothing(kwargs, field):
    alice = make_account("alice")
    with pytest.raises(ActionError) as err:
        actions.create_filter(alice, **kwargs)
    assert err.value.field == field
    assert not Filter.objects.exists() and not FilterKeyword.objects.exists()


def test_limits(monkeypatch):
    alice = make_account("alice")
    monkeypatch.setattr(actions, "MAX_FILTERS", 2)
    monkeypatch.setattr(actions, "MAX_KEYWORDS", 3)
    f = make_filter(alice, "a", "b")
    with pytest.raises(ActionError, match="at most 3 filter keywords"):
        make_filter(alice, "c", "d")
    make_filter(alice, "c")
    with pytest.raises(ActionError, match="at most 2 filters"):
        make_filter(alice)
    with pytest.raises(ActionError):
        actions.add_keyword(alice, f, keyword="z")
    assert Filter.objects.count() == 2 and FilterKeyword.objects.count() == 3


def test_update_filter_keywords_attributes():
    alice = make_account("alice")
    f = make_filter(alice, "spam", "eggs")
    spam, eggs = sorted(f.keywords.all(), key=lambda k: k.keyword, reverse=True)
    actions.update_filter(
        alice,
        f,
        title="Food",
        action="hide",
        expires_at=None,
        keywords=[
            KeywordChange(id=spam.pk, destroy=True),
            KeywordChange(id=eggs.pk, keyword="ham", whole_word=False),
            KeywordChange(keyword="toast"),
            KeywordChange(destroy=True),  # nothing to destroy: ignored
        ],
    )
    f.refresh_from_db()
    assert (f.title, f.action, f.context) == ("Food", "hide", ["home"])
    assert sorted((k.keyword, k.whole_word) for k in f.keywords.all()) == [
        ("ham", False),
        ("toast", True),
    ]


def test_update_refuses_someone_elses_keyword_and_changes_nothing():
    alice, bob = make_account("alice"), make_account("bob")
    f = make_filter(alice, "spam")
    theirs = make_filter(bob, "secret").keywords.get()
    with pytest.raises(NotFound):
        actions.update_filter(
            alice, f, title="Changed", keywords=[KeywordChange(id=theirs.pk, destroy=True)]
        )
    f.refresh_from_db()
    assert f.title == "F" and FilterKeyword.objects.filter(pk=theirs.pk).exists()
    with pytest.raises(NotFound):
        actions.delete_filter(alice, Filter.objects.get(account=bob))
    with pytest.raises(NotFound):
        queries.get_filter_for(alice, theirs.filter_id)
    with pytest.raises(NotFound):
        queries.get_keyword_for(alice, theirs.pk)
    with pytest.raises(NotFound):
        queries.get_filter_for(alice, "abc")


def test_statuses_must_be_visible_and_unique():
    alice, bob = make_account("alice"), make_account("bob")
    f = make_filter(alice)
    public = publish(bob, text="hello", visibility="public")
    secret = publish(bob, text="for followers", visibility="followers")
    fs = actions.add_status(alice, f, public.pk)
    assert fs.post_id == public.pk
    with pytest.raises(ActionError, match="already"):
        actions.add_status(alice, f, str(public.pk))
    with pytest.raises(NotFound):
        actions.add_status(alice, f, secret.pk)
    with pytest.raises(ActionError):
        actions.add_status(alice, f, None)
    assert FilterStatus.objects.count() == 1
    actions.remove_status(alice, queries.get_filter_status_for(alice, fs.pk))
    assert not FilterStatus.objects.exists()


def test_phrase_filters_v1_semantics():
    alice = make_account("alice")
    kw = actions.create_phrase_filter(
        alice, phrase="anime", context=["notifications"], irreversible=True, whole_word=False
    )
    assert (kw.filter.title, kw.filter.action, kw.whole_word) == ("anime", "hide", False)
    actions.update_phrase_filter(alice, kw, phrase="japanimation", irreversible=False)
    kw.refresh_from_db()
    assert kw.keyword == "japanimation" and kw.filter.action == "warn"
    # A filter with several keywords cannot be changed through one of them.
    actions.add_keyword(alice, kw.filter, keyword="manga")
    with pytest.raises(ActionError, match="several keywords"):
        actions.update_phrase_filter(alice, kw, context=["home"])
    actions.update_phrase_filter(alice, kw, phrase="anime")  # the keyword alone is fine
    actions.delete_phrase_filter(alice, kw)
    assert Filter.objects.count() == 1  # "manga" is still in it
    actions.delete_phrase_filter(alice, FilterKeyword.objects.get())
    assert not Filter.objects.exists()


def test_expiry_after():
    now = timezone.now()
    assert actions.expiry_after(None) is None
    assert actions.expiry_after(3600, now=now) == now + dt.timedelta(hours=1)
    with pytest.raises(ActionError):
        actions.expiry_after(0)


# --- matching --------------------------------------------------------------------------------


def test_whole_word_case_and_partial_words():
    alice, bob = make_account("alice"), make_account("bob")
    make_filter(alice, "girugamesh", ("anime", False), title="Shows")
    posts = [
        publish(bob, text="I love ANIMES"),
        publish(bob, text="Girugamesh!"),
        publish(bob, text="Girugameshnetworking!"),
        publish(bob, text="nothing here"),
    ]
    results = queries.match(alice, posts, "home")
    assert set(results) == {posts[0].pk, posts[1].pk}
    (hit,) = results[posts[0].pk]
    assert hit.filter.title == "Shows" and hit.keyword_matches == ["ANIME"]
    assert hit.status_matches is None and hit.action == "warn"
    assert results[posts[1].pk][0].keyword_matches == ["Girugamesh"]


def test_whole_word_keywords_with_symbols():
    alice, bob = make_account("alice"), make_account("bob")
    make_filter(alice, "#politics", "c++")
    posts = [publish(bob, text="on #politics today"), publish(bob, text="I write c++ code")]
    assert set(queries.match(alice, posts, "home")) == {p.pk for p in posts}


def test_content_warning_and_media_descriptions_count():
    alice, bob = make_account("alice"), make_account("bob")
    make_filter(alice, "spoilers", "cat")
    cw = publish(bob, text="fine", content_warning="Spoilers ahead")
    with_media = publish(bob, text="look")
    MediaAttachment.objects.create(
        account=bob, post=with_media, kind="image", content_type="image/png", alt_text="A cat"
    )
    posts = [cw, with_media]
    assert set(queries.match(alice, posts, "home")) == {cw.pk, with_media.pk}
    loaded = list(with_related(Post.objects.filter(pk__in=[cw.pk, with_media.pk])))
    assert set(queries.match(alice, loaded, "home")) == {cw.pk, with_media.pk}


def test_contexts_expiry_and_other_people():
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    make_filter(alice, "spam", context=["notifications"])
    make_filter(alice, "eggs", expires_at=timezone.now() - dt.timedelta(seconds=1))
    make_filter(alice, "ham", expires_at=timezone.now() + dt.timedelta(hours=1))
    make_filter(carol, "toast")
    posts = [publish(bob, text=t) for t in ("spam", "eggs", "ham", "toast")]
    assert set(queries.match(alice, posts, "home")) == {posts[2].pk}
    assert set(queries.match(alice, posts, "notifications")) == {posts[0].pk}
    assert queries.match(None, posts, "home") == {}
    assert set(queries.match(carol, posts, "home")) == {posts[3].pk}


def test_status_filters_and_reshares():
    alice, bob, dan = make_account("alice"), make_account("bob"), make_account("dan")
    original = publish(bob, text="a post")
    f = make_filter(alice, "unrelated", action="hide", title="That post")
    actions.add_status(alice, f, original.pk)
    from posts.actions import reshare

    boosted = reshare(dan, original)
    plain = publish(bob, text="other")
    results = queries.match(alice, [original, boosted, plain], "home")
    assert set(results) == {original.pk, boosted.pk}
    assert results[boosted.pk][0].status_matches == [str(original.pk)]
    assert queries.hidden_post_ids(results) == {original.pk, boosted.pk}


def test_a_reshare_is_matched_by_what_it_carries():
    alice, bob, dan = make_account("alice"), make_account("bob"), make_account("dan")
    make_filter(alice, "spam")
    from posts.actions import reshare

    boosted = reshare(dan, publish(bob, text="spam spam"))
    fresh = Post.objects.get(pk=boosted.pk)  # reshare_of not loaded
    results = queries.match(alice, [fresh], "home")
    assert results[boosted.pk][0].keyword_matches == ["spam", "spam"]


def test_several_filters_and_overlapping_keywords():
    alice, bob = make_account("alice"), make_account("bob")
    make_filter(alice, "cat", title="Cats")
    make_filter(alice, "cats", ("at", False), title="More cats")
    post = publish(bob, text="cats and a cat")
    found = {
        r.filter.title: r.keyword_matches for r in queries.match(alice, [post], "home")[post.pk]
    }
    assert found == {"Cats": ["cat"], "More cats": ["cats", "at"]}


def test_match_costs_one_query_per_page(django_assert_num_queries):
    alice, bob = make_account("alice"), make_account("bob")
    for i in range(5):
        make_filter(alice, f"word{i}", ("part", False), title=f"F{i}")
    f = make_filter(alice, title="posts")
    few = [publish(bob, text=f"post {i} word1") for i in range(5)]
    actions.add_status(alice, f, few[0].pk)
    many = few + [publish(bob, text=f"post {i} partial") for i in range(35)]
    for page in (few, many):
        loaded = list(with_related(Post.objects.filter(pk__in=[p.pk for p in page])))
        with django_assert_num_queries(1):
            results = queries.match(alice, loaded, "home")
        assert len(results) == len(page)
    active = queries.active_filters(alice)
    with django_assert_num_queries(0):
        assert len(queries.match(alice, loaded, "home", active=active)) == len(many)
    with django_assert_num_queries(1):  # media descriptions for posts loaded without them
        queries.match(alice, many, "home", active=active)
        queries.match(alice, many, "public", active=active)  # no filter there: no query
