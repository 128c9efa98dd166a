"""The post-card cache (posts/card_render.py): every change shows on the next page load, and
no viewer ever sees another viewer's state — through the pages people use."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import RequestFactory

from accounts import actions as accounts
from feeds.queries import PageRange, home_feed
from network import actions as network
from posts import actions as posts
from posts import card_render
from posts.media import upload_media
from posts.queries import cards
from tests.factories import make_account
from tests.posts.helpers import jpeg_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_card_cache():
    caches[card_render.CARD_CACHE].clear()


@pytest.fixture
def pair(run_tasks):
    """alice posts; bob follows her and reads his home page."""
    alice = make_account("alice")
    bob = make_account("bob")
    with run_tasks():
        network.follow(bob, alice)
    return alice, bob


def _home(client, account) -> str:
    client.force_login(account.user)
    response = client.get("/?limit=40")
    assert response.status_code == 200
    return response.content.decode()


def _card(html: str, post_id: int) -> str:
    match = re.search(rf'<article[^>]* id="post-{post_id}".*?</article>', html, re.S)
    assert match, f"no card for post {post_id}"
    return match.group(0)


def test_second_page_load_uses_the_cache(client, pair, run_tasks):
    alice, bob = pair
    with run_tasks():
        post = posts.publish(alice, text="cached once")
    first = _card(_home(client, bob), post.pk)
    entries = caches[card_render.CARD_CACHE]._cache  # type: ignore[attr-defined]
    assert any(f":{post.pk}:" in key for key in entries)
    # The same card but for the CSRF token (masked anew for each response).
    masked = re.compile(r'name="csrfmiddlewaretoken" value="\w+"')
    assert masked.sub("", _card(_home(client, bob), post.pk)) == masked.sub("", first)


def test_edit_changes_the_card(client, pair, run_tasks):
    alice, bob = pair
    with run_tasks():
        post = posts.publish(alice, text="first version")
    assert "first version" in _card(_home(client, bob), post.pk)
    posts.edit(alice, post, text="second version")
    card = _card(_home(client, bob), post.pk)
    assert "second version" in card and "first version" not in card
    assert "edited</a>" in card


def test_content_warning_change_changes_the_card(client, pair, run_tasks):
    alice, bob = pair
    with run_tasks():
        post = posts.publish(alice, text="spoilers ahead")
    assert "post-cw" not in _card(_home(client, bob), post.pk)
    posts.edit(alice, post, text="spoilers ahead", content_warning="Film ending")
    card = _card(_home(client, bob), post.pk)
    assert "Film ending" in card and 'class="post-cw"' in card


def test_like_count_changes_and_liked_state_stays_with_the_liker(client, pair, run_tasks):
    alice, bob = pair
    carol = make_account("carol")
    with run_tasks():
        network.follow(carol, alice)
        post = posts.publish(alice, text="like me")
    # Both cards cached before the like.
    assert 'aria-label="Like (0)"' in _card(_home(client, bob), post.pk)
    assert 'aria-label="Like (0)"' in _card(_home(client, carol), post.pk)
    posts.like(bob, post)
    bob_card = _card(_home(client, bob), post.pk)
    carol_card = _card(_home(client, carol), post.pk)
    assert 'aria-label="Unlike (1)"' in bob_card and 'aria-pressed="true"' in bob_card
    assert 'aria-label="Like (1)"' in carol_card and "Unlike" not in carol_card
    # Carol's card, rendered right after Bob's, still never shows his state.
    assert 'aria-label="Like (1)"' in _card(_home(client, carol), post.pk)


def test_bookmark_and_reshare_state_are_per_viewer(client, pair, run_tasks):
    alice, bob = pair
    carol = make_account("carol")
    with run_tasks():
        network.follow(carol, alice)
        post = posts.publish(alice, text="save me")
        posts.bookmark(bob, post)
        posts.reshare(bob, post)
    bob_card = _card(_home(client, bob), post.pk)
    carol_card = _card(_home(client, carol), post.pk)
    assert (
        'aria-label="Remove bookmark"' in bob_card and 'aria-label="Undo reshare (1)"' in bob_card
    )
    assert 'aria-label="Bookmark"' in carol_card and 'aria-label="Reshare (1)"' in carol_card


def test_author_rename_changes_the_card(client, pair, run_tasks):
    alice, bob = pair
    with run_tasks():
        post = posts.publish(alice, text="who wrote this")
    assert "Alice Original" not in _card(_home(client, bob), post.pk)
    accounts.update_profile(alice, display_name="Alice Original")
    assert "Alice Original" in _card(_home(client, bob), post.pk)
    accounts.update_profile(alice, display_name="Alice Renamed")
    card = _card(_home(client, bob), post.pk)
    assert "Alice Renamed" in card and "Alice Original" not in card


def test_new_avatar_changes_the_card(client, pair, run_tasks):
    alice, bob = pair
    with run_tasks():
        post = posts.publish(alice, text="new face")
    assert "<img" not in _card(_home(client, bob), post.pk).split('class="post-main"')[0]
    accounts.update_profile(alice, avatar=jpeg_upload((300, 300), name="me.jpg"))
    head = _card(_home(client, bob), post.pk).split('class="post-main"')[0]
    assert '<img class="avatar' in head


def test_removing_media_changes_the_card(client, pair, run_tasks):
    alice, bob = pair
    media = upload_media(alice, jpeg_upload(), alt_text="A red roof")
    with run_tasks():
        post = posts.publish(alice, text="look", media=[media])
    assert 'alt="A red roof"' in _card(_home(client, bob), post.pk)
    posts.edit(alice, post, text="look", media=[])
    card = _card(_home(client, bob), post.pk)
    assert "media-grid" not in card and "A red roof" not in card


def test_the_authors_menu_only_for_the_author(client, pair, run_tasks):
    alice, bob = pair
    with run_tasks():
        post = posts.publish(alice, text="mine")
    theirs = _card(_home(client, bob), post.pk)
    mine = _card(_home(client, alice), post.pk)
    assert "Report post" in theirs and "Delete</button>" not in theirs
    assert "Delete</button>" in mine and "Report post" not in mine


def test_csrf_token_and_next_url_are_this_requests(client, pair, run_tasks):
    alice, bob = pair
    with run_tasks():
        post = posts.publish(alice, text="forms")
    client.force_login(bob.user)
    first = client.get("/?limit=40")
    token = first.context["csrf_token"]
    card = _card(first.content.decode(), post.pk)
    assert f'value="{token}"' in card and 'name="next" value="/?limit=40"' in card
    other = client.get("/?limit=39")
    card = _card(other.content.decode(), post.pk)
    assert 'name="next" value="/?limit=39"' in card
    assert "next=/%3Flimit%3D39" in card  # the report link, URL-encoded


def test_cached_html_is_identical_to_a_fresh_render(pair, run_tasks):
    """Every card shape (reply, reshare, quote, hidden quote, media, warning, own post, liked)
    renders the same from the cache as without it, for a reader, the author and nobody."""
    alice, bob = pair
    carol = make_account("carol")
    media = upload_media(alice, jpeg_upload(), alt_text="roof")
    with run_tasks():
        network.follow(alice, bob)
        carols = posts.publish(carol, text="carol's post")
        root = posts.publish(alice, text="root with <b>markup</b> & #tag", media=[media])
        posts.publish(bob, text="@alice reply", in_reply_to=root)
        posts.reshare(bob, root)
        posts.publish(alice, text="quoting", quote_of=root)
        posts.publish(alice, text="quote hidden from bob", quote_of=carols)
        posts.publish(alice, text="careful", content_warning="CW <here>")
        posts.like(bob, root)
        posts.bookmark(bob, root)
        posts.edit(alice, root, text="root, edited", media=[media])
        network.block(carol, bob)  # bob no longer sees what alice quoted
    request = RequestFactory().get("/?limit=40&x=<y>")
    for viewer in (bob, alice, None):
        feed_owner = viewer or alice
        page = home_feed(feed_owner, PageRange(limit=40))
        shown = cards(viewer, page.posts)
        assert len(shown) >= 6
        fresh = card_render.render_cards(
            shown, request=request, viewer=viewer, csrf_token="t0k", cached=False
        )
        cold = card_render.render_cards(shown, request=request, viewer=viewer, csrf_token="t0k")
        warm = card_render.render_cards(shown, request=request, viewer=viewer, csrf_token="t0k")
        for one, other in zip(cold, fresh, strict=True):
            assert one == other, "\n".join(
                difflib.unified_diff(other.splitlines(), one.splitlines(), lineterm="")
            )
        assert warm == fresh
        focus = card_render.render_card(
            shown[0], request=request, viewer=viewer, is_focus=True, csrf_token="t0k"
        )
        assert (
            focus
            == card_render.render_cards(
                shown[:1],
                request=request,
                viewer=viewer,
                is_focus=True,
                csrf_token="t0k",
                cached=False,
            )[0]
        )


def test_cache_outage_still_renders(pair, run_tasks, settings):
    alice, bob = pair
    with run_tasks():
        posts.publish(alice, text="no cache")
    settings.CACHES = {
        **settings.CACHES,
        card_render.CARD_CACHE: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        },
    }
    shown = cards(bob, home_feed(bob, PageRange(limit=40)).posts)
    html = card_render.render_cards(shown, request=None, viewer=bob)
    assert "no cache" in html[0]


# --- the fingerprint covers what the templates read -------------------------------------------

JINJA = Path(settings.BASE_DIR) / "templates" / "posts" / "jinja"
ATTR = re.compile(r"\b(post|shown|quoted|author|first|m|card|viewer|poll|option)\.(\w+)")


def test_fingerprint_covers_every_attribute_the_templates_read():
    """A new ``shown.something`` in a template must also enter the cache key, or cards would
    keep showing the old value: this lists what the key covers."""
    post_fields = set(card_render.POST_FIELDS) | {"author", "in_reply_to_account", "media"}
    quote_fields = set(card_render.QUOTE_FIELDS) | {"author", "media"}
    account_fields = {name.split(".")[0] for name in card_render.ACCOUNT_FIELDS}
    media_fields = {name.split(".")[0] for name in card_render.MEDIA_FIELDS}
    allowed = {
        "post": {"pk"},
        "shown": post_fields,
        "quoted": quote_fields,
        "author": account_fields,
        "first": media_fields,
        "m": media_fields,
        # The card's viewer-dependent flags are the variant; the rest is fingerprinted.
        "card": {"post", "shown", "reshared_by", "quote", "quote_hidden", "poll"}
        | {"liked", "bookmarked", "reshared", "pinned", "own_votes"},
        "viewer": {"pk"},
        # A poll's fields and its options' (``percent`` and ``option_list`` read only those).
        "poll": set(card_render.POLL_FIELDS) | {"option_list", "percent"},
        "option": set(card_render.POLL_OPTION_FIELDS),
    }
    # Relations read one level further: shown.author.username, quoted.author.username, ...
    nested = re.compile(r"\b(?:shown|quoted|card)\.(author|in_reply_to_account|reshared_by)\.(\w+)")
    for path in JINJA.glob("*.jinja"):
        source = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
        for name, attr in ATTR.findall(source):
            assert attr in allowed[name], (path.name, name, attr)
        for _relation, attr in nested.findall(source):
            assert attr in account_fields, (path.name, attr)


def test_group_posts_offer_no_reshare_or_quote(client: Any) -> None:
    from groups.actions import create_group
    from posts.actions import publish

    owner = make_account("owner")
    group = create_group(owner, name="Sailors", handle="sailors")
    post = publish(owner, text="Regatta on Sunday", group=group)
    client.force_login(owner.user)
    html = client.get(f"/@{owner.username}/{post.pk}").content.decode()
    assert "Regatta on Sunday" in html
    assert f"/posts/{post.pk}/reshare" not in html and f"?quote={post.pk}" not in html
    assert "Posts in groups stay in their group" in html


def test_group_threads_name_their_audience_and_replies_stay_in_the_group(client: Any) -> None:
    from accounts.models import Visibility
    from groups.actions import create_group
    from posts.actions import publish
    from posts.models import Post

    owner = make_account("owner2")
    owner.default_visibility = Visibility.DIRECT
    owner.save(update_fields=["default_visibility"])
    group = create_group(owner, name="Rowers", handle="rowers")
    post = publish(owner, text="Training at six", group=group)
    client.force_login(owner.user)
    html = client.get(f"/@{owner.username}/{post.pk}").content.decode()
    assert "Group members" in html and "Unlisted" not in html
    assert 'name="visibility"' not in html  # the reply box offers no audience to pick
    # A reply without a visibility (the default would be "direct") stays in the group.
    response = client.post("/compose", {"text": "See you there", "in_reply_to": post.pk})
    assert response.status_code == 302
    reply = Post.objects.get(in_reply_to=post)
    assert reply.group_id == group.pk
