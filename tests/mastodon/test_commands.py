"""The operator commands: plaza_user, plaza_app, plaza_token (like Mastodon's tootctl)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from oauth2_provider.models import AccessToken

from accounts.models import Account, User
from mastodon.models import Application
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- plaza_user ------------------------------------------------------------------------------


def test_create_user_with_generated_password():
    out = run("plaza_user", "create", "alice", "--email", "alice@example.test")
    account = Account.objects.get(username="alice")
    password = out.split("New password: ")[1].strip()
    assert account.user.check_password(password)
    assert not account.user.is_staff
    assert not account.locked
    client = Client()
    assert client.login(username="alice", password=password)


def test_create_admin_locked_user_with_password():
    out = run(
        "plaza_user",
        "create",
        "boss",
        "--email",
        "boss@example.test",
        "--password",
        "a very good passphrase 7",
        "--admin",
        "--locked",
        "--confirmed",
    )
    assert "New password" not in out
    account = Account.objects.get(username="boss")
    assert account.user.is_staff and account.user.is_superuser
    assert account.locked
    assert account.user.check_password("a very good passphrase 7")


def test_weak_password_refused_unless_allowed():
    with pytest.raises(CommandError, match="password"):
        run("plaza_user", "create", "weak", "--email", "w@example.test", "--password", "abc")
    assert not User.objects.filter(username="weak").exists()
    run(
        "plaza_user",
        "create",
        "weak",
        "--email",
        "w@example.test",
        "--password",
        "abc",
        "--allow-weak-password",
    )
    assert User.objects.get(username="weak").check_password("abc")


def test_create_user_errors_write_nothing():
    make_account("taken")
    with pytest.raises(CommandError, match="username"):
        run("plaza_user", "create", "taken", "--email", "new@example.test")
    with pytest.raises(CommandError, match="email"):
        run("plaza_user", "create", "fresh", "--email", "nope")
    with pytest.raises(CommandError):
        run("plaza_user", "create", "fresh", "--email", "f@example.test", "--password", "")
    assert not User.objects.filter(username="fresh").exists()


# --- plaza_app -------------------------------------------------------------------------------


def test_register_app_with_fixed_credentials_then_update():
    out = run(
        "plaza_app",
        "register",
        "--name",
        "Mastodon.py test suite",
        "--client-id",
        "__MASTODON_PY_TEST_CLIENT_ID",
        "--client-secret",
        "__MASTODON_PY_TEST_CLIENT_SECRET",
        "--redirect-uri",
        "urn:ietf:wg:oauth:2.0:oob",
        "--scopes",
        "read write follow push admin:read admin:write",
    )
    assert "client_id: __MASTODON_PY_TEST_CLIENT_ID" in out
    app = Application.objects.get(client_id="__MASTODON_PY_TEST_CLIENT_ID")
    assert check_password("__MASTODON_PY_TEST_CLIENT_SECRET", app.client_secret)
    assert set(app.scopes.split()) == {
        "read",
        "write",
        "follow",
        "push",
        "admin:read",
        "admin:write",
    }

    # Run again with changes: same row, updated.
    out = run(
        "plaza_app",
        "register",
        "--name",
        "Renamed",
        "--client-id",
        "__MASTODON_PY_TEST_CLIENT_ID",
        "--redirect-uri",
        "https://a.example/cb",
        "--redirect-uri",
        "urn:ietf:wg:oauth:2.0:oob",
        "--scopes",
        "read",
        "--json",
    )
    result = json.loads(out)
    assert result["created"] is False and result["client_secret"] is None
    assert Application.objects.count() == 1
    app.refresh_from_db()
    assert app.name == "Renamed"
    assert app.redirect_uris.split() == ["https://a.example/cb", "urn:ietf:wg:oauth:2.0:oob"]
    # The secret was left alone.
    assert check_password("__MASTODON_PY_TEST_CLIENT_SECRET", app.client_secret)

    # The fixed credentials work at the token endpoint.
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": "__MASTODON_PY_TEST_CLIENT_ID",
            "client_secret": "__MASTODON_PY_TEST_CLIENT_SECRET",
        },
    )
    assert response.status_code == 200, response.content


def test_register_app_generates_credentials():
    result = json.loads(
        run(
            "plaza_app",
            "register",
            "--name",
            "Bot",
            "--redirect-uri",
            "https://b.example/cb",
            "--json",
        )
    )
    app = Application.objects.get(client_id=result["client_id"])
    assert check_password(result["client_secret"], app.client_secret)
    assert result["scopes"] == ["read"]


def test_register_app_bad_input():
    with pytest.raises(CommandError, match="scope"):
        run("plaza_app", "register", "--name", "X", "--redirect-uri", "x:/", "--scopes", "nope")
    with pytest.raises(CommandError, match="redirect"):
        run("plaza_app", "register", "--name", "X", "--redirect-uri", "relative")
    with pytest.raises(CommandError, match="client_id"):
        run("plaza_app", "register", "--name", "X", "--redirect-uri", "x:/", "--client-id", "a b")
    assert not Application.objects.exists()


# --- plaza_token -----------------------------------------------------------------------------


@pytest.fixture
def fixed_app() -> Application:
    run(
        "plaza_app",
        "register",
        "--name",
        "Suite",
        "--client-id",
        "suite-id",
        "--client-secret",
        "suite-secret",
        "--redirect-uri",
        "urn:ietf:wg:oauth:2.0:oob",
        "--scopes",
        "read write follow push admin:read admin:write",
    )
    return Application.objects.get(client_id="suite-id")


def test_issue_fixed_token_for_a_user(fixed_app):
    make_account("mastodonpy_test")
    out = run(
        "plaza_token",
        "issue",
        "--user",
        "mastodonpy_test",
        "--client-id",
        "suite-id",
        "--scopes",
        "read write follow push",
        "--token",
        "__MASTODON_PY_TEST_ACCESS_TOKEN",
    )
    assert out.strip() == "__MASTODON_PY_TEST_ACCESS_TOKEN"
    token = AccessToken.objects.get()
    assert token.user.username == "mastodonpy_test"
    assert set(token.scope.split()) == {"read", "write", "follow", "push"}
    api = Client(headers={"Authorization": "Bearer __MASTODON_PY_TEST_ACCESS_TOKEN"})
    assert api.get("/api/v1/apps/verify_credentials").status_code == 200

    # Issuing the same value again (a rerun of the provisioning) replaces it.
    run(
        "plaza_token",
        "issue",
        "--user",
        "mastodonpy_test",
        "--client-id",
        "suite-id",
        "--scopes",
        "read",
        "--token",
        "__MASTODON_PY_TEST_ACCESS_TOKEN",
    )
    assert AccessToken.objects.get().scope == "read"


def test_issue_random_and_app_tokens(fixed_app):
    make_account("bob")
    token = run("plaza_token", "issue", "--user", "@bob", "--client-id", "suite-id").strip()
    assert len(token) >= 30
    row = AccessToken.objects.get(user__username="bob")
    assert set(row.scope.split()) == set(fixed_app.scopes.split())
    app_token = run("plaza_token", "issue", "--client-id", "suite-id", "--scopes", "read").strip()
    assert AccessToken.objects.get(user=None).scope == "read"
    assert app_token != token


def test_issue_token_errors(fixed_app):
    make_account("bob")
    with pytest.raises(CommandError, match="application"):
        run("plaza_token", "issue", "--user", "bob", "--client-id", "nope")
    with pytest.raises(CommandError, match="@ghost"):
        run("plaza_token", "issue", "--user", "ghost", "--client-id", "suite-id")
    with pytest.raises(CommandError, match=r"[Ss]cope"):
        run("plaza_token", "issue", "--user", "bob", "--client-id", "suite-id", "--scopes", "x")
    narrow = Application.objects.create(
        name="Narrow", client_id="narrow", redirect_uris="x:/", scopes="read"
    )
    with pytest.raises(CommandError, match="not registered"):
        run("plaza_token", "issue", "--client-id", narrow.client_id, "--scopes", "write")
    with pytest.raises(CommandError, match="token"):
        run("plaza_token", "issue", "--client-id", "suite-id", "--token", " spaced ")
    assert not AccessToken.objects.exists()
