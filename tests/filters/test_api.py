"""Native API: filters (responses checked against Plaza's OpenAPI schema)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Account
from filters.models import Filter
from mastodon.actions import issue_token, register_app
from posts.actions import publish
from tests.api.conftest import Api
from tests.factories import make_account

pytestmark = pytest.mark.django_db
URL = "/api/plaza/v1/filters"


@pytest.fixture
def api_for(db: Any) -> Callable[..., Api]:
    app, _ = register_app(
        name="Filters test", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write"
    )

    def make(account: Account, scopes: str = "read write") -> Api:
        return Api(issue_token(account.user, app, scopes=scopes)[1])

    return make


def test_crud(api_for: Callable[..., Api]) -> None:
    alice, bob = make_account("alice"), make_account("bob")
    api = api_for(alice)
    response = api.post_json(
        URL,
        {
            "title": "Sports",
            "context": ["home", "public"],
            "action": "hide",
            "expires_in": 3600,
            "keywords": [{"keyword": "football"}, {"keyword": "ball", "whole_word": False}],
        },
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["action"] == "hide" and made["expires_at"] is not None
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("football", True),
        ("ball", False),
    ]
    fid = made["id"]
    assert api.get(URL).json() == [made]
    assert api.get(f"{URL}/{fid}").json() == made

    football, _ = made["keywords"]
    patched = api.patch_json(
        f"{URL}/{fid}",
        {
            "title": "Ball games",
            "never_expires": True,
            "keywords": [{"id": football["id"], "destroy": True}, {"keyword": "tennis"}],
        },
    ).json()
    assert patched["title"] == "Ball games" and patched["expires_at"] is None
    assert [k["keyword"] for k in patched["keywords"]] == ["ball", "tennis"]

    kw = api.post_json(f"{URL}/{fid}/keywords", {"keyword": "golf"})
    assert kw.status_code == 201
    changed = api.patch_json(f"{URL}/keywords/{kw.json()['id']}", {"whole_word": False})
    assert changed.json()["whole_word"] is False
    assert api.delete(f"{URL}/keywords/{kw.json()['id']}").status_code == 204

    post = publish(bob, text="match report")
    entry = api.post_json(f"{URL}/{fid}/posts", {"post_id": str(post.pk)})
    assert entry.status_code == 201 and entry.json()["post_id"] == str(post.pk)
    assert api.get(f"{URL}/{fid}").json()["posts"] == [entry.json()]
    assert api.delete(f"{URL}/posts/{entry.json()['id']}").status_code == 204

    assert api.delete(f"{URL}/{fid}").status_code == 204
    assert api.get(URL).json() == []


def test_bad_input_other_people_and_scopes(api_for: Callable[..., Api]) -> None:
    alice, bob = make_account("alice"), make_account("bob")
    api = api_for(alice)
    for bad in [
        {"context": ["home"]},
        {"title": "x", "context": []},
        {"title": "x", "context": ["kitchen"]},
        {"title": " ", "context": ["home"]},
        {"title": "x", "context": ["home"], "expires_in": 0},
        {"title": "x", "context": ["home"], "keywords": [{"keyword": ""}]},
    ]:
        response = api.post_json(URL, bad)
        assert response.status_code == 422, (bad, response.content)
        assert "error" in response.json()
    assert not Filter.objects.exists()

    theirs = api_for(bob).post_json(
        URL, {"title": "b", "context": ["home"], "keywords": [{"keyword": "k"}]}
    )
    fid, kid = theirs.json()["id"], theirs.json()["keywords"][0]["id"]
    assert api.get(f"{URL}/{fid}").status_code == 404
    assert api.patch_json(f"{URL}/{fid}", {"title": "mine"}).status_code == 404
    assert api.delete(f"{URL}/{fid}").status_code == 404
    assert api.patch_json(f"{URL}/keywords/{kid}", {"keyword": "x"}).status_code == 404
    assert api.delete(f"{URL}/keywords/{kid}").status_code == 404
    assert api.get(f"{URL}/nope").status_code == 404
    assert api.get(URL).json() == []
    assert (
        api_for(alice, scopes="read")
        .post_json(URL, {"title": "x", "context": ["home"]})
        .status_code
        == 403
    )
    assert api_for(alice, scopes="read:statuses").get(URL).status_code == 403
