"""Mastodon API: creating, reading, editing and deleting statuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Account, Visibility
from mastodon.models import IdempotentRequest
from network import actions as network
from posts import actions
from posts.media import upload_media
from posts.models import MediaAttachment, Post, PostEdit
from tests.factories import make_account
from tests.mastodon.conftest import Api
from tests.posts.helpers import jpeg_upload

pytestmark = pytest.mark.django_db

ApiFor = Callable[..., Api]


@pytest.fixture
def alice() -> Account:
    return make_account("alice")


@pytest.fixture
def bob() -> Account:
    return make_account("bob")


def image(account: Account) -> MediaAttachment:
    return upload_media(account, jpeg_upload((64, 48)))


# --- create ---------------------------------------------------------------------------------


def test_post_a_status_with_form_or_json(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    r = api.post("/api/v1/statuses", {"status": "Hello #plaza", "visibility": "unlisted"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["content"].startswith("<p>Hello")
    assert data["visibility"] == "unlisted"
    assert data["plaza"]["visibility"] == "unlisted"
    assert data["tags"][0]["name"] == "plaza"
    assert data["account"]["id"] == str(alice.pk)
    assert data["favourited"] is False and data["reblogged"] is False
    assert data["quote_approval"]["current_user"] == "automatic"
    r = api.post_json("/api/v1/statuses", {"status": "json works", "spoiler_text": "cw"})
    assert r.status_code == 200
    assert r.json()["spoiler_text"] == "cw" and r.json()["sensitive"] is True
    assert Post.objects.filter(author=alice).count() == 2


@pytest.mark.parametrize(
    ("sent", "stored", "shown"),
    [
        ({"visibility": "public"}, Visibility.PUBLIC, "public"),
        ({"visibility": "private"}, Visibility.FOLLOWERS, "private"),
        ({"visibility": "connections"}, Visibility.CONNECTIONS, "private"),
        ({"visibility": "public", "plaza_visibility": "connections"}, "connections", "private"),
    ],
)
def test_visibility_mapping(
    api_for: ApiFor, alice: Account, sent: dict[str, str], stored: str, shown: str
) -> None:
    r = api_for(alice).post_json("/api/v1/statuses", {"status": "hi", **sent})
    assert r.status_code == 200
    assert r.json()["visibility"] == shown
    assert r.json()["plaza"]["visibility"] == stored
    assert Post.objects.get().visibility == stored


def test_default_visibility_is_the_accounts(api_for: ApiFor) -> None:
    carol = make_account("carol", default_visibility=Visibility.FOLLOWERS)
    r = api_for(carol).post_json("/api/v1/statuses", {"status": "hi"})
    assert r.json()["plaza"]["visibility"] == "followers"


@pytest.mark.parametrize(
    "body",
    [
        {"status": ""},
        {"status": "   "},
        {},
        {"status": "x" * 5001},
        {"status": "hi", "visibility": "friends"},
        {"status": "hi", "plaza_visibility": "everyone"},
        {"status": {"nested": True}},
        {"status": "hi", "media_ids": ["abc"]},
        {"status": "hi", "media_ids": ["999"]},
        {"status": "hi", "in_reply_to_id": "abc"},
        {"status": "hi", "sensitive": "maybe"},
        {"status": "hi", "spoiler_text": "w" * 501},
        {"status": "hi", "poll": {"options": ["a", "b"], "expires_in": 60}},
        {"status": "hi", "scheduled_at": "tomorrow-ish"},
    ],
)
def test_bad_input_is_422_and_writes_nothing(
    api_for: ApiFor, alice: Account, body: dict[str, Any]
) -> None:
    r = api_for(alice).post_json("/api/v1/statuses", body)
    assert r.status_code == 422, (body, r.content)
    assert isinstance(r.json()["error"], str)
    assert not Post.objects.exists()


def test_poll_as_form_fields_is_checked(api_for: ApiFor, alice: Account) -> None:
    r = api_for(alice).post(
        "/api/v1/statuses", {"status": "hi", "poll[options][]": ["a", "b"], "poll[expires_in]": 60}
    )
    assert r.status_code == 422
    assert r.json()["error"] == "A poll runs from 5 minutes to 30 days."
    assert not Post.objects.exists()


def test_malformed_json_is_400(api_for: ApiFor, alice: Account) -> None:
    r = api_for(alice).post("/api/v1/statuses", "{nope", content_type="application/json")
    assert r.status_code == 400
    assert "error" in r.json()


def test_media_attach_and_stay_unattached_on_failure(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    media = [image(alice) for _ in range(5)]
    ids = [str(m.pk) for m in media]
    r = api.post_json("/api/v1/statuses", {"status": "too many", "media_ids": ids})
    assert r.status_code == 422
    r = api.post_json("/api/v1/statuses", {"status": "x" * 6000, "media_ids": ids[:2]})
    assert r.status_code == 422
    assert MediaAttachment.objects.filter(post__isnull=False).count() == 0
    r = api.post("/api/v1/statuses", {"media_ids[]": ids[:2]})  # no text: media is enough
    assert r.status_code == 200, r.content
    attachments = r.json()["media_attachments"]
    assert [a["id"] for a in attachments] == ids[:2]
    assert attachments[0]["type"] == "image" and attachments[0]["url"].startswith("http")
    # Already attached: refused, and the earlier post keeps them.
    r = api.post_json("/api/v1/statuses", {"status": "again", "media_ids": ids[:1]})
    assert r.status_code == 422
    assert Post.objects.count() == 1


def test_sensitive_media_gets_a_warning(api_for: ApiFor, alice: Account) -> None:
    m = image(alice)
    r = api_for(alice).post_json(
        "/api/v1/statuses", {"status": "look", "media_ids": [str(m.pk)], "sensitive": True}
    )
    assert r.json()["sensitive"] is True
    assert r.json()["spoiler_text"] == "Sensitive media"


def test_cannot_attach_someone_elses_media(api_for: ApiFor, alice: Account, bob: Account) -> None:
    theirs = image(bob)
    r = api_for(alice).post_json("/api/v1/statuses", {"status": "x", "media_ids": [str(theirs.pk)]})
    assert r.status_code == 422
    assert "not found" in r.json()["error"].lower()
    theirs.refresh_from_db()
    assert theirs.post_id is None


def test_write_scope_needed_to_post(api_for: ApiFor, alice: Account) -> None:
    r = api_for(alice, scopes="read").post_json("/api/v1/statuses", {"status": "hi"})
    assert r.status_code == 403
    r = api_for(alice, scopes="write:statuses").post_json("/api/v1/statuses", {"status": "hi"})
    assert r.status_code == 200
    assert api_for(False).post_json("/api/v1/statuses", {"status": "x"}).status_code == 401
    assert api_for(None).post_json("/api/v1/statuses", {"status": "x"}).status_code == 422
    assert Post.objects.count() == 1


def test_reply_and_quote(api_for: ApiFor, alice: Account, bob: Account) -> None:
    original = actions.publish(bob, text="original", visibility=Visibility.PUBLIC)
    api = api_for(alice)
    r = api.post_json(
        "/api/v1/statuses", {"status": "@bob yes", "in_reply_to_id": str(original.pk)}
    )
    assert r.status_code == 200
    assert r.json()["in_reply_to_id"] == str(original.pk)
    assert r.json()["in_reply_to_account_id"] == str(bob.pk)
    assert [m["username"] for m in r.json()["mentions"]] == ["bob"]
    assert r.json()["mentions"][0]["id"] == str(bob.pk)
    for key in ("quote_id", "quoted_status_id"):
        r = api.post_json("/api/v1/statuses", {"status": "quoting", key: str(original.pk)})
        assert r.status_code == 200, r.content
        quote = r.json()["quote"]
        assert quote["state"] == "accepted"
        assert quote["quoted_status"]["id"] == str(original.pk)
        assert quote["quoted_status"]["content"] == original.html


def test_reply_to_hidden_or_unknown_post_is_404(
    api_for: ApiFor, alice: Account, bob: Account
) -> None:
    secret = actions.publish(bob, text="dm", visibility=Visibility.DIRECT)
    for target in (str(secret.pk), "123456", "99999999999999999999999"):
        r = api_for(alice).post_json("/api/v1/statuses", {"status": "hi", "in_reply_to_id": target})
        assert r.status_code in (404, 422), r.content
        assert "error" in r.json()
    r = api_for(alice).post_json("/api/v1/statuses", {"status": "hi", "quote_id": str(secret.pk)})
    assert r.status_code == 404
    assert Post.objects.filter(author=alice).count() == 0


def test_idempotency_key_returns_the_same_status(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    headers = {"HTTP_IDEMPOTENCY_KEY": "abc-123"}
    first = api.post_json("/api/v1/statuses", {"status": "once"}, **headers)
    second = api.post_json("/api/v1/statuses", {"status": "once"}, **headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Post.objects.count() == 1
    # Another key, or another account with the same key, posts again.
    api.post_json("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="other")
    bob = make_account("bob2")
    api_for(bob).post_json("/api/v1/statuses", {"status": "once"}, **headers)
    assert Post.objects.count() == 3


def test_idempotency_key_expires_after_an_hour(api_for: ApiFor, alice: Account) -> None:
    import datetime as dt

    api = api_for(alice)
    api.post_json("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="k")
    IdempotentRequest.objects.update(
        created_at=IdempotentRequest.objects.get().created_at - dt.timedelta(hours=2)
    )
    api.post_json("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="k")
    assert Post.objects.count() == 2


def test_failed_request_does_not_burn_the_key(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    r = api.post_json("/api/v1/statuses", {"status": ""}, HTTP_IDEMPOTENCY_KEY="k")
    assert r.status_code == 422
    r = api.post_json("/api/v1/statuses", {"status": "ok"}, HTTP_IDEMPOTENCY_KEY="k")
    assert r.status_code == 200
    assert not IdempotentRequest.objects.filter(result_id=0).exists()


# --- read -----------------------------------------------------------------------------------


def test_get_status_public_and_hidden(api_for: ApiFor, alice: Account, bob: Account) -> None:
    public = actions.publish(alice, text="hello", visibility=Visibility.PUBLIC)
    dm = actions.publish(alice, text="@bob psst", visibility=Visibility.DIRECT)
    anon = api_for(False)
    r = anon.get(f"/api/v1/statuses/{public.pk}")
    assert r.status_code == 200
    assert "favourited" not in r.json()
    assert anon.get(f"/api/v1/statuses/{dm.pk}").status_code == 404
    assert api_for(bob).get(f"/api/v1/statuses/{dm.pk}").status_code == 200
    carol = make_account("carol")
    r = api_for(carol).get(f"/api/v1/statuses/{dm.pk}")
    assert r.status_code == 404 and "error" in r.json()
    for bad in ("abc", "0", "99999999999999999999999", "1e5"):
        r = api_for(carol).get(f"/api/v1/statuses/{bad}")
        assert r.status_code == 404, bad
        assert "error" in r.json()


def test_locked_followers_only_post_hidden_everywhere(api_for: ApiFor, bob: Account) -> None:
    locked = make_account("locked", locked=True)
    post = actions.publish(locked, text="friends only", visibility=Visibility.FOLLOWERS)
    api = api_for(bob)
    for path in (
        f"/api/v1/statuses/{post.pk}",
        f"/api/v1/statuses/{post.pk}/context",
        f"/api/v1/statuses/{post.pk}/history",
        f"/api/v1/statuses/{post.pk}/source",
        f"/api/v1/statuses/{post.pk}/favourited_by",
        f"/api/v1/statuses/{post.pk}/reblogged_by",
        f"/api/v1/statuses/{post.pk}/quotes",
    ):
        assert api.get(path).status_code == 404, path
    for action in ("favourite", "reblog", "bookmark", "pin", "mute"):
        assert api.post(f"/api/v1/statuses/{post.pk}/{action}").status_code == 404, action
    assert api.get(f"/api/v1/statuses?id[]={post.pk}").json() == []
    network.follow(bob, locked)
    network.approve_follow_request(locked, bob)
    assert api.get(f"/api/v1/statuses/{post.pk}").status_code == 200


def test_get_multiple_statuses(api_for: ApiFor, alice: Account, bob: Account) -> None:
    a = actions.publish(alice, text="a", visibility=Visibility.PUBLIC)
    b = actions.publish(alice, text="b", visibility=Visibility.PUBLIC)
    hidden = actions.publish(bob, text="dm", visibility=Visibility.DIRECT)
    api = api_for(alice)
    r = api.get(f"/api/v1/statuses?id[]={b.pk}&id[]={hidden.pk}&id[]={a.pk}&id[]=42")
    assert [s["id"] for s in r.json()] == [str(b.pk), str(a.pk)]
    assert api.get("/api/v1/statuses?id[]=nope").status_code == 422
    assert api.get("/api/v1/statuses").json() == []


def test_status_list_queries_are_constant(
    api_for: ApiFor, alice: Account, bob: Account, django_assert_max_num_queries: Any
) -> None:
    api = api_for(alice)
    quoted = actions.publish(bob, text="quote me", visibility=Visibility.PUBLIC)

    def make(n: int) -> str:
        ids = []
        for i in range(n):
            post = actions.publish(
                bob,
                text=f"post {i} @alice #tag{i}",
                visibility=Visibility.PUBLIC,
                media=[image(bob)],
                quote_of=quoted if i % 2 else None,
            )
            share = actions.reshare(alice, post)
            actions.like(alice, post)
            ids += [post.pk, share.pk]
        return "&".join(f"id[]={i}" for i in ids[:40])

    small = make(3)
    with django_assert_max_num_queries(20) as few:
        assert len(api.get(f"/api/v1/statuses?{small}").json()) == 6
    large = make(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(f"/api/v1/statuses?{large}").json()) == 40


def test_reblog_wrapping_and_viewer_state(api_for: ApiFor, alice: Account, bob: Account) -> None:
    post = actions.publish(bob, text="boost me", visibility=Visibility.PUBLIC)
    api = api_for(alice)
    r = api.post(f"/api/v1/statuses/{post.pk}/reblog")
    assert r.status_code == 200
    wrapper = r.json()
    assert wrapper["reblog"]["id"] == str(post.pk)
    assert wrapper["account"]["id"] == str(alice.pk)
    assert wrapper["reblogged"] is True and wrapper["reblog"]["reblogged"] is True
    assert wrapper["content"] == ""
    again = api.post(f"/api/v1/statuses/{post.pk}/reblog").json()
    assert again["id"] == wrapper["id"]
    r = api.post(f"/api/v1/statuses/{post.pk}/unreblog")
    assert r.status_code == 200
    assert r.json()["id"] == str(post.pk) and r.json()["reblogged"] is False
    r = api.post(f"/api/v1/statuses/{post.pk}/reblog", {"visibility": "unlisted"})
    assert r.json()["visibility"] == "unlisted"
    assert api.post(f"/api/v1/statuses/{post.pk}/reblog", {"visibility": "x"}).status_code == 422


def test_reblog_of_own_private_status_stays_private(
    api_for: ApiFor, alice: Account, bob: Account
) -> None:
    mine = actions.publish(alice, text="followers", visibility=Visibility.FOLLOWERS)
    r = api_for(alice).post(f"/api/v1/statuses/{mine.pk}/reblog", {"visibility": "public"})
    assert r.status_code == 200, r.content
    assert r.json()["visibility"] == "private" and r.json()["reblog"]["id"] == str(mine.pk)
    # A private reshare is not listed among those who reshared (as Mastodon).
    assert api_for(alice).get(f"/api/v1/statuses/{mine.pk}/reblogged_by").json() == []
    network.follow(bob, alice)
    theirs = actions.publish(alice, text="not bob's", visibility=Visibility.FOLLOWERS)
    r = api_for(bob).post(f"/api/v1/statuses/{theirs.pk}/reblog")
    assert r.status_code == 403 and "followers-only" in r.json()["error"]


def test_quote_of_hidden_post_is_unauthorized(
    api_for: ApiFor, alice: Account, bob: Account
) -> None:
    hidden = actions.publish(bob, text="followers only", visibility=Visibility.FOLLOWERS)
    quoting = actions.publish(bob, text="self quote", quote_of=hidden, visibility=Visibility.PUBLIC)
    r = api_for(alice).get(f"/api/v1/statuses/{quoting.pk}")
    assert r.json()["quote"] == {"state": "unauthorized", "quoted_status": None}
    network.follow(alice, bob)
    r = api_for(alice).get(f"/api/v1/statuses/{quoting.pk}")
    assert r.json()["quote"]["state"] == "accepted"
    assert r.json()["quote"]["quoted_status"]["id"] == str(hidden.pk)
    # Someone else may not quote a followers-only post.
    r = api_for(alice).post_json("/api/v1/statuses", {"status": "x", "quote_id": str(hidden.pk)})
    assert r.status_code == 403


# --- edit, history, source, delete -------------------------------------------------------


def test_edit_history_and_source(api_for: ApiFor, alice: Account, bob: Account) -> None:
    api = api_for(alice)
    m = image(alice)
    created = api.post_json(
        "/api/v1/statuses", {"status": "first", "media_ids": [str(m.pk)]}
    ).json()
    sid = created["id"]
    r = api.put_json(
        f"/api/v1/statuses/{sid}",
        {
            "status": "second",
            "spoiler_text": "now with a warning",
            "media_attributes": [
                {"id": str(m.pk), "description": "a red square", "focus": "0.2,-0.1"}
            ],
        },
    )
    assert r.status_code == 200, r.content
    assert "second" in r.json()["content"]
    assert r.json()["edited_at"] is not None
    assert r.json()["media_attachments"][0]["description"] == "a red square"
    assert r.json()["media_attachments"][0]["meta"]["focus"] == {"x": 0.2, "y": -0.1}
    history = api.get(f"/api/v1/statuses/{sid}/history").json()
    assert [("first" in h["content"], "second" in h["content"]) for h in history] == [
        (True, False),
        (False, True),
    ]
    assert history[1]["spoiler_text"] == "now with a warning"
    source = api.get(f"/api/v1/statuses/{sid}/source").json()
    assert source == {"id": sid, "text": "second", "spoiler_text": "now with a warning"}
    # Form-encoded media_attributes work too.
    r = api.put(
        f"/api/v1/statuses/{sid}",
        f"status=third&media_attributes[][id]={m.pk}&media_attributes[][description]=blue",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200, r.content
    m.refresh_from_db()
    assert m.alt_text == "blue"
    # Drop the media with an empty media_ids list.
    r = api.put_json(f"/api/v1/statuses/{sid}", {"status": "fourth", "media_ids": []})
    assert r.json()["media_attachments"] == []


def test_edit_bad_input_and_permissions(api_for: ApiFor, alice: Account, bob: Account) -> None:
    post = actions.publish(alice, text="mine", visibility=Visibility.PUBLIC)
    r = api_for(bob).put_json(f"/api/v1/statuses/{post.pk}", {"status": "hacked"})
    assert r.status_code == 403
    api = api_for(alice)
    for body in (
        {"status": ""},
        {"status": "x" * 6000},
        {"status": "ok", "media_attributes": [{"id": "123", "description": "x"}]},
        {"status": "ok", "media_attributes": "nope"},
        {"status": "ok", "media_ids": [str(image(bob).pk)]},
        {"status": "ok", "poll": {"options": ["a"]}},
    ):
        r = api.put_json(f"/api/v1/statuses/{post.pk}", body)
        assert r.status_code == 422, (body, r.content)
    post.refresh_from_db()
    assert post.text == "mine"
    assert not PostEdit.objects.exists()
    m = image(alice)
    with_media = actions.publish(alice, text="pic", media=[m])
    for focus in ("2,0", "left", "0.1"):
        body = {"status": "new", "media_attributes": [{"id": str(m.pk), "focus": focus}]}
        r = api.put_json(f"/api/v1/statuses/{with_media.pk}", body)
        assert r.status_code == 422, (focus, r.content)
    with_media.refresh_from_db()
    m.refresh_from_db()
    assert with_media.text == "pic" and m.focus_x is None
    assert api.put_json("/api/v1/statuses/12345", {"status": "x"}).status_code == 404


def test_delete_returns_source_and_keeps_media(
    api_for: ApiFor, alice: Account, bob: Account
) -> None:
    m = image(alice)
    post = actions.publish(alice, text="bye *now*", content_warning="cw", media=[m])
    assert api_for(bob).delete(f"/api/v1/statuses/{post.pk}").status_code == 403
    r = api_for(alice).delete(f"/api/v1/statuses/{post.pk}")
    assert r.status_code == 200
    assert r.json()["text"] == "bye *now*"
    assert r.json()["spoiler_text"] == "cw"
    assert r.json()["media_attachments"][0]["id"] == str(m.pk)
    assert not Post.objects.filter(pk=post.pk).exists()
    m.refresh_from_db()
    assert m.post_id is None  # ready for the redraft
    assert api_for(alice).delete(f"/api/v1/statuses/{post.pk}").status_code == 404


def test_delete_media_param_deletes_media(api_for: ApiFor, alice: Account) -> None:
    m = image(alice)
    post = actions.publish(alice, text="bye", media=[m])
    r = api_for(alice).delete(f"/api/v1/statuses/{post.pk}?delete_media=true")
    assert r.status_code == 200
    assert not MediaAttachment.objects.filter(pk=m.pk).exists()


def test_method_not_allowed(api_for: ApiFor, alice: Account) -> None:
    r = api_for(alice).patch_json("/api/v1/statuses/1", {})
    assert r.status_code == 405
    assert "error" in r.json()


def test_quote_of_a_quote_nests_a_shallow_quote(
    api_for: ApiFor, alice: Account, bob: Account
) -> None:
    first = actions.publish(bob, text="first", visibility=Visibility.PUBLIC)
    second = actions.publish(bob, text="second", quote_of=first, visibility=Visibility.PUBLIC)
    third = actions.publish(alice, text="third", quote_of=second, visibility=Visibility.PUBLIC)
    data = api_for(alice).get(f"/api/v1/statuses/{third.pk}").json()
    inner = data["quote"]["quoted_status"]
    assert inner["id"] == str(second.pk)
    assert inner["quote"] == {"state": "accepted", "quoted_status_id": str(first.pk)}
    assert data["quote_approval"] == {
        "automatic": ["public"],
        "manual": [],
        "current_user": "automatic",
    }
