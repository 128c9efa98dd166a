"""Token authentication and scope enforcement shared by every endpoint."""

from __future__ import annotations

import pytest
from django.urls import path

from mastodon.api import ApiRequest, endpoint
from mastodon.scopes import covers, parse
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@endpoint("GET", "POST", scope="write:statuses")
def _needs_write(request: ApiRequest) -> dict[str, str]:
    assert request.account is not None
    return {"username": request.account.username, "text": request.data.string("text", "") or ""}


urlpatterns = [path("t/write", _needs_write)]


@pytest.fixture(autouse=True)
def _routes(settings):
    settings.ROOT_URLCONF = __name__


def test_scope_hierarchy():
    assert covers({"read"}, "read:statuses")
    assert covers({"write"}, "write:media")
    assert covers({"follow"}, "write:blocks")
    assert not covers({"read"}, "write:statuses")
    assert not covers({"read", "write"}, "admin:read:accounts")
    assert covers({"admin:read"}, "admin:read:accounts")
    assert parse("read+write") == {"read", "write"}


def test_missing_invalid_and_narrow_tokens_are_refused(api_for):
    alice = make_account("alice")
    assert api_for(False).get("/t/write").status_code == 401
    bad = api_for(False)
    bad.defaults["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
    response = bad.get("/t/write")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}
    narrow = api_for(alice, scopes="read")
    response = narrow.post("/t/write", {"text": "hi"})
    assert response.status_code == 403
    assert "error" in response.json()
    assert api_for(None).get("/t/write").status_code == 422  # app token, no user


def test_form_and_json_bodies_both_work(api_for):
    alice = make_account("alice")
    api = api_for(alice)
    assert api.post("/t/write", {"text": "form"}).json() == {"username": "alice", "text": "form"}
    assert api.post_json("/t/write", {"text": "json"}).json()["text"] == "json"
    response = api.post("/t/write", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_revoked_token_is_refused(api_for, oauth_app):
    from oauth2_provider.models import AccessToken

    alice = make_account("alice")
    api = api_for(alice)
    assert api.get("/t/write").status_code == 200
    AccessToken.objects.filter(user=alice.user).delete()
    assert api.get("/t/write").status_code == 401


def test_wrong_method_is_405_json(api_for):
    api = api_for(make_account("alice"))
    response = api.delete("/t/write")
    assert response.status_code == 405
    assert response.json()["error"]
