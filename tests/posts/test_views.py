"""Post pages and card actions, through the web views people use."""

from __future__ import annotations

from typing import Any

import pytest

from network import actions as network
from posts import actions
from posts.models import Bookmark, Like, MediaAttachment, Pin, Post, PostEdit
from posts.queries import thread
from tests.factories import make_account
from tests.posts.helpers import jpeg_upload, upload

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice(client: Any) -> Any:
    account = make_account("alice")
    client.force_login(account.user)
    return account


# --- composer ---------------------------------------------------------------------------------


def test_compose_publishes_and_redirects_to_thread(client: Any, alice: Any) -> None:
    response = client.post(
        "/compose", {"text": "Hello #plaza", "visibility": "unlisted", "intent": "post"}
    )
    post = Post.objects.get(author=alice)
    assert response.status_code == 302
    assert response["Location"] == f"/@alice/{post.pk}"
    assert post.visibility == "unlisted"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'href="/tags/plaza"' in page.content.decode()


def test_compose_page_defaults_to_account_visibility(client: Any) -> None:
    bob = make_account("bob", default_visibility="followers")
    client.force_login(bob.user)
    html = client.get("/compose").content.decode()
    assert '<option value="followers" selected' in html


def test_over_length_text_keeps_what_was_typed(client: Any, alice: Any) -> None:
    text = "word " * 1001  # 5,005 characters
    response = client.post("/compose", {"text": text, "visibility": "followers", "intent": "post"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "at most 5,000 characters" in html
    assert text.strip() in html
    assert '<option value="followers" selected' in html
    assert not Post.objects.exists()


def test_failed_publish_keeps_uploaded_media(client: Any, alice: Any) -> None:
    response = client.post(
        "/compose",
        {
            "text": "x" * 5001,
            "visibility": "public",
            "intent": "post",
            "media": [jpeg_upload((300, 200)), upload(b"not an image at all", "fake.png")],
            "alt_new_0": "A sunset",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    media = MediaAttachment.objects.get(account=alice)
    assert media.alt_text == "A sunset"
    assert f'name="media_id" value="{media.pk}"' in html
    assert "fake.png" in html  # the refused file is named in the error
    # Fix the text, keep the photo, change its description: one post with the photo.
    response = client.post(
        "/compose",
        {
            "text": "fixed",
            "visibility": "public",
            "intent": "post",
            "media_id": [str(media.pk)],
            f"alt_{media.pk}": "A red sunset",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(author=alice)
    media.refresh_from_db()
    assert media.post_id == post.pk and media.alt_text == "A red sunset"


def test_attach_without_js_shows_uploads_and_does_not_post(client: Any, alice: Any) -> None:
    response = client.post(
        "/compose",
        {"text": "soon", "visibility": "public", "intent": "attach", "media": [jpeg_upload()]},
    )
    assert response.status_code == 200
    assert not Post.objects.exists()
    assert 'name="media_id"' in response.content.decode()


def test_someone_elses_media_id_is_ignored(client: Any, alice: Any) -> None:
    bob = make_account("bob")
    from posts.media import upload_media

    theirs = upload_media(bob, jpeg_upload())
    client.post(
        "/compose",
        {"text": "hi", "visibility": "public", "intent": "post", "media_id": [str(theirs.pk)]},
    )
    theirs.refresh_from_db()
    assert theirs.post_id is None


def test_reply_through_compose_and_next(client: Any, alice: Any) -> None:
    bob = make_account("bob")
    post = actions.publish(bob, text="question?")
    page = client.get(f"/compose?reply_to={post.pk}")
    assert page.status_code == 200
    assert "@bob " in page.content.decode()
    response = client.post(
        "/compose",
        {
            "text": "@bob answer",
            "visibility": "public",
            "in_reply_to": str(post.pk),
            "next": f"/@bob/{post.pk}",
            "intent": "post",
        },
    )
    assert response["Location"] == f"/@bob/{post.pk}"
    reply = Post.objects.get(author=alice)
    assert reply.in_reply_to_id == post.pk


def test_replying_to_a_post_you_cannot_see_is_404_and_writes_nothing(
    client: Any, alice: Any
) -> None:
    bob = make_account("bob")
    secret = actions.publish(bob, text="followers only", visibility="followers")
    assert client.get(f"/compose?reply_to={secret.pk}").status_code == 404
    response = client.post(
        "/compose",
        {"text": "sneaky", "visibility": "public", "in_reply_to": str(secret.pk), "intent": "post"},
    )
    assert response.status_code == 404
    assert not Post.objects.filter(author=alice).exists()
    assert (
        client.post("/compose", {"text": "x", "in_reply_to": "nope", "intent": "post"}).status_code
        == 404
    )


def test_quoting_a_post_you_cannot_see_is_404(client: Any, alice: Any) -> None:
    bob = make_account("bob")
    secret = actions.publish(bob, text="direct", visibility="direct")
    assert client.get(f"/compose?quote={secret.pk}").status_code == 404
    response = client.post(
        "/compose", {"text": "look", "quote_of": str(secret.pk), "intent": "post"}
    )
    assert response.status_code == 404
    assert not Post.objects.filter(author=alice).exists()


def test_quote_shows_embedded_post_and_unavailable_when_hidden(client: Any, alice: Any) -> None:
    bob, carol = make_account("bob"), make_account("carol")
    original = actions.publish(bob, text="quotable words")
    client.post("/compose", {"text": "so true", "quote_of": str(original.pk), "intent": "post"})
    quote = Post.objects.get(author=alice)
    assert quote.quote_of_id == original.pk
    assert "quotable words" in client.get(f"/@alice/{quote.pk}").content.decode()
    network.block(bob, carol)
    client.force_login(carol.user)
    html = client.get(f"/@alice/{quote.pk}").content.decode()
    assert "This post is unavailable" in html and "quotable words" not in html


def test_anonymous_cannot_compose(client: Any) -> None:
    response = client.get("/compose")
    assert response.status_code == 302 and "/login" in response["Location"]


# --- card actions ---------------------------------------------------------------------------------


def test_like_and_unlike_are_idempotent_with_right_counts(client: Any, alice: Any) -> None:
    post = actions.publish(make_account("bob"), text="likeable")
    for _ in range(2):
        response = client.post(f"/posts/{post.pk}/like", {"next": "/bookmarks"})
        assert response.status_code == 302 and response["Location"] == "/bookmarks"
    post.refresh_from_db()
    assert post.likes_count == 1 and Like.objects.count() == 1
    for _ in range(2):
        client.post(f"/posts/{post.pk}/unlike")
    post.refresh_from_db()
    assert post.likes_count == 0 and Like.objects.count() == 0


def test_htmx_like_returns_just_the_card(client: Any, alice: Any) -> None:
    post = actions.publish(make_account("bob"), text="likeable")
    response = client.post(f"/posts/{post.pk}/like", {"next": "/somewhere"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<article") and "<html" not in html
    assert 'aria-pressed="true"' in html and f"/posts/{post.pk}/unlike" in html
    assert 'name="next" value="/somewhere"' in html


def test_next_must_stay_on_this_site(client: Any, alice: Any) -> None:
    post = actions.publish(make_account("bob"), text="x")
    response = client.post(f"/posts/{post.pk}/bookmark", {"next": "https://evil.example/"})
    assert response["Location"] == f"/@bob/{post.pk}"


def test_actions_need_post_and_login(client: Any) -> None:
    post = actions.publish(make_account("bob"), text="x")
    assert client.post(f"/posts/{post.pk}/like").status_code == 302  # to login
    assert not Like.objects.exists()
    client.force_login(make_account("carol").user)
    assert client.get(f"/posts/{post.pk}/like").status_code == 405


def test_reshare_toggle_and_followers_only_refused(client: Any, alice: Any) -> None:
    bob = make_account("bob")
    post = actions.publish(bob, text="share me")
    client.post(f"/posts/{post.pk}/reshare")
    client.post(f"/posts/{post.pk}/reshare")
    post.refresh_from_db()
    assert post.reshares_count == 1
    share = Post.objects.get(author=alice, reshare_of=post)
    # Undoing from the reshare's own card (htmx) shows the original in its place.
    response = client.post(f"/posts/{share.pk}/unreshare", **HX)
    assert f'id="post-{post.pk}"' in response.content.decode()
    post.refresh_from_db()
    assert post.reshares_count == 0

    network.follow(alice, bob)
    private = actions.publish(bob, text="followers", visibility="followers")
    assert client.post(f"/posts/{private.pk}/reshare").status_code == 403
    response = client.post(f"/posts/{private.pk}/reshare", **HX)
    assert response.status_code == 200 and "Only public and unlisted" in response.content.decode()
    assert not Post.objects.filter(author=alice, reshare_of=private).exists()


def test_bookmarks_page_lists_saved_posts_newest_first(client: Any, alice: Any) -> None:
    bob = make_account("bob")
    first, second = actions.publish(bob, text="first one"), actions.publish(bob, text="second one")
    client.post(f"/posts/{first.pk}/bookmark")
    client.post(f"/posts/{second.pk}/bookmark")
    html = client.get("/bookmarks").content.decode()
    assert html.index("second one") < html.index("first one")
    client.post(f"/posts/{second.pk}/unbookmark")
    assert "second one" not in client.get("/bookmarks").content.decode()
    assert Bookmark.objects.count() == 1


def test_bookmarks_keyset_pages_and_constant_queries(
    client: Any, alice: Any, django_assert_max_num_queries: Any
) -> None:
    bob = make_account("bob")
    posts = [actions.publish(bob, text=f"saved {i}") for i in range(25)]
    for p in posts:
        actions.bookmark(alice, p)
    with django_assert_max_num_queries(16):
        page1 = client.get("/bookmarks")
    html = page1.content.decode()
    assert html.count('class="post-card') == 20
    marker = html.index("?max_id=")
    next_url = "/bookmarks" + html[marker : html.index('"', marker)]
    with django_assert_max_num_queries(16):
        page2 = client.get(next_url, **HX)
    assert page2.content.decode().count('class="post-card') == 5
    assert "<html" not in page2.content.decode()


def test_pin_limit_and_unpin(client: Any, alice: Any) -> None:
    posts = [actions.publish(alice, text=f"pin {i}") for i in range(6)]
    for p in posts[:5]:
        client.post(f"/posts/{p.pk}/pin")
    response = client.post(f"/posts/{posts[5].pk}/pin", follow=True)
    assert "at most 5" in response.content.decode()
    assert Pin.objects.filter(account=alice).count() == 5
    client.post(f"/posts/{posts[0].pk}/unpin")
    assert Pin.objects.filter(account=alice).count() == 4
    other = actions.publish(make_account("bob"), text="not mine")
    assert client.post(f"/posts/{other.pk}/pin").status_code == 403


def test_delete_own_only(client: Any, alice: Any) -> None:
    bob = make_account("bob")
    theirs = actions.publish(bob, text="bob's")
    assert client.post(f"/posts/{theirs.pk}/delete").status_code == 403
    assert client.post(f"/posts/{theirs.pk}/delete", **HX).status_code == 403
    hidden = actions.publish(bob, text="secret", visibility="direct")
    assert client.post(f"/posts/{hidden.pk}/delete").status_code == 404
    assert Post.objects.filter(author=bob).count() == 2
    mine = actions.publish(alice, text="mine")
    response = client.post(f"/posts/{mine.pk}/delete", {"next": f"/@alice/{mine.pk}"})
    assert response.status_code == 302 and response["Location"] == "/@alice"
    assert not Post.objects.filter(pk=mine.pk).exists()
    alice.refresh_from_db()
    assert alice.posts_count == 0


def test_edit_and_history(client: Any, alice: Any) -> None:
    post = actions.publish(alice, text="frist post")
    assert client.get(f"/@alice/{post.pk}/edit").status_code == 200
    response = client.post(f"/@alice/{post.pk}/edit", {"text": "first post", "content_warning": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text == "first post" and post.edited_at is not None
    assert PostEdit.objects.get(post=post).text == "frist post"
    html = client.get(f"/@alice/{post.pk}").content.decode()
    assert f"/@alice/{post.pk}/history" in html and "edited" in html
    history = client.get(f"/@alice/{post.pk}/history").content.decode()
    assert "frist post" in history and "first post" in history
    too_long = "y" * 5001
    response = client.post(f"/@alice/{post.pk}/edit", {"text": too_long})
    assert response.status_code == 422 and too_long in response.content.decode()
    bob_post = actions.publish(make_account("bob"), text="bob")
    assert client.get(f"/@bob/{bob_post.pk}/edit").status_code == 403
    assert client.post(f"/@bob/{bob_post.pk}/edit", {"text": "hijack"}).status_code == 403
    bob_post.refresh_from_db()
    assert bob_post.text == "bob"


def test_liked_by_and_reshared_by_lists(client: Any, alice: Any) -> None:
    bob, carol, dave = make_account("bob"), make_account("carol"), make_account("dave")
    post = actions.publish(alice, text="popular")
    for who in (bob, carol, dave):
        actions.like(who, post)
    actions.reshare(carol, post)
    network.block(alice, dave)
    likes = client.get(f"/@alice/{post.pk}/likes").content.decode()
    assert "@bob" in likes and "@carol" in likes and "@dave" not in likes
    shares = client.get(f"/@alice/{post.pk}/reshares").content.decode()
    assert "@carol" in shares and "@bob" not in shares


# --- thread page ------------------------------------------------------------------------------------


def test_thread_shows_ancestors_post_and_indented_replies(client: Any, alice: Any) -> None:
    bob = make_account("bob")
    root = actions.publish(bob, text="root post")
    middle = actions.publish(alice, text="middle reply", in_reply_to=root)
    leaf = actions.publish(bob, text="leaf reply", in_reply_to=middle)
    html = client.get(f"/@alice/{middle.pk}").content.decode()
    html = html[html.index('id="main"') :]
    assert html.index("root post") < html.index("middle reply") < html.index("leaf reply")
    assert "--depth: 1" in html
    assert f'value="{middle.pk}"' in html  # the inline reply composer
    assert client.get(f"/@bob/{middle.pk}").status_code == 302  # canonical author in the URL
    assert client.get(f"/@bob/{leaf.pk}").status_code == 200


def test_thread_page_404_for_unknown_post(client: Any) -> None:
    assert client.get("/@nobody/123").status_code == 404


def test_deep_thread_does_not_recurse(alice: Any) -> None:
    root = actions.publish(alice, text="0")
    parent = root
    for i in range(1, 1200):
        parent = Post.objects.create(
            author=alice, text=str(i), in_reply_to=parent, thread_root=root
        )
    ancestors, descendants = thread(alice, root)
    assert len(descendants) == 1199
    assert descendants[-1].thread_depth == 1199  # type: ignore[attr-defined]
    ancestors, _ = thread(alice, parent)
    assert len(ancestors) == 1199


def test_thread_page_query_count_does_not_grow_with_replies(
    client: Any, alice: Any, django_assert_max_num_queries: Any
) -> None:
    bob = make_account("bob")

    def thread_with(n: int) -> Post:
        root = actions.publish(bob, text="root")
        parent = root
        for i in range(n):
            reply = actions.publish(alice if i % 2 else bob, text=f"reply {i}", in_reply_to=parent)
            actions.like(alice, reply)
            parent = reply if i % 3 else root
        return root

    small, big = thread_with(5), thread_with(30)
    with django_assert_max_num_queries(20) as small_ctx:
        assert client.get(f"/@bob/{small.pk}").status_code == 200
    with django_assert_max_num_queries(len(small_ctx.captured_queries)):
        response = client.get(f"/@bob/{big.pk}")
    assert response.content.decode().count('class="post-card') == 31


def test_own_followers_only_post_reshared_to_the_same_followers(
    client: Any, alice: Any, run_tasks: Any
) -> None:
    from feeds.queries import home_feed, profile_feed
    from plaza.errors import NotFound
    from posts.queries import get_post_for

    follower, stranger = make_account("follower"), make_account("stranger")
    network.follow(follower, alice)
    with run_tasks():
        mine = actions.publish(alice, text="for my followers", visibility="followers")
    html = client.get(f"/@alice/{mine.pk}").content.decode()
    assert "Reshare to your followers" in html and f"?quote={mine.pk}" not in html
    with run_tasks():
        assert client.post(f"/posts/{mine.pk}/reshare").status_code == 302
    share = Post.objects.get(author=alice, reshare_of=mine)
    assert share.visibility == "followers"  # whatever was asked for
    # The reshare reaches the followers again, never anyone else.
    assert share.pk in [p.pk for p in home_feed(follower).posts]
    assert share.pk not in [p.pk for p in home_feed(stranger).posts]
    assert share.pk not in [p.pk for p in profile_feed(stranger, alice).posts]
    with pytest.raises(NotFound):
        get_post_for(stranger, share.pk)
    # Someone else's followers-only post stays unresharable, and connections-only posts too.
    theirs = actions.publish(follower, text="mine only", visibility="followers")
    network.follow(alice, follower)
    assert client.post(f"/posts/{theirs.pk}/reshare").status_code == 403
    circle = actions.publish(alice, text="connections", visibility="connections")
    assert client.post(f"/posts/{circle.pk}/reshare").status_code == 403
    assert not Post.objects.filter(reshare_of__in=[theirs, circle]).exists()
