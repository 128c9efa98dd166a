"""Settings → Filters web pages."""

from __future__ import annotations

from typing import Any

import pytest

from filters import actions
from filters.actions import KeywordChange
from filters.models import Filter
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def form(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Spoilers",
        "context": ["home", "thread"],
        "action": "warn",
        "expires_in": "",
        "kw_id": ["", "", ""],
        "kw_text": ["", "", ""],
        "kw_whole": ["1", "1", "1"],
    }
    data.update(fields)
    return data


def test_pages_need_a_login(client):
    assert client.get("/settings/filters").status_code == 302
    assert client.get("/settings/filters/new").status_code == 302


def test_create_list_edit_delete(client):
    alice = make_account("alice")
    client.force_login(alice.user)
    page = client.get("/settings/filters")
    assert page.status_code == 200 and b"No filters yet" in page.content
    new = client.get("/settings/filters/new")
    assert new.status_code == 200 and b'name="kw_text"' in new.content

    response = client.post(
        "/settings/filters/new",
        form(kw_text=["finale", "ending", ""], kw_whole=["1", "0", "1"], expires_in="86400"),
    )
    assert response.status_code == 302 and response["Location"] == "/settings/filters"
    f = Filter.objects.get(account=alice)
    assert f.context == ["home", "thread"] and f.expires_at is not None
    assert sorted((k.keyword, k.whole_word) for k in f.keywords.all()) == [
        ("ending", False),
        ("finale", True),
    ]
    listing = client.get("/settings/filters").content.decode()
    assert "Spoilers" in listing and "finale" in listing and "Expires" in listing

    edit = client.get(f"/settings/filters/{f.pk}").content.decode()
    assert 'value="finale"' in edit and "Keep the current expiry" in edit
    ids = [str(k.pk) for k in f.keywords.order_by("id")]
    response = client.post(
        f"/settings/filters/{f.pk}",
        form(
            title="TV",
            context=["public"],
            action="hide",
            expires_in="keep",
            kw_id=[*ids, "", ""],
            kw_text=["finale", "ending", "trailer", ""],
            kw_whole=["1", "0", "1", "1"],
            kw_remove=["1"],
        ),
    )
    assert response.status_code == 302
    f.refresh_from_db()
    assert (f.title, f.context, f.action) == ("TV", ["public"], "hide")
    assert f.expires_at is not None
    assert sorted(k.keyword for k in f.keywords.all()) == ["finale", "trailer"]

    assert client.post(f"/settings/filters/{f.pk}/delete").status_code == 302
    assert not Filter.objects.exists()


def test_errors_keep_what_was_typed(client):
    alice = make_account("alice")
    client.force_login(alice.user)
    response = client.post(
        "/settings/filters/new", form(title="", kw_text=["my phrase", "", ""], action="hide")
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Title can&#x27;t be blank" in html or "Title can't be blank" in html
    assert 'value="my phrase"' in html
    assert '<option value="hide" selected>' in html
    response = client.post("/settings/filters/new", form(context=[]))
    assert response.status_code == 422 and b"Context" in response.content
    response = client.post("/settings/filters/new", form(expires_in="soon"))
    assert response.status_code == 422
    assert not Filter.objects.exists()


def test_other_peoples_filters_are_404(client):
    alice, bob = make_account("alice"), make_account("bob")
    theirs = actions.create_filter(
        bob, title="Bob's", context=["home"], keywords=[KeywordChange(keyword="secret")]
    )
    client.force_login(alice.user)
    assert client.get(f"/settings/filters/{theirs.pk}").status_code == 404
    assert client.post(f"/settings/filters/{theirs.pk}", form()).status_code == 404
    assert client.post(f"/settings/filters/{theirs.pk}/delete").status_code == 404
    assert b"secret" not in client.get("/settings/filters").content
    assert Filter.objects.filter(pk=theirs.pk, title="Bob's").exists()


def test_list_queries_are_constant(client, django_assert_max_num_queries):
    alice = make_account("alice")
    client.force_login(alice.user)
    for n in (2, 20):
        while Filter.objects.count() < n:
            actions.create_filter(
                alice, title="F", context=["home"], keywords=[KeywordChange(keyword="k")]
            )
        with django_assert_max_num_queries(12):
            assert client.get("/settings/filters").status_code == 200
