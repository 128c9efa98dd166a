"""Authentication, scopes, error shapes, the schema and the docs page of the native API."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from accounts.models import Visibility
from notifications.models import NotificationKind
from tests.api.conftest import Api
from tests.factories import make_account

ME = "/api/plaza/v1/me"


def test_no_token_is_401_with_error_body(db: Any) -> None:
    response = Api(None).get(ME)
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is missing or invalid"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_token_is_401_even_on_public_reads(db: Any) -> None:
    bad = Api("not-a-token")
    assert bad.get(ME).status_code == 401
    assert bad.get("/api/plaza/v1/feeds/public").status_code == 401
    basic = Client(headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.get("/api/plaza/v1/feeds/public").status_code == 401


def test_public_reads_need_no_token(db: Any) -> None:
    ana = make_account("ana")
    anonymous = Api(None)
    assert anonymous.get("/api/plaza/v1/feeds/public").status_code == 200
    assert anonymous.get(f"/api/plaza/v1/accounts/{ana.pk}").json()["account"]["username"] == "ana"


def test_app_only_token_cannot_act_as_anybody(api_for: Any) -> None:
    response = api_for(None).get(ME)
    assert response.status_code == 403
    assert "user" in response.json()["error"]


def test_read_token_cannot_write(api_for: Any) -> None:
    ana = make_account("ana")
    reader = api_for(ana, scopes="read")
    assert reader.get(ME).status_code == 200
    response = reader.post_json("/api/plaza/v1/posts", {"text": "hello"})
    assert response.status_code == 403
    assert "scope" in response.json()["error"]
    assert reader.patch_json(ME, {"display_name": "X"}).status_code == 403
    ana.refresh_from_db()
    assert ana.display_name == "Ana"


def test_granular_scopes_are_per_area(api_for: Any) -> None:
    ana = make_account("ana")
    bob = make_account("bob")
    client = api_for(ana, scopes="read:statuses write:follows")
    assert client.get("/api/plaza/v1/feeds/home").status_code == 200
    assert client.get("/api/plaza/v1/notifications").status_code == 403
    assert client.post_json("/api/plaza/v1/posts", {"text": "x"}).status_code == 403
    assert client.post_json(f"/api/plaza/v1/accounts/{bob.pk}/follow").status_code == 200
    # The legacy "follow" scope covers follows, blocks and mutes.
    follower = api_for(ana, scopes="follow")
    assert follower.post_json(f"/api/plaza/v1/accounts/{bob.pk}/mute").status_code == 200


def test_disabled_login_is_refused(api_for: Any) -> None:
    ana = make_account("ana")
    client = api_for(ana)
    ana.user.is_active = False
    ana.user.save()
    assert client.get(ME).status_code == 403


def test_schema_errors_are_422_with_error_body(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    response = client.post_json("/api/plaza/v1/posts", {"text": ["not", "a", "string"]})
    assert response.status_code == 422
    assert "text" in response.json()["error"]
    response = client.get("/api/plaza/v1/feeds/home?limit=500")
    assert response.status_code == 422
    assert "limit" in response.json()["error"]
    response = client.post_json("/api/plaza/v1/posts", {"text": "nul \x00 byte"})
    assert response.status_code == 422


def test_malformed_json_is_4xx(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    response = client.post("/api/plaza/v1/posts", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_form_bodies_are_accepted(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    response = client.post(
        "/api/plaza/v1/posts",
        "text=From+a+form&visibility=unlisted",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201
    assert response.json()["visibility"] == "unlisted"


def test_bad_page_key_is_422(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    response = client.get("/api/plaza/v1/feeds/home?max_id=abc")
    assert response.status_code == 422
    assert "max_id" in response.json()["error"]
    assert client.get(f"/api/plaza/v1/feeds/home?max_id={2**64}").status_code == 422


def test_unknown_ids_are_404(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    for path in ("/accounts/123", "/accounts/abc", f"/accounts/{2**70}", "/posts/9", "/posts/x"):
        response = client.get("/api/plaza/v1" + path)
        assert response.status_code == 404, path
        assert response.json()["error"]


def test_openapi_schema_is_served(db: Any) -> None:
    response = Client().get("/api/plaza/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Plaza API"
    assert "/api/plaza/v1/connections/requests" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_docs_page_loads_swagger_from_our_own_static_files(db: Any) -> None:
    response = Client().get("/api/plaza/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui-dist/swagger-ui.css" in html
    assert "/api/plaza/v1/openapi.json" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    # The settings are JSON the page parses (json_script, not HTML-escaped text).
    settings_json = html.split('id="swagger-settings" type="application/json">')[1].split("<")[0]
    assert json.loads(settings_json)["url"] == "/api/plaza/v1/openapi.json"
    bundle = Client().get("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200


def test_schema_literals_match_the_models() -> None:
    from typing import get_args

    from accounts.api import VisibilityName
    from notifications.api import KindName

    assert set(get_args(VisibilityName)) == set(Visibility.values)
    assert set(get_args(KindName)) == set(NotificationKind.values)
