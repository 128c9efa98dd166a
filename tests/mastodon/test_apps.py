"""``POST /api/v1/apps`` and ``GET /api/v1/apps/verify_credentials``."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from mastodon.models import Application

pytestmark = pytest.mark.django_db


def test_register_with_a_form_body(client: Client):
    response = client.post(
        "/api/v1/apps",
        {
            "client_name": "Tusky",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read write follow push",
            "website": "https://tusky.app",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Tusky"
    assert body["website"] == "https://tusky.app"
    assert body["scopes"] == ["follow", "push", "read", "write"]
    assert body["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob"
    assert body["redirect_uris"] == ["urn:ietf:wg:oauth:2.0:oob"]
    assert body["client_secret_expires_at"] == 0
    assert body["vapid_key"] == ""
    assert isinstance(body["id"], str) and body["id"].isdigit()
    app = Application.objects.get(client_id=body["client_id"])
    # The secret is stored hashed but checks against what the client got.
    assert app.client_secret != body["client_secret"]
    from django.contrib.auth.hashers import check_password

    assert check_password(body["client_secret"], app.client_secret)


def test_register_with_json_array_redirect_uris_and_default_scope(client: Client):
    response = client.post(
        "/api/v1/apps",
        json.dumps(
            {
                "client_name": "Elk",
                "redirect_uris": ["https://elk.zone/api/callback", "elk://callback"],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["redirect_uris"] == ["https://elk.zone/api/callback", "elk://callback"]
    assert body["redirect_uri"] == "https://elk.zone/api/callback\nelk://callback"
    assert body["scopes"] == ["read"]
    assert body["website"] is None


def test_register_with_newline_separated_uris_and_form_array(client: Client):
    body = client.post(
        "/api/v1/apps",
        {"client_name": "A", "redirect_uris": "https://a.example/cb\nhttps://a.example/cb2"},
    ).json()
    assert body["redirect_uris"] == ["https://a.example/cb", "https://a.example/cb2"]
    body = client.post(
        "/api/v1/apps",
        {"client_name": "B", "redirect_uris[]": ["https://b.example/1", "https://b.example/2"]},
    ).json()
    assert body["redirect_uris"] == ["https://b.example/1", "https://b.example/2"]
    body = client.post(
        "/api/v1/apps",
        json.dumps({"client_name": "C", "redirect_uris": "x:/", "scopes": ["read", "write"]}),
        content_type="application/json",
    ).json()
    assert body["scopes"] == ["read", "write"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"client_name": "", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"},
        {"client_name": "X"},
        {"client_name": "X", "redirect_uris": "not a uri"},
        {"client_name": "X", "redirect_uris": "/relative/path"},
        {"client_name": "X", "redirect_uris": "https://a.example/cb#frag"},
        {"client_name": "X", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read bogus"},
        {
            "client_name": "X",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "website": "javascript:x",
        },
        {"client_name": "X" * 300, "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"},
        {"client_name": {"a": 1}, "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"},
    ],
)
def test_invalid_registrations_are_422_and_write_nothing(client: Client, payload):
    response = client.post("/api/v1/apps", json.dumps(payload), content_type="application/json")
    assert response.status_code == 422, response.content
    assert isinstance(response.json()["error"], str)
    assert not Application.objects.exists()


def test_malformed_json_is_400(client: Client):
    response = client.post("/api/v1/apps", "{", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_register_needs_post(client: Client):
    response = client.get("/api/v1/apps")
    assert response.status_code == 405
    assert "error" in response.json()


def test_cors_on_apps(client: Client):
    response = client.options(
        "/api/v1/apps",
        headers={"Origin": "https://elk.zone", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" in response.headers


def test_verify_credentials_with_app_and_user_tokens(api_for, oauth_app):
    from tests.factories import make_account

    for api in (api_for(None), api_for(make_account("alice"))):
        response = api.get("/api/v1/apps/verify_credentials")
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "Test client"
        assert body["id"] == str(oauth_app.pk)
        assert "client_secret" not in body and "client_id" not in body
        assert body["scopes"] == ["follow", "push", "read", "write"]


def test_verify_credentials_without_a_valid_token(api_for):
    assert api_for(False).get("/api/v1/apps/verify_credentials").status_code == 401
    bad = Client(headers={"Authorization": "Bearer nope"})
    response = bad.get("/api/v1/apps/verify_credentials")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}
