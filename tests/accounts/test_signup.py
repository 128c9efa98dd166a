from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account, AccountKind, User
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db
URL = reverse("accounts:signup")


def _data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "person",
        "display_name": "Ada Lovelace",
        "username": "ada",
        "email": "ada@example.test",
        "password": PASSWORD,
        "time_zone": "Europe/London",
    }
    data.update(overrides)
    return data


def test_signup_page_renders(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Create your account" in html
    assert 'name="kind" value="organization"' in html


def test_signup_creates_person_and_logs_in(client: Client) -> None:
    response = client.post(URL, _data())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:edit_profile")
    account = Account.objects.select_related("user").get(username="ada")
    assert account.kind == AccountKind.PERSON
    assert account.display_name == "Ada Lovelace"
    assert account.user.email == "ada@example.test"
    assert account.user.time_zone == "Europe/London"
    assert account.user.check_password(PASSWORD)
    assert int(client.session["_auth_user_id"]) == account.user.pk
    page = client.get(response["Location"])
    assert "Welcome to Plaza, Ada Lovelace!" in page.content.decode()


def test_signup_organization(client: Client) -> None:
    client.post(URL, _data(kind="organization", username="acme", email="hi@acme.test"))
    assert Account.objects.get(username="acme").is_organization


def test_unknown_time_zone_falls_back_to_utc(client: Client) -> None:
    client.post(URL, _data(time_zone="Mars/Olympus"))
    assert User.objects.get(username="ada").time_zone == "UTC"


def _assert_rejected(client: Client, data: dict[str, str], field: str, message: str) -> str:
    before = (User.objects.count(), Account.objects.count())
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html, html
    assert response.context["form"].errors[field]
    # Nothing half-written, and still logged out.
    assert (User.objects.count(), Account.objects.count()) == before
    assert "_auth_user_id" not in client.session
    return html


def test_duplicate_username_case_insensitive_keeps_typed_values(client: Client) -> None:
    make_account("ada")
    html = _assert_rejected(
        client,
        _data(username="ADA", email="other@example.test"),
        "username",
        "@ADA is already taken.",
    )
    assert 'value="ADA"' in html
    assert 'value="other@example.test"' in html
    assert 'value="Ada Lovelace"' in html
    # The password is deliberately not sent back to the browser.
    assert PASSWORD not in html


@pytest.mark.parametrize("username", ["ad a", "ada.l", "é", "x" * 31, "ad-a", "admin"])
def test_bad_username(client: Client, username: str) -> None:
    html = _assert_rejected(client, _data(username=username), "username", "username")
    assert "ada@example.test" in html


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short"),
        ("1234567890123", "This password is entirely numeric"),
        ("password1234", "This password is too common"),
    ],
)
def test_weak_password(client: Client, password: str, message: str) -> None:
    html = _assert_rejected(client, _data(password=password), "password", message)
    assert 'value="ada"' in html


def test_duplicate_email_case_insensitive(client: Client) -> None:
    make_account("grace")  # grace@example.test
    html = _assert_rejected(
        client,
        _data(email="GRACE@example.test"),
        "email",
        "An account with this email already exists.",
    )
    assert 'value="ada"' in html


def test_invalid_email(client: Client) -> None:
    _assert_rejected(client, _data(email="not-an-email"), "email", "Enter a valid email address.")


def test_missing_fields(client: Client) -> None:
    response = client.post(URL, {})
    assert response.status_code == 400
    form = response.context["form"]
    assert {"username", "email", "password", "kind"} <= set(form.errors)


def test_logged_in_user_is_sent_to_profile_editor(client: Client) -> None:
    account = make_account()
    client.force_login(account.user)
    assert client.get(URL)["Location"] == reverse("accounts:edit_profile")


@pytest.mark.django_db
def test_signup_is_refused_when_registrations_are_closed(client, settings):
    from accounts.models import User

    settings.PLAZA = settings.PLAZA.model_copy(update={"registrations_open": False})
    response = client.post(
        "/signup",
        {
            "username": "late",
            "email": "late@example.test",
            "password": "a long passphrase 2026",
            "kind": "person",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="late").exists()
    assert client.get("/api/v2/instance").json()["registrations"]["enabled"] is False
