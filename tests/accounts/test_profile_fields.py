"""Profile fields: edited on the profile page, sanitized, at most four, shown in the preview."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.actions import update_profile
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _form(**fields: str) -> dict[str, str]:
    return {
        "display_name": "Ada",
        "bio": "",
        "location": "",
        "website": "",
        "interests": "",
        **fields,
    }


def test_edit_profile_fields_on_the_web(client: Any) -> None:
    ada = make_account("ada")
    client.force_login(ada.user)
    response = client.post(
        "/settings/profile",
        _form(
            field_0_name="Pronouns",
            field_0_value="she/her",
            field_2_name="Site",
            field_2_value="https://ada.example/<script>",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ada.refresh_from_db()
    assert [(f["name"], f["value"]) for f in ada.fields] == [
        ("Pronouns", "she/her"),
        ("Site", "https://ada.example/<script>"),
    ]
    html = ada.fields[1]["value_html"]
    assert "<script>" not in html and 'rel="me nofollow noopener noreferrer"' in html
    page = client.get("/settings/profile").content.decode()
    assert 'value="Pronouns"' in page  # the form is filled in
    assert "<dt>Pronouns</dt><dd>she/her</dd>" in page  # the preview shows them


def test_a_value_without_a_label_is_a_form_error(client: Any) -> None:
    ada = make_account("ada")
    client.force_login(ada.user)
    response = client.post("/settings/profile", _form(display_name="New", field_1_value="orphan"))
    assert response.status_code == 400
    assert "needs a label" in response.content.decode()
    ada.refresh_from_db()
    assert ada.fields == [] and ada.display_name == "Ada"  # nothing half-saved


def test_action_limits() -> None:
    ada = make_account("ada")
    with pytest.raises(ValidationError):
        update_profile(ada, fields=[(f"n{i}", "v") for i in range(5)])
    with pytest.raises(ValidationError):
        update_profile(ada, fields=[("n", "v" * 256)])
    update_profile(ada, fields=[("", ""), ("a", ""), ("  b ", " c ")])
    assert [(f["name"], f["value"]) for f in ada.fields] == [("a", ""), ("b", "c")]
    update_profile(ada, fields=[])
    assert ada.fields == []
