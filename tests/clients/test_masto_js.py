"""masto.js (npm ``masto``), unmodified, against a live Plaza, run with Node.

Each test runs one scenario of ``js/client.mjs`` and checks what the library made of Plaza's
answers. masto.js posts JSON bodies (token requests too), polls ``/api/v1/media/:id`` after a
202 from ``/api/v2/media``, follows ``Link`` headers, and streams over a WebSocket with the
token as subprotocol.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients.conftest import ClientRunner, PlazaServer

pytestmark = pytest.mark.clients


def test_instance(masto_js: ClientRunner, plaza_server: PlazaServer) -> None:
    r = masto_js.run("instance")
    assert r["version"].startswith("4."), r
    assert r["domain"] == plaza_server.base_url.split("//")[1]
    assert r["streaming"].startswith("ws://127.0.0.1:")
    assert r["api_versions"] and r["api_versions"].get("mastodon")


def test_register_app(masto_js: ClientRunner) -> None:
    r = masto_js.run("register_app")
    assert r["client_id"] and r["has_secret"]
    assert r["name"] == r["app_name"] == "masto.js tests"
    assert r["token_type"].lower() == "bearer"


def test_oauth_code_flow_with_pkce(masto_js: ClientRunner) -> None:
    r = masto_js.run("oauth_pkce")
    assert "S256" in r["methods"]
    assert r["state_back"] == r["state_sent"]
    assert r["logins"] == 1
    assert r["wrong_verifier"] != "accepted", "a code was exchanged with the wrong verifier"
    assert r["username"] == "js_carol"
    assert set(r["scope"].split()) == {"read", "write", "follow", "push"}
    assert r["after_revoke"] == 401


def test_verify_credentials(masto_js: ClientRunner) -> None:
    r = masto_js.run("verify_credentials")
    assert r["username"] == r["acct"] == "js_alice"
    assert r["source_privacy"] in ("public", "unlisted", "private", "direct")
    assert r["created_at"].endswith("Z")


def test_update_credentials_with_avatar(masto_js: ClientRunner) -> None:
    r = masto_js.run("update_credentials")
    assert r["display_name"] == "Alice (masto.js)"
    assert "Testing from the JavaScript client" in r["note"]
    assert r["avatar"].startswith("http://127.0.0.1:")


def test_post_with_media(masto_js: ClientRunner) -> None:
    r = masto_js.run("post_with_media")
    media = r["media"]
    assert media["type"] == "image"
    assert media["description"] == "A gradient from masto.js"
    assert media["url"].startswith("http://127.0.0.1:")
    assert r["fetched_media_ids"] == [media["id"]]
    assert r["status"]["tags"] == ["mastoclients"]
    assert r["image_status"] == 200
    assert r["image_type"].startswith("image/")


def test_statuses(masto_js: ClientRunner) -> None:
    r = masto_js.run("statuses")
    assert r["reply_in_reply_to"] == r["root"]
    assert r["reply"] in r["context_descendants"]
    assert r["favourited"] is True
    assert r["reblog_of"] == r["root"]
    assert r["idempotent_same"] is True, "Idempotency-Key must return the first status"
    assert "(edited)" in r["edited_content"]
    assert r["history_len"] == 2


def test_timelines(masto_js: ClientRunner) -> None:
    r = masto_js.run("timelines")
    status = r["status"]
    assert status in r["home"]
    assert status in r["public"]
    assert status in r["local"]
    assert r["tag"] == [status]
    assert [len(p) for p in r["pages"]] == [1, 1]
    assert int(r["pages"][1][0]) < int(r["pages"][0][0])


def test_notifications(masto_js: ClientRunner) -> None:
    r = masto_js.run("notifications")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for item in r["items"]:
        by_type.setdefault(item["type"], []).append(item)
    assert {"follow", "favourite", "mention"} <= set(by_type), r["items"]
    assert by_type["follow"][0]["account"] == "js_dave"
    assert any(n["status"] == r["post"] for n in by_type["favourite"])
    assert any(n["status"] == r["mention"] for n in by_type["mention"])
    assert r["mention_only_types"] == ["mention"]
    assert {"follow", "favourite", "mention"} <= set(r["grouped_types"])
    assert "js_dave" in r["grouped_accounts"]
    assert "error" not in r["unread"], r["unread"]


def test_follow_unfollow(masto_js: ClientRunner) -> None:
    r = masto_js.run("follows")
    assert r["followed"] is True
    assert "js_alice" in r["followers_of_carol"]
    assert r["rel_following"] is True
    assert r["unfollowed"] is False
    assert r["requested"] is True and r["requested_following"] is False
    assert r["pending"] == ["js_alice"]
    assert r["approved_followed_by"] is True
    assert r["after_following"] is True


def test_search(masto_js: ClientRunner) -> None:
    r = masto_js.run("search")
    assert r["bob"] in r["accounts"]
    assert "mastosearchtag" in r["hashtags"]
    assert r["keys"] == ["accounts", "hashtags", "statuses"]
    assert r["lookup"] == r["bob"]


@pytest.mark.parametrize("stream", ["streaming_user", "streaming_hashtag", "streaming_public"])
def test_streaming_update(masto_js: ClientRunner, stream: str) -> None:
    r = masto_js.run(stream)
    assert not r["errors"], r
    assert r["received"], f"no update for {r['posted_id']}; events: {r['events']}"
