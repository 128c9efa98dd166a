"""``POST /api/v1/accounts``: signing up through an app token, Mastodon's error details."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Account, User
from mastodon.actions import register_app
from tests.factories import make_account

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "newbie",
    "email": "newbie@example.test",
    "password": "a long enough passphrase 42",
    "agreement": "true",
    "locale": "en",
}


@pytest.fixture
def app_token(db) -> Client:
    app, secret = register_app(
        name="Signup app", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write"
    )
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": secret,
            "scope": "read write",
        },
    )
    token = response.json()["access_token"]
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_sign_up_returns_a_working_token(app_token):
    response = app_token.post("/api/v1/accounts", GOOD)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == {"read", "write"}
    assert isinstance(body["created_at"], int)
    account = Account.objects.get(username="newbie")
    assert account.user.email == "newbie@example.test"
    assert account.user.check_password(GOOD["password"])
    me = Client(headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.get("/api/v1/apps/verify_credentials").status_code == 200


def test_sign_up_with_json(api_for):
    response = api_for(None).post_json(
        "/api/v1/accounts", {**GOOD, "agreement": True, "reason": "hi"}
    )
    assert response.status_code == 200, response.content
    assert Account.objects.filter(username="newbie").exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"username": "taken"}, "username", "ERR_TAKEN"),
        ({"username": "TAKEN"}, "username", "ERR_TAKEN"),
        ({"username": "admin"}, "username", "ERR_RESERVED"),
        ({"username": "bad name!"}, "username", "ERR_INVALID"),
        ({"username": ""}, "username", "ERR_BLANK"),
        ({"email": "taken@example.test"}, "email", "ERR_TAKEN"),
        ({"email": "not-an-email"}, "email", "ERR_INVALID"),
        ({"email": ""}, "email", "ERR_BLANK"),
        ({"password": "short"}, "password", "ERR_TOO_SHORT"),
        ({"password": ""}, "password", "ERR_BLANK"),
        ({"agreement": "false"}, "agreement", "ERR_ACCEPTED"),
        ({"agreement": ""}, "agreement", "ERR_ACCEPTED"),
    ],
)
def test_validation_errors_like_mastodon(app_token, change, field, code):
    user = make_account("taken").user
    user.email = "taken@example.test"
    user.save()
    before = (User.objects.count(), Account.objects.count())
    response = app_token.post("/api/v1/accounts", {**GOOD, **change})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"].startswith("Validation failed: ")
    assert body["details"][field][0]["error"] == code
    assert body["details"][field][0]["description"]
    assert (User.objects.count(), Account.objects.count()) == before


def test_several_errors_at_once(app_token):
    response = app_token.post("/api/v1/accounts", {"locale": "en"})
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"username", "email", "password", "agreement"}


def test_wrong_types_are_422(api_for):
    response = api_for(None).post_json("/api/v1/accounts", {**GOOD, "username": {"x": 1}})
    assert response.status_code == 422
    assert not Account.objects.exists()
    response = api_for(None).post_json("/api/v1/accounts", {**GOOD, "agreement": "maybe"})
    assert response.status_code == 422


def test_needs_a_token_with_write_accounts(api_for):
    assert api_for(False).post("/api/v1/accounts", GOOD).status_code == 401
    response = api_for(None, scopes="read").post("/api/v1/accounts", GOOD)
    assert response.status_code == 403
    assert api_for(None, scopes="write:accounts").post("/api/v1/accounts", GOOD).status_code == 200


def test_closed_registrations_are_403(api_for, settings):
    settings.PLAZA = settings.PLAZA.model_copy(update={"registrations_open": False})
    response = api_for(None).post("/api/v1/accounts", GOOD)
    assert response.status_code == 403
    assert "error" in response.json()
    assert not Account.objects.exists()
