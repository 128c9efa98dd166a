"""Ids typed with other scripts' digits or superscripts ("³", "٣") are not ids: never a 500.

``str.isdigit`` accepts them and ``int()`` refuses "³"; every id check goes through
``plaza.ids.is_digits`` (ASCII digits only)."""

from __future__ import annotations

from typing import Any

import pytest

from plaza.ids import is_digits
from tests.factories import make_account
from tests.mastodon.conftest import api_for, oauth_app  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

ODD = ["³", "٣", "\uff11\uff12", "12³"]  # superscript, Arabic-Indic, fullwidth


def test_is_digits() -> None:
    assert is_digits("0123456789")
    assert not any(is_digits(s) for s in [*ODD, "", "-1", "1.5", " 1"])


def test_odd_digits_in_ids_are_answered_not_crashed_on(client: Any, api_for: Any) -> None:  # noqa: F811
    ana = make_account("ana")
    api = api_for(ana)
    client.force_login(ana.user)
    for odd in ODD:
        assert api.get(f"/api/plaza/v1/relationships?id={odd}").status_code == 200
        assert api.get(f"/api/v1/accounts/relationships?id[]={odd}").status_code == 200
        assert api.get(f"/api/v1/lists/{odd}/accounts").status_code == 404
        for page in (
            f"/?max_id={odd}",
            f"/notifications?max_id={odd}",
            f"/search?q=x&max_id={odd}",
        ):
            assert client.get(page).status_code in (200, 400, 404), page


def test_huge_or_odd_ids_in_list_parameters_are_a_422(api_for: Any) -> None:  # noqa: F811
    api = api_for(make_account("ana"))
    for bad in ("9" * 25, "³", "-1"):
        r = api.post("/api/v1/statuses", {"status": "hi", "media_ids[]": bad})
        assert r.status_code == 422, (bad, r.content)
        r = api.post("/api/v1/notifications/requests/accept", {"id[]": bad})
        assert r.status_code == 422, (bad, r.content)
    assert api.get(f"/api/v1/statuses?id[]={'9' * 25}").status_code == 422
