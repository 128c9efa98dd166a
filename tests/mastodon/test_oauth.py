"""OAuth 2 as Mastodon clients use it: authorization code with PKCE, the out-of-band page,
client credentials, refresh, revoke — through the same HTTP doors the clients use."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Grant

from mastodon.actions import register_app
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db

REDIRECT = "https://client.example/callback"
OOB = "urn:ietf:wg:oauth:2.0:oob"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def app() -> Any:
    app, secret = register_app(
        name="Phanpy",
        redirect_uris=[REDIRECT, OOB],
        scopes="read write follow push",
        website="https://phanpy.example",
    )
    app.raw_secret = secret
    return app


@pytest.fixture
def alice() -> Any:
    return make_account("alice")


def authorize_url(app: Any, **params: str) -> str:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "read write",
        **params,
    }
    return "/oauth/authorize?" + urlencode({k: v for k, v in query.items() if v is not None})


def consent(client: Client, url: str, allow: bool = True) -> Any:
    """GET the consent page, then POST its form back as the browser would."""
    page = client.get(url)
    assert page.status_code == 200, page.content[:500]
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if form[name].is_hidden}
    if allow:
        data["allow"] = "Authorize"
    return client.post(url, data)


def code_from(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def exchange(client: Client, app: Any, code: str, verifier: str | None, *, as_json: bool) -> Any:
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.raw_secret,
        "redirect_uri": REDIRECT,
    }
    if verifier is not None:
        body["code_verifier"] = verifier
    if as_json:
        return client.post("/oauth/token", json.dumps(body), content_type="application/json")
    return client.post("/oauth/token", body)


# --- authorization code -------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "form"])
def test_full_code_flow_with_pkce(app, alice, as_json):
    browser = Client(enforce_csrf_checks=True)
    verifier, challenge = pkce()
    url = authorize_url(
        app, state="xyz 123/?&=", code_challenge=challenge, code_challenge_method="S256"
    )

    # Not logged in: the site's log-in page, coming back here afterwards.
    response = browser.get(url)
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith("/login?")
    login_page = browser.get(login_url)
    assert login_page.status_code == 200
    assert login_page.headers.get("Cross-Origin-Opener-Policy") != "same-origin"
    response = browser.post(
        login_url,
        {
            "username": "alice",
            "password": PASSWORD,
            "csrfmiddlewaretoken": login_page.context["csrf_token"],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url

    page = browser.get(url)
    assert page.status_code == 200
    assert page.headers["Cross-Origin-Opener-Policy"] == "unsafe-none"
    html = page.content.decode()
    assert "Phanpy" in html and "@alice" in html and "phanpy.example" in html
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if form[name].is_hidden}
    data["csrfmiddlewaretoken"] = page.context["csrf_token"]
    data["allow"] = "Authorize"
    params = code_from(browser.post(url, data))
    assert params["state"] == ["xyz 123/?&="]
    code = params["code"][0]

    client = Client()
    response = exchange(client, app, code, verifier, as_json=as_json)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == {"read", "write"}
    assert isinstance(body["created_at"], int)
    assert abs(body["created_at"] - time.time()) < 60
    assert body["access_token"]

    me = client.get(
        "/api/v1/apps/verify_credentials",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert me.status_code == 200
    assert me.json()["name"] == "Phanpy"
    assert "client_secret" not in me.json()

    # A code works once.
    again = exchange(client, app, code, verifier, as_json=as_json)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_consent_form_enforces_csrf(app, alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice.user)
    url = authorize_url(app, state="s")
    page = browser.get(url)
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if form[name].is_hidden}
    data["allow"] = "Authorize"
    response = browser.post(url, data)  # no CSRF token
    assert response.status_code == 403
    assert not Grant.objects.exists()


def test_state_absent_stays_absent(app, alice):
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app)))
    assert "state" not in params
    assert "None" not in str(params)
    assert params["code"][0]


def test_deny_redirects_with_access_denied_and_state(app, alice):
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app, state="abc"), allow=False))
    assert params["error"] == ["access_denied"]
    assert params["state"] == ["abc"]
    assert "code" not in params


def test_out_of_band_page_shows_the_code(app, alice):
    client = Client()
    client.force_login(alice.user)
    url = authorize_url(app, redirect_uri=OOB, state="st")
    response = consent(client, url)
    assert response.status_code == 200
    assert response.headers["Cross-Origin-Opener-Policy"] == "unsafe-none"
    code = Grant.objects.get().code
    assert code in response.content.decode()
    token = client.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "client_secret": app.raw_secret,
            "redirect_uri": OOB,
        },
    )
    assert token.status_code == 200, token.content
    assert token.json()["access_token"]


def test_oob_deny_shows_a_page(app, alice):
    client = Client()
    client.force_login(alice.user)
    response = consent(client, authorize_url(app, redirect_uri=OOB), allow=False)
    assert response.status_code == 400
    assert b"not granted" in response.content


def test_wrong_verifier_and_plain_method_are_refused(app, alice):
    client = Client()
    client.force_login(alice.user)
    _verifier, challenge = pkce()
    params = code_from(
        consent(client, authorize_url(app, code_challenge=challenge, code_challenge_method="S256"))
    )
    wrong = exchange(client, app, params["code"][0], "x" * 50, as_json=True)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    missing = exchange(client, app, params["code"][0], None, as_json=True)
    assert missing.status_code == 400
    assert "error" in missing.json()

    # The plain method (or a challenge without a method, which means plain) is refused.
    for extra in ({"code_challenge_method": "plain"}, {}):
        response = client.get(authorize_url(app, code_challenge="a" * 50, state="q", **extra))
        params = code_from(response)
        assert params["error"] == ["invalid_request"]
        assert params["state"] == ["q"]


@pytest.mark.parametrize(
    "change",
    [
        {"client_secret": "wrong"},
        {"client_id": "nobody"},
        {"code": "not-a-code"},
        {"redirect_uri": "https://evil.example/cb"},
        {"grant_type": "password"},
        {"grant_type": "nonsense"},
        {"code": ""},
    ],
)
def test_bad_token_requests_are_4xx_json(app, alice, change):
    client = Client()
    client.force_login(alice.user)
    verifier, challenge = pkce()
    params = code_from(
        consent(client, authorize_url(app, code_challenge=challenge, code_challenge_method="S256"))
    )
    body = {
        "grant_type": "authorization_code",
        "code": params["code"][0],
        "client_id": app.client_id,
        "client_secret": app.raw_secret,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **change,
    }
    for response in (
        client.post("/oauth/token", body),
        client.post("/oauth/token", json.dumps(body), content_type="application/json"),
    ):
        assert 400 <= response.status_code < 500, response.content
        assert "error" in response.json()
    assert not AccessToken.objects.exists()


def test_malformed_token_bodies(app):
    client = Client()
    for body in ("{not json", "[1, 2]", '"x"'):
        response = client.post("/oauth/token", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
    response = client.post(
        "/oauth/token",
        json.dumps({"grant_type": ["a", "b"], "client_id": {"x": 1}, "scope": 5}),
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
    assert client.get("/oauth/token").status_code in (400, 405)


def test_expired_code_is_refused(app, alice):
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app)))
    Grant.objects.update(expires="2000-01-01T00:00:00Z")
    response = exchange(client, app, params["code"][0], None, as_json=False)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_unregistered_redirect_uri_is_not_followed(app, alice):
    client = Client()
    client.force_login(alice.user)
    response = client.get(authorize_url(app, redirect_uri="https://evil.example/cb"))
    assert response.status_code == 400
    assert "evil.example" not in response.get("Location", "")
    assert b"not valid" in response.content


def test_unknown_client_shows_an_error_page(alice):
    client = Client()
    client.force_login(alice.user)
    response = client.get("/oauth/authorize?response_type=code&client_id=nope&redirect_uri=x")
    assert response.status_code == 400
    assert b"not valid" in response.content


def test_scopes_outside_the_app_are_invalid_scope(alice):
    app, _ = register_app(name="Reader", redirect_uris=[REDIRECT], scopes="read")
    client = Client()
    client.force_login(alice.user)
    params = code_from(client.get(authorize_url(app, scope="read write", state="s1")))
    assert params["error"] == ["invalid_scope"]
    assert params["state"] == ["s1"]
    params = code_from(client.get(authorize_url(app, scope="read bogus")))
    assert params["error"] == ["invalid_scope"]
    # Granular scopes inside the registered one are fine.
    page = client.get(authorize_url(app, scope="read:statuses read:accounts"))
    assert page.status_code == 200


def test_granted_scopes_are_the_ones_asked_for(app, alice):
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app, scope="read:statuses write:media")))
    body = exchange(client, app, params["code"][0], None, as_json=True).json()
    assert set(body["scope"].split()) == {"read:statuses", "write:media"}


def test_scope_defaults_to_read(app, alice):
    client = Client()
    client.force_login(alice.user)
    url = "/oauth/authorize?" + urlencode(
        {"response_type": "code", "client_id": app.client_id, "redirect_uri": REDIRECT}
    )
    params = code_from(consent(client, url))
    body = exchange(client, app, params["code"][0], None, as_json=True).json()
    assert body["scope"] == "read"


def test_plus_separated_scopes(app, alice):
    client = Client()
    client.force_login(alice.user)
    url = authorize_url(app).replace("scope=read+write", "scope=read%2Bwrite")
    params = code_from(consent(client, url))
    body = exchange(client, app, params["code"][0], None, as_json=True).json()
    assert set(body["scope"].split()) == {"read", "write"}


def _logged_in_long_ago(client: Client) -> None:
    from accounts.signals import LOGGED_IN_AT_KEY

    session = client.session
    session[LOGGED_IN_AT_KEY] = 0
    session.save()


def test_force_login_logs_out_first(app, alice):
    client = Client()
    client.force_login(alice.user)
    _logged_in_long_ago(client)
    response = client.get(authorize_url(app, force_login="true", state="f"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login?")
    assert "_auth_user_id" not in client.session
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert "force_login" not in next_url and "state=f" in next_url
    # Logging in as someone else, then the consent page is theirs.
    bob = make_account("bob")
    client.force_login(bob.user)
    page = client.get(next_url)
    assert page.status_code == 200
    assert "@bob" in page.content.decode()


def test_previous_approval_is_not_reused_silently(app, alice):
    """Each authorize shows the consent page (Mastodon asks every time unless the app is
    trusted) — a past token must not skip it for a different client request."""
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app)))
    exchange(client, app, params["code"][0], None, as_json=True)
    page = client.get(authorize_url(app, state="again"))
    assert page.status_code in (200, 302)
    if page.status_code == 302:  # auto-approval keeps the state intact
        assert code_from(page)["state"] == ["again"]


def test_lang_parameter_is_accepted(app, alice):
    client = Client()
    client.force_login(alice.user)
    assert client.get(authorize_url(app, lang="de")).status_code == 200


# --- client credentials, refresh, revoke ---------------------------------------------------


def test_client_credentials_gives_an_app_token(app):
    client = Client()
    response = client.post(
        "/oauth/token",
        json.dumps(
            {
                "grant_type": "client_credentials",
                "client_id": app.client_id,
                "client_secret": app.raw_secret,
                "scope": "read write",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["created_at"], int)
    token = AccessToken.objects.get()
    assert token.user is None
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/v1/apps/verify_credentials", headers=auth).status_code == 200

    # Scopes outside the app's are refused; none asked → read.
    response = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.raw_secret,
            "scope": "admin:read",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    response = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.raw_secret,
        },
    )
    assert response.json()["scope"] == "read"


def test_client_credentials_with_basic_auth_and_wrong_secret(app):
    client = Client()
    basic = base64.b64encode(f"{app.client_id}:{app.raw_secret}".encode()).decode()
    response = client.post(
        "/oauth/token",
        {"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200
    response = client.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": "x"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_token_grant(app, alice):
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app)))
    first = exchange(client, app, params["code"][0], None, as_json=True).json()
    assert first["refresh_token"]
    response = client.post(
        "/oauth/token",
        json.dumps(
            {
                "grant_type": "refresh_token",
                "refresh_token": first["refresh_token"],
                "client_id": app.client_id,
                "client_secret": app.raw_secret,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert isinstance(second["created_at"], int)
    old = client.get(
        "/api/v1/apps/verify_credentials",
        headers={"Authorization": f"Bearer {first['access_token']}"},
    )
    assert old.status_code == 401
    new = client.get(
        "/api/v1/apps/verify_credentials",
        headers={"Authorization": f"Bearer {second['access_token']}"},
    )
    assert new.status_code == 200
    bad = client.post(
        "/oauth/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": "nope",
            "client_id": app.client_id,
            "client_secret": app.raw_secret,
        },
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "form"])
def test_revoke(app, alice, as_json):
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app)))
    token = exchange(client, app, params["code"][0], None, as_json=True).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/apps/verify_credentials", headers=auth).status_code == 200
    body = {"token": token, "client_id": app.client_id, "client_secret": app.raw_secret}
    if as_json:
        response = client.post("/oauth/revoke", json.dumps(body), content_type="application/json")
    else:
        response = client.post("/oauth/revoke", body)
    assert response.status_code == 200
    assert response.json() == {}
    assert client.get("/api/v1/apps/verify_credentials", headers=auth).status_code == 401
    # Revoking again, or an unknown token, is still fine (RFC 7009).
    assert client.post("/oauth/revoke", body).status_code == 200


def test_revoke_needs_the_client_credentials(app, api_for, alice):
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app)))
    token = exchange(client, app, params["code"][0], None, as_json=True).json()["access_token"]
    response = client.post(
        "/oauth/revoke", {"token": token, "client_id": app.client_id, "client_secret": "bad"}
    )
    assert response.status_code in (401, 403)
    assert "error" in response.json()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/apps/verify_credentials", headers=auth).status_code == 200


# --- headers -------------------------------------------------------------------------------


def test_coop_is_relaxed_on_oauth_pages_only(app, alice, client):
    assert client.get(authorize_url(app)).headers["Cross-Origin-Opener-Policy"] == "unsafe-none"
    login = client.get("/login?" + urlencode({"next": authorize_url(app)}))
    assert login.headers["Cross-Origin-Opener-Policy"] == "unsafe-none"
    plain_login = client.get("/login")
    assert plain_login.headers.get("Cross-Origin-Opener-Policy") == "same-origin"


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke"])
def test_cors_preflight_on_token_endpoints(client, path):
    response = client.options(
        path,
        headers={
            "Origin": "https://elk.zone",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://elk.zone")
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_cors_on_token_response(app, client):
    response = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.raw_secret,
        },
        headers={"Origin": "https://phanpy.social"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://phanpy.social")


def test_authorize_page_has_no_cors(app, client):
    response = client.get(authorize_url(app), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    "tamper",
    [{"scope": "read write admin:write"}, {"redirect_uri": "https://evil.example/cb"}],
)
def test_tampered_consent_form_is_refused(app, alice, tamper):
    app.scopes = "read write"
    app.save()
    client = Client()
    client.force_login(alice.user)
    url = authorize_url(app, state="t")
    page = client.get(url)
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if form[name].is_hidden}
    data.update(tamper, allow="Authorize")
    response = client.post(url, data)
    assert "evil.example" not in response.get("Location", "")
    assert "code=" not in response.get("Location", "")
    assert not Grant.objects.exists()


def test_consent_page_explains_the_scopes(app, alice):
    client = Client()
    client.force_login(alice.user)
    html = client.get(authorize_url(app, scope="read:statuses read:accounts push")).content
    text = html.decode()
    assert "Only: accounts, statuses" in text
    assert "Send you notifications" in text
    assert "Act for you" not in text
    assert "client.example" in text  # where the browser goes next
    oob = client.get(authorize_url(app, redirect_uri=OOB)).content.decode()
    assert "code to paste" in oob


def test_not_you_logs_out_and_comes_back(app, alice):
    client = Client()
    client.force_login(alice.user)
    url = authorize_url(app, state="n")
    client.get(url)
    response = client.post("/logout", {"next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.get(url)["Location"].startswith("/login?")


def test_code_exchange_with_extra_scope_param_like_mastodon_py(app, alice):
    """Mastodon.py's log_in sends ``scope`` with the code; it must not break the exchange."""
    client = Client()
    client.force_login(alice.user)
    params = code_from(consent(client, authorize_url(app)))
    response = client.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "client_id": app.client_id,
            "client_secret": app.raw_secret,
            "redirect_uri": REDIRECT,
            "scope": "read write",
        },
    )
    assert response.status_code == 200, response.content
    assert set(response.json()["scope"].split()) == {"read", "write"}


def test_force_login_asks_an_anonymous_visitor_to_log_in_once(app, alice):
    from tests.factories import PASSWORD

    client = Client()
    url = authorize_url(app, force_login="true", state="once")
    first = client.get(url)
    assert first["Location"].startswith("/login?")
    next_url = parse_qs(urlsplit(first["Location"]).query)["next"][0]
    logged_in = client.post(
        "/login?" + urlencode({"next": next_url}), {"username": "alice", "password": PASSWORD}
    )
    assert logged_in.status_code == 302
    page = client.get(logged_in["Location"])
    assert page.status_code == 200  # the consent page, not a second log-in
    assert "@alice" in page.content.decode()
