"""Mastodon.py (PyPI ``mastodon-py``), unmodified, against a live Plaza.

Each test runs one scenario of ``mastodon_py/client.py`` in Mastodon.py's own venv and checks
what the library made of Plaza's answers.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients.conftest import ClientRunner, PlazaServer

pytestmark = pytest.mark.clients


def test_instance_discovery(mastodon_py: ClientRunner, plaza_server: PlazaServer) -> None:
    result = mastodon_py.run("instance")
    assert result["version"].startswith("4."), result
    assert result["v2_domain"] == plaza_server.base_url.split("//")[1]
    assert result["streaming"].startswith("ws://127.0.0.1:")
    assert "S256" in result["oauth"]["code_challenge_methods_supported"]
    assert "authorization_code" in result["oauth"]["grant_types_supported"]


def test_register_app(mastodon_py: ClientRunner) -> None:
    result = mastodon_py.run("register_app")
    assert result["client_id"] and result["has_secret"]
    assert result["app_name"] == "Mastodon.py tests"


@pytest.mark.parametrize("flow", ["oauth_code_redirect", "oauth_code_pkce", "oauth_code_oob"])
def test_oauth_code_flow(mastodon_py: ClientRunner, flow: str) -> None:
    """auth_request_url → log in and authorize in the browser → log_in(code=...)."""
    result = mastodon_py.run(flow)
    assert result["has_token"]
    assert result["username"] == "mp_carol"
    if flow != "oauth_code_oob":
        assert result["state_back"] == result["state_sent"]
    assert result["code_reuse"] != "accepted"
    # force_login=True from a logged-out browser: one log-in form, then the consent page
    assert result["logins"] == 1, "the browser had to log in more than once"


def test_verify_credentials(mastodon_py: ClientRunner) -> None:
    result = mastodon_py.run("verify_credentials")
    assert result["username"] == result["acct"] == "mp_alice"
    assert result["source_privacy"] in ("public", "unlisted", "private", "direct")
    assert result["created_at_type"] == "datetime"


def test_update_credentials_with_avatar(mastodon_py: ClientRunner) -> None:
    result = mastodon_py.run("update_credentials")
    assert result["display_name"] == "Alice (Mastodon.py)"
    assert "Testing from the Python client" in result["note"]
    assert result["avatar"].startswith("http://127.0.0.1:")


def test_post_with_media(mastodon_py: ClientRunner) -> None:
    result = mastodon_py.run("post_with_media")
    media = result["media"]
    assert media["type"] == "image"
    assert media["description"] == "A gradient"
    assert media["url"].startswith("http://127.0.0.1:")
    assert media["blurhash"]
    assert result["fetched_media_ids"] == [media["id"]]
    assert result["media_get_type"] == "image"
    assert result["status"]["tags"] == ["plazaclients"]
    assert result["image_status"] == 200
    assert result["image_type"].startswith("image/")


def test_statuses(mastodon_py: ClientRunner) -> None:
    r = mastodon_py.run("statuses")
    assert r["reply_in_reply_to"] == r["root"]
    assert r["reply"] in r["context_descendants"]
    assert r["favourited"] is True and r["favourites_count"] == 1
    assert r["reblog_of"] == r["root"]
    assert r["bookmarked"] is True and r["reply"] in r["bookmarks"]
    assert "(edited)" in r["edited_content"]
    assert r["history_len"] == 2
    assert r["source_text"] == "A thread from Mastodon.py (edited)"
    assert r["favourited_by"] == ["mp_bob"]
    assert r["spoiler_text"] == "cw"
    assert r["deleted"] == "MastodonNotFoundError"


def test_timelines(mastodon_py: ClientRunner) -> None:
    r = mastodon_py.run("timelines")
    status = r["status"]
    assert status in r["home"], "followed account's post missing from home"
    assert status in r["public"]
    assert status in r["local"]
    assert r["tag"] == [status]
    assert r["account"][0] == status
    assert len(r["page1"]) == 1 and len(r["page2"]) == 1
    assert int(r["page2"][0]) < int(r["page1"][0]), "fetch_next must page backwards"


def test_notifications(mastodon_py: ClientRunner) -> None:
    r = mastodon_py.run("notifications")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for item in r["items"]:
        by_type.setdefault(item["type"], []).append(item)
    assert {"follow", "favourite", "mention"} <= set(by_type), r["items"]
    assert by_type["follow"][0]["account"] == "mp_dave"
    assert any(n["status"] == r["post"] for n in by_type["favourite"])
    assert any(n["status"] == r["mention"] for n in by_type["mention"])
    assert r["mention_only_types"] == ["mention"]
    assert {"follow", "favourite", "mention"} <= set(r["grouped_types"])
    assert "mp_dave" in r["grouped_accounts"]


def test_follow_unfollow(mastodon_py: ClientRunner) -> None:
    r = mastodon_py.run("follows")
    assert r["followed"] is True
    assert "mp_alice" in r["followers_of_carol"]
    assert "mp_carol" in r["alice_following"]
    assert r["rel_following"] is True
    assert r["unfollowed"] is False
    # a locked account: a request first, then following once approved
    assert r["requested"] is True and r["requested_following"] is False
    assert r["pending"] == ["mp_alice"]
    assert r["approved_followed_by"] is True
    assert r["after_following"] is True


def test_search(mastodon_py: ClientRunner) -> None:
    r = mastodon_py.run("search")
    assert r["bob"] in r["accounts"]
    assert "mpysearchtag" in r["hashtags"]
    # Mastodon.py may add keys of its own (newer entity fields); ours must all be there.
    assert {"accounts", "hashtags", "statuses"} <= set(r["keys"])
    assert r["lookup"] == r["bob"]
    assert r["bob"] in r["account_search"]


@pytest.mark.parametrize("transport", ["streaming_user", "streaming_websocket"])
def test_streaming_user_update(mastodon_py: ClientRunner, transport: str) -> None:
    r = mastodon_py.run(transport)
    assert not r["errors"], r
    assert r["received"], f"no update for {r['posted_id']}; events: {r['events']}"
