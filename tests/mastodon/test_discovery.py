"""Discovery documents clients read before anything else (shared/CLIENTS.md)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_instance_v2_has_a_parseable_version_api_versions_and_streaming_url(client, settings):
    settings.PLAZA = settings.PLAZA.model_copy(update={"public_url": "https://plaza.example"})
    body = client.get("/api/v2/instance").json()
    assert re.match(r"^4\.3\.0 \(compatible; Plaza \d+\.\d+\.\d+\)$", body["version"])
    assert body["api_versions"]["mastodon"] >= 1
    assert body["domain"] == "plaza.example"
    assert body["configuration"]["urls"]["streaming"] == "wss://plaza.example"
    assert body["configuration"]["statuses"]["max_characters"] == 5000


def test_instance_v1_uses_the_public_host(client, settings):
    settings.PLAZA = settings.PLAZA.model_copy(update={"public_url": "https://plaza.example"})
    body = client.get("/api/v1/instance").json()
    assert body["uri"] == "plaza.example"
    assert body["urls"]["streaming_api"] == "wss://plaza.example"


def test_nodeinfo_says_upstream_mastodon(client):
    index = client.get("/.well-known/nodeinfo").json()
    hrefs = [link["href"] for link in index["links"]]
    assert any(h.endswith("/nodeinfo/2.0") for h in hrefs)
    doc = client.get("/nodeinfo/2.0").json()
    assert doc["metadata"]["upstream"]["name"] == "mastodon"
    assert client.get("/nodeinfo/9.9").status_code == 404


def test_oauth_metadata_lists_s256(client):
    doc = client.get("/.well-known/oauth-authorization-server").json()
    assert "S256" in doc["code_challenge_methods_supported"]
    assert doc["token_endpoint"].endswith("/oauth/token")


def test_cors_on_api_and_well_known(client):
    response = client.options(
        "/api/v2/instance",
        HTTP_ORIGIN="https://elk.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert response.status_code == 200
    assert response["access-control-allow-origin"] in ("*", "https://elk.example")
    assert "authorization" in response["access-control-allow-headers"].lower()
    got = client.get("/.well-known/nodeinfo", HTTP_ORIGIN="https://elk.example")
    assert "Link" in got["access-control-expose-headers"]


def test_webfinger_and_host_meta(client):
    from tests.factories import make_account

    make_account("alice")
    found = client.get("/.well-known/webfinger", {"resource": "acct:alice@localhost:8000"})
    assert found.status_code == 200
    assert found.json()["subject"].startswith("acct:alice@")
    assert (
        client.get("/.well-known/webfinger", {"resource": "acct:nobody@localhost:8000"}).status_code
        == 404
    )
    assert "lrdd" in client.get("/.well-known/host-meta").content.decode()


def test_trailing_slash_is_the_same_endpoint(client):
    # Mastodon.py asks for /api/v1/instance/ (with the slash); a 404 there sends its version
    # check into endless recursion.
    assert client.get("/api/v1/instance/").status_code == 200
    assert client.get("/api/v2/instance/").json()["version"].startswith("4.")
