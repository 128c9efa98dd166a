"""Posts, reactions, bookmarks, pins and media through the native API."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from network import actions as network
from posts import actions
from posts.models import Post
from tests.factories import make_account
from tests.posts.helpers import image_bytes

V1 = "/api/plaza/v1"


def _jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes((320, 200)), content_type="image/jpeg")


def test_publish_get_edit_history_delete(api_for: Any) -> None:
    ana = make_account("ana")
    client = api_for(ana)
    response = client.post_json(
        f"{V1}/posts", {"text": "Hello #plaza", "visibility": "public", "content_warning": "hi"}
    )
    assert response.status_code == 201
    post = response.json()
    assert post["author"]["username"] == "ana"
    assert post["visibility"] == "public" and post["content_warning"] == "hi"
    assert "#plaza" in post["html"] or "plaza" in post["html"]
    assert post["reshare_of"] is None

    assert api_for(False).get(f"{V1}/posts/{post['id']}").json()["text"] == "Hello #plaza"

    edited = client.patch_json(f"{V1}/posts/{post['id']}", {"text": "Hello again"})
    assert edited.status_code == 200
    assert edited.json()["text"] == "Hello again" and edited.json()["edited_at"]
    assert edited.json()["content_warning"] == "hi"  # kept when not given
    history = client.get(f"{V1}/posts/{post['id']}/history").json()
    assert [v["text"] for v in history] == ["Hello again", "Hello #plaza"]

    assert client.delete(f"{V1}/posts/{post['id']}").status_code == 204
    assert not Post.objects.filter(pk=post["id"]).exists()
    assert client.get(f"{V1}/posts/{post['id']}").status_code == 404


def test_connections_only_post_is_for_connections(api_for: Any) -> None:
    ana, friend, stranger = make_account("ana"), make_account("friend"), make_account("stranger")
    network.request_connection(friend, ana)
    network.accept_connection(ana, friend)
    response = api_for(ana).post_json(
        f"{V1}/posts", {"text": "Only for my connections", "visibility": "connections"}
    )
    post_id = response.json()["id"]
    assert response.json()["visibility"] == "connections"
    assert api_for(friend).get(f"{V1}/posts/{post_id}").status_code == 200
    assert api_for(stranger).get(f"{V1}/posts/{post_id}").status_code == 404
    assert api_for(False).get(f"{V1}/posts/{post_id}").status_code == 404
    # Nor can strangers reach it through its thread, history or reactions.
    for suffix in ("/thread", "/history", "/liked-by"):
        assert api_for(stranger).get(f"{V1}/posts/{post_id}{suffix}").status_code == 404
    assert api_for(stranger).post(f"{V1}/posts/{post_id}/like").status_code == 404
    posts = api_for(stranger).get(f"{V1}/accounts/{ana.pk}/posts").json()["items"]
    assert posts == []


def test_reply_quote_and_thread(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    root = actions.publish(ana, text="Root", visibility="public")
    client = api_for(bob)
    reply = client.post_json(f"{V1}/posts", {"text": "A reply", "in_reply_to_id": str(root.pk)})
    assert reply.status_code == 201
    assert reply.json()["in_reply_to_id"] == str(root.pk)
    nested = client.post_json(
        f"{V1}/posts", {"text": "Deeper", "in_reply_to_id": reply.json()["id"]}
    ).json()
    quote = client.post_json(f"{V1}/posts", {"text": "Look", "quote_id": str(root.pk)}).json()
    assert quote["quote"]["id"] == str(root.pk)

    thread = api_for(False).get(f"{V1}/posts/{reply.json()['id']}/thread").json()
    assert [p["id"] for p in thread["ancestors"]] == [str(root.pk)]
    assert thread["post"]["id"] == reply.json()["id"]
    assert [(p["id"], p["depth"]) for p in thread["descendants"]] == [(nested["id"], 1)]

    assert client.post_json(f"{V1}/posts", {"text": "x", "in_reply_to_id": "99"}).status_code == 404
    assert client.post_json(f"{V1}/posts", {"text": "x", "quote_id": "abc"}).status_code == 404


def test_cannot_reply_to_what_you_cannot_see(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    secret = actions.publish(ana, text="Followers only", visibility="followers")
    before = Post.objects.count()
    response = api_for(bob).post_json(
        f"{V1}/posts", {"text": "sneaky", "in_reply_to_id": str(secret.pk)}
    )
    assert response.status_code == 404
    assert Post.objects.count() == before


def test_bad_posts_are_422_and_write_nothing(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    for body in (
        {"text": ""},
        {"text": "x" * 100_000},
        {"text": "x", "visibility": "everyone"},
        {"text": 5},
        {"text": "x", "media_ids": ["1", "2", "3", "4", "5"]},
    ):
        response = client.post_json(f"{V1}/posts", body)
        assert 400 <= response.status_code < 500, body
        assert response.json()["error"]
    assert Post.objects.count() == 0


def test_only_the_author_edits_or_deletes(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    post = actions.publish(ana, text="Mine", visibility="public")
    as_bob = api_for(bob)
    assert as_bob.patch_json(f"{V1}/posts/{post.pk}", {"text": "Yours"}).status_code == 403
    assert as_bob.delete(f"{V1}/posts/{post.pk}").status_code == 403
    assert as_bob.post(f"{V1}/posts/{post.pk}/pin").status_code == 403
    post.refresh_from_db()
    assert post.text == "Mine"


def test_like_reshare_bookmark_pin(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    post = actions.publish(ana, text="Nice", visibility="public")
    client = api_for(bob)
    liked = client.post(f"{V1}/posts/{post.pk}/like").json()
    assert liked["liked"] is True and liked["likes_count"] == 1
    by = api_for(False).get(f"{V1}/posts/{post.pk}/liked-by").json()
    assert [a["username"] for a in by["items"]] == ["bob"]
    assert client.delete(f"{V1}/posts/{post.pk}/like").json()["likes_count"] == 0

    share = client.post_json(f"{V1}/posts/{post.pk}/reshare", {"visibility": "unlisted"}).json()
    assert share["author"]["username"] == "bob"
    assert share["reshare_of"]["id"] == str(post.pk)
    assert share["reshare_of"]["reshared"] is True
    resharers = client.get(f"{V1}/posts/{post.pk}/reshared-by").json()["items"]
    assert [a["username"] for a in resharers] == ["bob"]
    assert client.delete(f"{V1}/posts/{post.pk}/reshare").json()["reshared"] is False

    assert client.post(f"{V1}/posts/{post.pk}/bookmark").json()["bookmarked"] is True
    marks = client.get(f"{V1}/bookmarks").json()
    assert [p["id"] for p in marks["items"]] == [str(post.pk)]
    assert client.delete(f"{V1}/posts/{post.pk}/bookmark").json()["bookmarked"] is False
    assert client.get(f"{V1}/bookmarks").json()["items"] == []

    own = actions.publish(bob, text="Pin me", visibility="public")
    assert client.post(f"{V1}/posts/{own.pk}/pin").json()["pinned"] is True
    pinned = api_for(False).get(f"{V1}/accounts/{bob.pk}/pinned").json()
    assert [p["id"] for p in pinned] == [str(own.pk)]
    assert client.delete(f"{V1}/posts/{own.pk}/pin").json()["pinned"] is False


def test_private_posts_cannot_be_reshared(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    network.follow(bob, ana)
    post = actions.publish(ana, text="For followers", visibility="followers")
    assert api_for(bob).post(f"{V1}/posts/{post.pk}/reshare").status_code == 403


def test_media_upload_describe_and_attach(api_for: Any) -> None:
    ana = make_account("ana")
    client = api_for(ana)
    response = client.post(f"{V1}/media", {"file": _jpeg(), "alt_text": "A red square"})
    assert response.status_code == 201
    media = response.json()
    assert media["kind"] == "image" and media["state"] == "ready"
    assert media["alt_text"] == "A red square" and media["width"]
    described = client.patch_json(f"{V1}/media/{media['id']}", {"alt_text": "A sunset"})
    assert described.json()["alt_text"] == "A sunset"
    assert client.get(f"{V1}/media/{media['id']}").json()["alt_text"] == "A sunset"

    post = client.post_json(f"{V1}/posts", {"text": "", "media_ids": [media["id"]]}).json()
    assert [m["id"] for m in post["media"]] == [media["id"]]
    # Someone else's upload is nobody else's to attach, read or describe.
    bob = api_for(make_account("bob"))
    assert bob.get(f"{V1}/media/{media['id']}").status_code == 404
    assert bob.patch_json(f"{V1}/media/{media['id']}", {"alt_text": "x"}).status_code == 404
    taken = bob.post_json(f"{V1}/posts", {"text": "x", "media_ids": [media["id"]]})
    assert taken.status_code == 404


def test_bad_uploads_are_4xx(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    fake = SimpleUploadedFile("evil.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(f"{V1}/media", {"file": fake})
    assert response.status_code == 422
    assert response.json()["error"]
    assert client.post(f"{V1}/media", {}).status_code == 422
    empty = SimpleUploadedFile("empty.png", b"", content_type="image/png")
    assert client.post(f"{V1}/media", {"file": empty}).status_code in (400, 422)


def test_media_needs_the_media_scope(api_for: Any) -> None:
    client = api_for(make_account("ana"), scopes="read write:statuses")
    assert client.post(f"{V1}/media", {"file": _jpeg()}).status_code == 403
