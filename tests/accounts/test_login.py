from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new violet teapot"


def test_login_page_renders(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Welcome back" in response.content.decode()


@pytest.mark.parametrize(
    "identifier", ["ada", "ADA", "@ada", "ada@example.test", "Ada@Example.test"]
)
def test_login_with_username_or_email(client: Client, identifier: str) -> None:
    account = make_account("ada")
    response = client.post(
        reverse("accounts:login"), {"username": identifier, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == account.user.pk


def test_login_respects_next(client: Client) -> None:
    make_account("ada")
    response = client.post(
        reverse("accounts:login") + "?next=/settings/account",
        {"username": "ada", "password": PASSWORD, "next": "/settings/account"},
    )
    assert response["Location"] == "/settings/account"


def test_wrong_password_keeps_username(client: Client) -> None:
    make_account("ada")
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "don&#x27;t match" in html
    assert 'value="ada"' in html
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client: Client) -> None:
    account = make_account()
    client.force_login(account.user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_password_change(client: Client) -> None:
    account = make_account()
    client.force_login(account.user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    account.user.refresh_from_db()
    assert account.user.check_password(NEW_PASSWORD)
    # This session survives the change.
    assert client.get(reverse("accounts:settings")).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"old_password": "wrong"}, "old_password", "current password isn"),
        ({"new_password": "abc", "new_password_confirm": "abc"}, "new_password", "too short"),
        ({"new_password_confirm": "something else entirely"}, "new_password_confirm", "match"),
    ],
)
def test_password_change_errors(
    client: Client, data: dict[str, str], field: str, message: str
) -> None:
    account = make_account()
    client.force_login(account.user)
    payload = {
        "old_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
        **data,
    }
    response = client.post(reverse("accounts:password_change"), payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    account.user.refresh_from_db()
    assert account.user.check_password(PASSWORD)


def test_password_reset_flow(client: Client) -> None:
    account = make_account("ada")
    response = client.post(reverse("accounts:password_reset"), {"email": "ada@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.test"]
    assert "Reset your Plaza password" in message.subject
    link = re.search(r"http://testserver(/password-reset/\S+)", str(message.body))
    assert link is not None

    # Django swaps the token for a session marker, then shows the form.
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    assert "Choose a new password" in response.content.decode()
    set_url = response.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    account.user.refresh_from_db()
    assert account.user.check_password(NEW_PASSWORD)

    # The link works once.
    response = client.get(link.group(1), follow=True)
    assert "This link has expired" in response.content.decode()


def test_password_reset_unknown_email_sends_nothing_but_looks_the_same(client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_repeated_failures_lock_out_with_axes(client: Client, settings: Any) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
    make_account("ada")
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": "ada", "password": "wrong"})
    response = client.post(url, {"username": "ada", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
