"""Mastodon API: credentials, account reads, account statuses, search, lookup, preferences,
suggestions."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Account, Visibility
from network import actions as network_actions
from posts import actions as post_actions
from tests.factories import make_account
from tests.mastodon.conftest import Api

pytestmark = pytest.mark.django_db
ApiFor = Callable[..., Api]


def links(response: Any) -> dict[str, str]:
    """``rel`` → path and query of the response's Link header."""
    found = {}
    for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", "")):
        parts = urlsplit(url)
        found[rel] = f"{parts.path}?{parts.query}"
    return found


def png(name: str = "me.png", size: tuple[int, int] = (300, 300)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_as_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("face.png", b"not an image at all\n" * 40, content_type="image/png")


# --- verify_credentials / update_credentials ------------------------------------------------


def test_verify_credentials_returns_the_credential_account(api_for: ApiFor) -> None:
    ada = make_account("ada", display_name="Ada L", website="https://ada.example")
    body = api_for(ada).get("/api/v1/accounts/verify_credentials").json()
    assert body["id"] == str(ada.pk)
    assert body["username"] == body["acct"] == "ada"
    assert body["source"]["privacy"] == "public"
    assert body["source"]["fields"] == [
        {"name": "Website", "value": "https://ada.example", "verified_at": None}
    ]
    assert body["source"]["follow_requests_count"] == 0
    assert body["created_at"].endswith("Z")


@pytest.mark.parametrize("scopes", ["profile", "read:accounts", "read"])
def test_verify_credentials_scopes(api_for: ApiFor, scopes: str) -> None:
    ada = make_account("ada")
    assert api_for(ada, scopes).get("/api/v1/accounts/verify_credentials").status_code == 200


def test_verify_credentials_denials(api_for: ApiFor) -> None:
    ada = make_account("ada")
    response = api_for(ada, "write").get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 403 and "error" in response.json()
    assert api_for(False).get("/api/v1/accounts/verify_credentials").status_code == 401
    app_only = api_for(None).get("/api/v1/accounts/verify_credentials")
    assert app_only.status_code == 422 and "error" in app_only.json()


def test_update_credentials_json(api_for: ApiFor) -> None:
    ada = make_account("ada")
    response = api_for(ada).patch_json(
        "/api/v1/accounts/update_credentials",
        {
            "display_name": "Ada Lovelace",
            "note": "Analytical engines. https://ada.example",
            "locked": True,
            "bot": True,
            "discoverable": False,
            "fields_attributes": [
                {"name": "Website", "value": "https://ada.example"},
                {"name": "Location", "value": "London"},
                {"name": "Pronouns", "value": "she/her"},
            ],
            "source": {"privacy": "private", "sensitive": True, "language": "en"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    ada.refresh_from_db()
    assert (ada.display_name, ada.locked, ada.discoverable) == ("Ada Lovelace", True, False)
    assert ada.bio == "Analytical engines. https://ada.example"
    assert "<a " in ada.bio_html
    assert [(f["name"], f["value"]) for f in ada.fields] == [
        ("Website", "https://ada.example"),
        ("Location", "London"),
        ("Pronouns", "she/her"),
    ]
    assert (ada.website, ada.location) == ("", "")  # the web profile's own fields stay
    assert body["fields"][0]["value"].startswith('<a href="https://ada.example"')
    assert 'rel="me nofollow noopener noreferrer"' in body["fields"][0]["value"]
    assert body["fields"][2] == {"name": "Pronouns", "value": "she/her", "verified_at": None}
    assert body["source"]["fields"][0]["value"] == "https://ada.example"
    assert ada.default_visibility == Visibility.FOLLOWERS
    assert body["display_name"] == "Ada Lovelace"
    assert body["locked"] is True and body["bot"] is False
    assert body["source"]["privacy"] == "private"
    assert body["source"]["note"] == ada.bio


def test_update_credentials_multipart_with_images_and_form_fields(api_for: ApiFor) -> None:
    ada = make_account("ada", location="Paris")
    api = api_for(ada)
    # Django's test client encodes PATCH bodies itself only for POST: build multipart by hand.
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    body = encode_multipart(
        BOUNDARY,
        {
            "display_name": "Ada",
            "avatar": png(),
            "header": png("header.png", (1500, 500)),
            "fields_attributes[0][name]": "Homepage",
            "fields_attributes[0][value]": "ada.org",
            "source[privacy]": "unlisted",
            "locked": "true",
        },
    )
    response = api.generic(
        "PATCH", "/api/v1/accounts/update_credentials", body, content_type=MULTIPART_CONTENT
    )
    assert response.status_code == 200, response.content
    ada.refresh_from_db()
    assert ada.avatar and ada.header
    assert [(f["name"], f["value"]) for f in ada.fields] == [("Homepage", "ada.org")]
    assert ada.location == "Paris"  # profile fields are their own thing
    assert 'href="http://ada.org"' in response.json()["fields"][0]["value"]
    assert ada.default_visibility == Visibility.UNLISTED and ada.locked
    data = response.json()
    assert data["avatar"].startswith("http") and "avatar-missing" not in data["avatar"]


def test_update_credentials_rejects_a_disguised_image_and_changes_nothing(
    api_for: ApiFor,
) -> None:
    ada = make_account("ada", display_name="Ada")
    response = api_for(ada).post(
        "/api/v1/accounts/update_credentials",
        {"display_name": "Changed", "avatar": text_as_png(), "locked": "true"},
    )
    assert response.status_code == 422
    assert "error" in response.json()
    ada.refresh_from_db()
    assert (ada.display_name, ada.locked, bool(ada.avatar)) == ("Ada", False, False)


@pytest.mark.parametrize(
    "payload",
    [
        {"display_name": "x" * 81},
        {"note": "y" * 501},
        {"locked": "maybe"},
        {"source": {"privacy": "direct"}},
        {"source": {"privacy": "everyone"}},
        {"fields_attributes": [{"name": "", "value": "a value without a label"}]},
        {"fields_attributes": [{"name": "n" * 256, "value": "v"}]},
        {"fields_attributes": [{"name": f"n{i}", "value": "v"} for i in range(5)]},
        {"fields_attributes": [{"name": 3, "value": "v"}]},
        {"fields_attributes": ["nope"]},
        {"display_name": {"nested": True}},
        {"avatar": "https://example.com/a.png"},
    ],
)
def test_update_credentials_bad_input_is_422_and_writes_nothing(
    api_for: ApiFor, payload: dict[str, Any]
) -> None:
    ada = make_account("ada", display_name="Ada")
    payload = {**payload, "locked": payload.get("locked", True)}
    response = api_for(ada).patch_json("/api/v1/accounts/update_credentials", payload)
    assert response.status_code == 422, response.content
    assert "error" in response.json()
    ada.refresh_from_db()
    assert (ada.display_name, ada.bio, ada.locked) == ("Ada", "", False)


def test_update_credentials_needs_write_accounts(api_for: ApiFor) -> None:
    ada = make_account("ada")
    response = api_for(ada, "read").patch_json(
        "/api/v1/accounts/update_credentials", {"display_name": "X"}
    )
    assert response.status_code == 403
    ada.refresh_from_db()
    assert ada.display_name != "X"
    ok = api_for(ada, "write:accounts").patch_json(
        "/api/v1/accounts/update_credentials", {"display_name": "X"}
    )
    assert ok.status_code == 200


def test_preferences(api_for: ApiFor) -> None:
    ada = make_account("ada", default_visibility=Visibility.CONNECTIONS)
    body = api_for(ada).get("/api/v1/preferences").json()
    assert body["posting:default:visibility"] == "private"
    assert body["plaza:posting:default:visibility"] == "connections"
    assert body["posting:default:sensitive"] is False
    assert body["posting:default:language"] is None
    assert body["reading:expand:media"] == "default"
    assert body["reading:expand:spoilers"] is False
    assert api_for(ada, "write").get("/api/v1/preferences").status_code == 403


# --- get / lookup -----------------------------------------------------------------------------


def test_get_account_public_and_with_token(api_for: ApiFor) -> None:
    ada = make_account("ada", kind="organization")
    body = api_for(False).get(f"/api/v1/accounts/{ada.pk}").json()
    assert body["id"] == str(ada.pk) and body["plaza"]["kind"] == "organization"
    assert "source" not in body
    assert api_for(make_account()).get(f"/api/v1/accounts/{ada.pk}").status_code == 200
    # A token is optional here, but one without read:accounts is refused.
    denied = api_for(make_account(), "write").get(f"/api/v1/accounts/{ada.pk}")
    assert denied.status_code == 403 and "error" in denied.json()
    assert api_for(None).get(f"/api/v1/accounts/{ada.pk}").status_code == 200


@pytest.mark.parametrize("bad", ["999999", "abc", "12abc", "-1", "99999999999999999999999999"])
def test_get_account_unknown_or_malformed_id_is_404_json(api_for: ApiFor, bad: str) -> None:
    make_account("ada")
    response = api_for(False).get(f"/api/v1/accounts/{bad}")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    for suffix in ("statuses", "followers", "following", "featured_tags"):
        nested = api_for(False).get(f"/api/v1/accounts/{bad}/{suffix}")
        assert nested.status_code == 404 and "error" in nested.json()


def test_blocked_either_way(api_for: ApiFor) -> None:
    ada, bob = make_account("ada"), make_account("bob")
    network_actions.block(ada, bob)
    # Bob is blocked by Ada: Ada isn't there for him.
    assert api_for(bob).get(f"/api/v1/accounts/{ada.pk}").status_code == 404
    assert api_for(bob).get("/api/v1/accounts/lookup?acct=ada").status_code == 404
    # Ada still sees whom she blocked (clients offer "unblock").
    assert api_for(ada).get(f"/api/v1/accounts/{bob.pk}").status_code == 200


def test_lookup(api_for: ApiFor) -> None:
    ada = make_account("Ada")
    from mastodon.entities.accounts import instance_domain

    for acct in ("ada", "@Ada", f"ada@{instance_domain()}"):
        response = api_for(False).get("/api/v1/accounts/lookup", {"acct": acct})
        assert response.status_code == 200 and response.json()["id"] == str(ada.pk)
    for acct in ("nobody", "ada@elsewhere.example", "", "@"):
        response = api_for(False).get("/api/v1/accounts/lookup", {"acct": acct})
        assert response.status_code == 404 and "error" in response.json()
    assert api_for(False).get("/api/v1/accounts/lookup").status_code == 404


def test_featured_tags_and_lists_are_empty(api_for: ApiFor) -> None:
    ada = make_account("ada")
    assert api_for(False).get(f"/api/v1/accounts/{ada.pk}/featured_tags").json() == []
    assert api_for(ada).get(f"/api/v1/accounts/{ada.pk}/lists").json() == []
    assert api_for(False).get(f"/api/v1/accounts/{ada.pk}/lists").status_code == 401
    assert api_for(ada).get("/api/v1/accounts/4242/lists").status_code == 404


# --- statuses ---------------------------------------------------------------------------------


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()]


def test_statuses_respect_visibility_for_a_locked_account(api_for: ApiFor) -> None:
    lock = make_account("lock", locked=True)
    public = post_actions.publish(lock, text="hello world", visibility=Visibility.PUBLIC)
    private = post_actions.publish(lock, text="friends only", visibility=Visibility.FOLLOWERS)
    circle = post_actions.publish(lock, text="close circle", visibility=Visibility.CONNECTIONS)
    post_actions.publish(lock, text="psst @nobody", visibility=Visibility.DIRECT)
    stranger, fan = make_account("stranger"), make_account("fan")
    assert network_actions.follow(fan, lock) == "requested"
    url = f"/api/v1/accounts/{lock.pk}/statuses"
    assert ids(api_for(False).get(url)) == [str(public.pk)]
    assert ids(api_for(stranger).get(url)) == [str(public.pk)]
    # A pending request is not a follow.
    assert ids(api_for(fan).get(url)) == [str(public.pk)]
    network_actions.approve_follow_request(lock, fan)
    assert ids(api_for(fan).get(url)) == [str(private.pk), str(public.pk)]
    # The owner sees everything but direct messages (as the profile page).
    assert ids(api_for(lock).get(url)) == [str(circle.pk), str(private.pk), str(public.pk)]
    body = api_for(fan).get(url).json()
    assert body[0]["visibility"] == "private"


def test_statuses_blocked_either_way_are_empty(api_for: ApiFor) -> None:
    ada, bob = make_account("ada"), make_account("bob")
    post_actions.publish(ada, text="mine", visibility=Visibility.PUBLIC)
    post_actions.publish(bob, text="his", visibility=Visibility.PUBLIC)
    network_actions.block(ada, bob)
    assert api_for(bob).get(f"/api/v1/accounts/{ada.pk}/statuses").json() == []
    assert api_for(ada).get(f"/api/v1/accounts/{bob.pk}/statuses").json() == []


def test_statuses_filters(api_for: ApiFor) -> None:
    ada, bob = make_account("ada"), make_account("bob")
    plain = post_actions.publish(ada, text="plain #Cats post")
    other = post_actions.publish(bob, text="bob's post")
    reply_to_bob = post_actions.publish(ada, text="hi bob", in_reply_to=other)
    self_reply = post_actions.publish(ada, text="and more", in_reply_to=plain)
    reshare = post_actions.reshare(ada, other)
    post_actions.pin(ada, plain)
    api = api_for(bob)
    url = f"/api/v1/accounts/{ada.pk}/statuses"
    every = [str(p.pk) for p in (reshare, self_reply, reply_to_bob, plain)]
    assert ids(api.get(url)) == every
    assert str(reply_to_bob.pk) not in ids(api.get(url, {"exclude_replies": "true"}))
    assert str(self_reply.pk) in ids(api.get(url, {"exclude_replies": "true"}))
    assert str(reshare.pk) not in ids(api.get(url, {"exclude_reblogs": "1"}))
    assert ids(api.get(url, {"pinned": "true"})) == [str(plain.pk)]
    assert ids(api.get(url, {"tagged": "cats"})) == [str(plain.pk)]
    assert ids(api.get(url, {"only_media": "true"})) == []
    reblog = api.get(url).json()[0]
    assert reblog["reblog"]["id"] == str(other.pk)
    assert api.get(url, {"pinned": "perhaps"}).status_code == 422
    assert api.get(url, {"limit": "many"}).status_code == 422
    assert api.get(url, {"max_id": "abc"}).status_code == 422


def test_statuses_paging_with_link_headers_has_no_gaps(api_for: ApiFor) -> None:
    ada = make_account("ada")
    posts = [post_actions.publish(ada, text=f"post {i}") for i in range(7)]
    expected = [str(p.pk) for p in reversed(posts)]
    api = api_for(False)
    seen: list[str] = []
    url: str | None = f"/api/v1/accounts/{ada.pk}/statuses?limit=3"
    while url:
        response = api.get(url)
        seen += ids(response)
        url = links(response).get("next")
    assert seen == expected
    # min_id reads the page just above it; since_id the newest above it.
    newer = api.get(f"/api/v1/accounts/{ada.pk}/statuses", {"min_id": expected[5], "limit": "2"})
    assert ids(newer) == expected[3:5]
    newest = api.get(f"/api/v1/accounts/{ada.pk}/statuses", {"since_id": expected[5], "limit": "2"})
    assert ids(newest) == expected[0:2]
    prev = links(api.get(f"/api/v1/accounts/{ada.pk}/statuses?limit=3&max_id={expected[2]}"))
    assert ids(api.get(prev["prev"])) == expected[0:3]
    huge = api.get(f"/api/v1/accounts/{ada.pk}/statuses", {"max_id": "9" * 30})
    assert ids(huge) == expected[:7]


def test_statuses_query_count_is_constant(
    api_for: ApiFor, django_assert_max_num_queries: Any
) -> None:
    ada, viewer = make_account("ada"), make_account("viewer")
    network_actions.follow(viewer, ada)
    api = api_for(viewer)
    url = f"/api/v1/accounts/{ada.pk}/statuses?limit=40"
    for _ in range(5):
        post_actions.publish(ada, text="few")
    with django_assert_max_num_queries(40) as few:
        assert len(api.get(url).json()) == 5
    for _ in range(25):
        post_actions.publish(ada, text="many")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(url).json()) == 30


# --- search, suggestions ------------------------------------------------------------------------


def test_search_prefix_discoverable_first_blocks_and_following(api_for: ApiFor) -> None:
    me = make_account("me")
    hidden = make_account("annabel", discoverable=False)
    anna = make_account("anna")
    ann_word = make_account("zed", display_name="Dr Ann Smith")
    make_account("bob")
    blocker = make_account("annoyed")
    network_actions.block(blocker, me)
    api = api_for(me)
    found = [a["username"] for a in api.get("/api/v1/accounts/search", {"q": "ann"}).json()]
    assert set(found) == {"annabel", "anna", "zed"}
    assert found[-1] == "annabel"  # not discoverable: after the others
    exact = api.get("/api/v1/accounts/search", {"q": "annabel"}).json()
    assert exact[0]["id"] == str(hidden.pk)
    network_actions.follow(me, ann_word)
    followed = api.get("/api/v1/accounts/search", {"q": "@ann", "following": "true"}).json()
    assert [a["id"] for a in followed] == [str(ann_word.pk)]
    again = [a["username"] for a in api.get("/api/v1/accounts/search", {"q": "ann"}).json()]
    assert again[0] == "zed"  # now the most followed of the discoverable ones
    page = api.get("/api/v1/accounts/search", {"q": "ann", "limit": "1", "offset": "1"}).json()
    assert [a["username"] for a in page] == again[1:2]
    assert api.get("/api/v1/accounts/search", {"q": "anna@remote.example"}).json() == []
    assert anna.pk  # found above
    assert api.get("/api/v1/accounts/search").status_code == 400
    assert api.get("/api/v1/accounts/search", {"q": "a", "limit": "x"}).status_code == 422
    assert api.get("/api/v1/accounts/search", {"q": "%"}).json() == []
    assert api_for(False).get("/api/v1/accounts/search", {"q": "ann"}).status_code == 401
    assert api_for(me, "write").get("/api/v1/accounts/search", {"q": "a"}).status_code == 403


def test_suggestions(api_for: ApiFor) -> None:
    me = make_account("me")
    star = make_account("star")
    followed = make_account("followed")
    make_account("shy", discoverable=False)
    for i in range(3):
        network_actions.follow(make_account(f"fan{i}"), star)
    network_actions.follow(me, followed)
    api = api_for(me)
    body = api.get("/api/v2/suggestions", {"limit": 2}).json()
    assert len(body) == 2
    assert body[0]["account"]["id"] == str(star.pk)
    assert body[0]["source"] == "global" and body[0]["sources"]
    every = {s["account"]["username"] for s in api.get("/api/v2/suggestions").json()}
    assert not every & {"me", "followed", "shy"}
    assert api.get("/api/v1/suggestions").status_code == 200
    assert api.delete(f"/api/v1/suggestions/{star.pk}").json() == {}
    assert api.delete("/api/v1/suggestions/nonsense").json() == {}
    assert api_for(False).get("/api/v2/suggestions").status_code == 401


def account_of(response: Any) -> Account:
    return Account.objects.get(pk=response.json()["id"])


def test_accounts_index_view(api_for: ApiFor) -> None:
    """``accounts_index`` is for ``GET /api/v1/accounts?id[]=`` (routed by the apps module)."""
    from django.test import RequestFactory

    from mastodon.views.accounts import accounts_index

    ada, bob, me = make_account("ada"), make_account("bob"), make_account("me")
    network_actions.block(bob, me)
    from mastodon.actions import issue_token
    from mastodon.models import Application

    _, raw = issue_token(me.user, Application.objects.get(), scopes="read")
    request = RequestFactory().get(
        "/api/v1/accounts",
        {"id[]": [str(bob.pk), str(ada.pk), "nope", "77", str(ada.pk)]},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    response = accounts_index(request)
    assert response.status_code == 200
    assert [a["username"] for a in json.loads(response.content)] == ["ada"]
