"""Regression tests for what Mastodon.py's own test suite found wrong: featured hashtags
(Plaza's profile interests), endorse/unendorse, account notes, profile-field limits, profile
image removal, the directory, languages, ``/health``, tag (un)follow of unused names and
grouped-notification paging."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from accounts.models import Account
from network.actions import block, follow
from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _links(response) -> dict[str, str]:
    out = {}
    for part in response.headers.get("Link", "").split(","):
        if ";" in part:
            url, rel = part.split(";", 1)
            out[rel.strip().removeprefix('rel="').rstrip('"')] = url.strip().strip("<>")
    return out


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# --- featured hashtags -----------------------------------------------------------------------


def test_featured_tags_are_profile_interests(api_for):
    me = make_account("me")
    publish(me, text="cool free #ringtones")
    publish(me, text="more #ringtones and #coolfree")
    api = api_for(me)
    assert api.get("/api/v1/featured_tags").json() == []
    suggested = api.get("/api/v1/featured_tags/suggestions").json()
    assert [t["name"] for t in suggested] == ["ringtones", "coolfree"]

    created = api.post("/api/v1/featured_tags", {"name": "#RingTones"})
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["id"] == "ringtones" and body["name"] == "ringtones"
    assert body["statuses_count"] == 2 and body["last_status_at"] is not None
    assert body["url"].endswith("/tags/ringtones")
    assert api.post_json("/api/v1/featured_tags", {"name": "coolfree"}).status_code == 200
    me.refresh_from_db()
    assert me.interests == ["ringtones", "coolfree"]
    # Already featured: no longer suggested.
    assert api.get("/api/v1/featured_tags/suggestions").json() == []

    assert api.delete("/api/v1/featured_tags/ringtones").json() == {}
    listed = api_for(False).get(f"/api/v1/accounts/{me.pk}/featured_tags").json()
    assert [t["name"] for t in listed] == ["coolfree"] and "url" in listed[0]
    assert api.delete("/api/v1/featured_tags/ringtones").status_code == 404


def test_featured_tags_bad_input(api_for):
    me = make_account("me")
    api = api_for(me)
    assert api.post("/api/v1/featured_tags", {}).status_code == 422
    bad = api.post("/api/v1/featured_tags", {"name": "not a tag!"})
    assert bad.status_code == 422 and "error" in bad.json()
    assert api_for(me, scopes="read").post("/api/v1/featured_tags", {"name": "x"}).status_code in (
        401,
        403,
    )
    me.refresh_from_db()
    assert me.interests == []


def test_tag_feature_and_unfeature(api_for):
    me = make_account("me")
    api = api_for(me)
    tag = api.post("/api/v1/tags/ringtones/feature").json()
    assert tag["name"] == "ringtones" and tag["featuring"] is True
    assert api.get("/api/v1/featured_tags").json()[0]["name"] == "ringtones"
    tag = api.post("/api/v1/tags/ringtones/unfeature").json()
    assert tag["featuring"] is False
    assert api.post("/api/v1/tags/bad!name/feature").status_code == 404


def test_featured_tags_of_a_blocker_are_hidden(api_for):
    me, other = make_account("me"), make_account("other")
    other.interests = ["cats"]
    other.save()
    assert len(api_for(me).get(f"/api/v1/accounts/{other.pk}/featured_tags").json()) == 1
    block(other, me)
    assert api_for(me).get(f"/api/v1/accounts/{other.pk}/featured_tags").status_code == 404


def test_unfollowing_an_unused_tag_answers_the_tag(api_for):
    api = api_for(make_account("me"))
    tag = api.post("/api/v1/tags/heeho/unfollow")
    assert tag.status_code == 200
    assert tag.json()["name"] == "heeho" and tag.json()["following"] is False


# --- accounts --------------------------------------------------------------------------------


def test_endorse_and_unendorse_aliases(api_for):
    me, ada = make_account("me"), make_account("ada")
    follow(me, ada)
    api = api_for(me)
    assert api.post(f"/api/v1/accounts/{ada.pk}/endorse").json()["endorsed"] is True
    assert [a["id"] for a in api.get("/api/v1/endorsements").json()] == [str(ada.pk)]
    assert api.post(f"/api/v1/accounts/{ada.pk}/unendorse").json()["endorsed"] is False
    assert api.get("/api/v1/endorsements").json() == []


def test_more_than_four_profile_fields_are_refused(api_for):
    me = make_account("me")
    response = api_for(me).patch_json(
        "/api/v1/accounts/update_credentials",
        {
            "display_name": "Changed",
            "fields_attributes": [{"name": f"n{i}", "value": f"v{i}"} for i in range(5)],
        },
    )
    assert response.status_code == 422 and "error" in response.json()
    me.refresh_from_db()
    assert me.display_name != "Changed"  # nothing half-written
    four = [{"name": "Website", "value": "https://example.com"}] + [
        {"name": f"n{i}", "value": f"v{i}"} for i in range(3)
    ]
    ok = api_for(me).patch_json("/api/v1/accounts/update_credentials", {"fields_attributes": four})
    assert ok.status_code == 200


def test_delete_avatar_and_header(api_for):
    me = make_account("me")
    api = api_for(me)
    for kind in ("avatar", "header"):
        body = api.delete(f"/api/v1/profile/{kind}").json()
        assert body["id"] == str(me.pk) and body[kind].endswith("-missing.png")
    assert api_for(me, scopes="read").delete("/api/v1/profile/avatar").status_code in (401, 403)


def test_directory_lists_discoverable_accounts_minus_blocks(api_for, django_assert_max_num_queries):
    me = make_account("me")
    quiet = make_account("quiet")
    Account.objects.filter(pk=quiet.pk).update(discoverable=False)
    active, blocker = make_account("active"), make_account("blocker")
    publish(active, text="hello")
    block(blocker, me)
    api = api_for(me)
    listed = [a["username"] for a in api.get("/api/v1/directory").json()]
    assert listed[0] == "active"
    assert "quiet" not in listed and "blocker" not in listed and "me" in listed
    newest = [a["username"] for a in api.get("/api/v1/directory?order=new&limit=2").json()]
    assert newest == ["active", "me"]
    assert [
        a["username"] for a in api.get("/api/v1/directory?order=new&offset=1&limit=1").json()
    ] == ["me"]
    assert api.get("/api/v1/directory?order=sideways").status_code == 422
    assert api.get("/api/v1/directory?limit=x").status_code in (400, 422)
    assert api_for(False).get("/api/v1/directory").status_code == 200


def test_directory_costs_the_same_for_5_and_30(api_for, django_assert_max_num_queries):
    api = api_for(make_account("me"))
    for _ in range(5):
        make_account()
    with django_assert_max_num_queries(8) as small:
        api.get("/api/v1/directory")
    for _ in range(25):
        make_account()
    with django_assert_max_num_queries(len(small.captured_queries)):
        api.get("/api/v1/directory")


# --- instance --------------------------------------------------------------------------------


def test_health_languages_and_translation_languages(api_for):
    anon = api_for(False)
    health = anon.get("/health")
    assert health.status_code == 200 and health.content == b"OK"
    languages = anon.get("/api/v1/instance/languages").json()
    assert {"code": "en", "name": "English"} in languages
    assert all("-" not in lang["code"] for lang in languages)
    assert anon.get("/api/v1/instance/translation_languages").json() == {}


# --- grouped notifications -------------------------------------------------------------------


def test_grouped_notifications_next_link_on_every_non_empty_page(api_for, run_tasks):
    me, fan = make_account("me"), make_account("fan")
    with run_tasks():
        for i in range(10):
            publish(fan, text=f"@me hello {i}")
    api = api_for(me)
    first = api.get("/api/v2/notifications?limit=5")
    assert len(first.json()["notification_groups"]) == 5
    second = api.get(_path(_links(first)["next"]))
    assert len(second.json()["notification_groups"]) == 5
    links = _links(second)
    assert "next" in links and "prev" in links
    assert api.get(_path(links["next"])).json()["notification_groups"] == []
    back = api.get(_path(links["prev"])).json()["notification_groups"]
    assert [g["group_key"] for g in back] == [
        g["group_key"] for g in first.json()["notification_groups"]
    ]


# --- quote policies --------------------------------------------------------------------------


def test_interaction_policy_answers_plazas_fixed_rule(api_for):
    me, other = make_account("me"), make_account("other")
    post = publish(me, text="quote me")
    api = api_for(me)
    url = f"/api/v1/statuses/{post.pk}/interaction_policy"
    same = api.put_json(url, {"quote_approval_policy": "public"})
    assert same.status_code == 200 and same.json()["id"] == str(post.pk)
    assert same.json()["quote_approval"]["automatic"] == ["public"]
    other_policy = api.put_json(url, {"quote_approval_policy": "followers"})
    assert other_policy.status_code == 422 and "quote policy" in other_policy.json()["error"]
    assert api_for(other).put_json(url, {"quote_approval_policy": "public"}).status_code == 403
    assert api.put_json("/api/v1/statuses/1/interaction_policy", {}).status_code == 404


def test_quote_revoke_is_a_clear_422(api_for):
    me, other = make_account("me"), make_account("other")
    post = publish(me, text="quote me")
    quote = publish(other, text="look", quote_of=post)
    url = f"/api/v1/statuses/{post.pk}/quotes/{quote.pk}/revoke"
    response = api_for(me).post(url)
    assert response.status_code == 422 and "error" in response.json()
    assert api_for(other).post(url).status_code == 403


def test_get_with_a_json_body_reads_it(api_for):
    # Mastodon.py sends GET /api/v1/accounts/familiar_followers with {"id": [...]} as JSON.
    me, ada, fan = make_account("me"), make_account("ada"), make_account("fan")
    follow(me, fan)
    follow(fan, ada)
    body = json.dumps({"id": [str(ada.pk)]})
    response = api_for(me).generic(
        "GET", "/api/v1/accounts/familiar_followers", body, content_type="application/json"
    )
    assert response.status_code == 200
    found = response.json()
    assert found[0]["id"] == str(ada.pk)
    assert [a["username"] for a in found[0]["accounts"]] == ["fan"]
