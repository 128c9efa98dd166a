from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Visibility
from tests.factories import make_account

pytestmark = pytest.mark.django_db
URL = reverse("accounts:settings")


def test_settings_page_renders_with_current_values(client: Client) -> None:
    account = make_account()
    client.force_login(account.user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="Europe/Paris">Europe/Paris</option>' in html
    assert '<option value="UTC" selected>UTC</option>' in html


def test_update_settings(client: Client) -> None:
    account = make_account()
    client.force_login(account.user)
    response = client.post(
        URL,
        {
            "locked": "on",
            "default_visibility": Visibility.FOLLOWERS,
            "time_zone": "America/New_York",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    account.user.refresh_from_db()
    assert account.locked is True
    assert account.discoverable is False  # unchecked box
    assert account.default_visibility == Visibility.FOLLOWERS
    assert account.user.time_zone == "America/New_York"
    assert "Your settings have been saved." in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"default_visibility": "everyone", "time_zone": "UTC"}, "default_visibility"),
        ({"default_visibility": "public", "time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_bad_settings(client: Client, data: dict[str, str], field: str) -> None:
    account = make_account()
    client.force_login(account.user)
    response = client.post(URL, {"locked": "on", **data})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    account.refresh_from_db()
    assert account.locked is False
