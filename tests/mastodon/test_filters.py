"""Mastodon API: filters v2 (filters, keywords, statuses) and v1 (one keyword each)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from filters.models import Filter, FilterKeyword, FilterStatus
from posts.actions import publish
from tests.factories import make_account
from tests.mastodon.conftest import Api
from tests.mastodon.schemas import assert_entity

pytestmark = pytest.mark.django_db

ApiFor = Callable[..., Api]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    return response.json()


def error(response: Any, status: int) -> str:
    assert response.status_code == status, response.content[:500]
    assert_entity(response.json(), "Error")
    return response.json()["error"]


def create(api: Api, **body: Any) -> dict[str, Any]:
    body.setdefault("title", "Food")
    body.setdefault("context", ["home"])
    return ok(api.post_json("/api/v2/filters", body))


# --- v2 filters ------------------------------------------------------------------------------


def test_v2_lifecycle_as_mastodon_py_drives_it(api_for: ApiFor) -> None:
    api = api_for(make_account("alice"))
    made = create(
        api,
        title="Test Filter",
        context=["home", "public"],
        filter_action="warn",
        keywords_attributes=[
            {"keyword": "spam", "whole_word": True},
            {"keyword": "eggs", "whole_word": False},
        ],
    )
    assert_entity(made, "Filter")
    assert made["title"] == "Test Filter" and made["context"] == ["home", "public"]
    assert made["expires_at"] is None and made["statuses"] == []
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("spam", True),
        ("eggs", False),
    ]
    fid = made["id"]
    assert ok(api.get(f"/api/v2/filters/{fid}")) == made
    listed = ok(api.get("/api/v2/filters"))
    assert_entity(listed, "Filter", many=True)
    assert [f["id"] for f in listed] == [fid]

    updated = ok(
        api.put_json(f"/api/v2/filters/{fid}", {"title": "Updated Title", "filter_action": "hide"})
    )
    assert (updated["title"], updated["filter_action"]) == ("Updated Title", "hide")
    assert updated["context"] == ["home", "public"] and len(updated["keywords"]) == 2

    keywords = ok(api.get(f"/api/v2/filters/{fid}/keywords"))
    assert_entity(keywords, "FilterKeyword", many=True)
    new = ok(api.post(f"/api/v2/filters/{fid}/keywords", {"keyword": "foo", "whole_word": "true"}))
    assert_entity(new, "FilterKeyword")
    assert new["keyword"] == "foo" and new["whole_word"] is True
    assert ok(api.get(f"/api/v2/filters/keywords/{new['id']}")) == new
    changed = ok(api.put(f"/api/v2/filters/keywords/{new['id']}", "whole_word=false",
                         content_type="application/x-www-form-urlencoded"))  # fmt: skip
    assert changed["whole_word"] is False and changed["keyword"] == "foo"
    assert ok(api.delete(f"/api/v2/filters/keywords/{keywords[0]['id']}")) == {}
    assert len(ok(api.get(f"/api/v2/filters/{fid}/keywords"))) == 2

    assert ok(api.delete(f"/api/v2/filters/{fid}")) == {}
    assert ok(api.get("/api/v2/filters")) == []
    assert not FilterKeyword.objects.exists()


def test_v2_statuses(api_for: ApiFor) -> None:
    alice, bob = make_account("alice"), make_account("bob")
    api = api_for(alice)
    post = publish(bob, text="This is a test status for filter!", visibility="public")
    fid = create(api, title="Status Filter Test")["id"]
    added = ok(api.post(f"/api/v2/filters/{fid}/statuses", {"status_id": str(post.pk)}))
    assert_entity(added, "FilterStatus")
    assert added["status_id"] == str(post.pk)
    listed = ok(api.get(f"/api/v2/filters/{fid}/statuses"))
    assert listed == [added]
    assert ok(api.get(f"/api/v2/filters/statuses/{added['id']}")) == added
    assert ok(api.get(f"/api/v2/filters/{fid}"))["statuses"] == [added]
    again = api.post(f"/api/v2/filters/{fid}/statuses", {"status_id": str(post.pk)})
    assert "already" in error(again, 422)
    secret = publish(bob, text="followers only", visibility="followers")
    error(api.post_json(f"/api/v2/filters/{fid}/statuses", {"status_id": str(secret.pk)}), 404)
    error(api.post_json(f"/api/v2/filters/{fid}/statuses", {}), 422)
    error(api.post_json(f"/api/v2/filters/{fid}/statuses", {"status_id": "abc"}), 422)
    assert ok(api.delete(f"/api/v2/filters/statuses/{added['id']}")) == {}
    assert ok(api.get(f"/api/v2/filters/{fid}/statuses")) == []


@pytest.mark.parametrize(
    "body",
    [
        # Rails' array-of-hashes form encoding: a new row starts when a field repeats.
        "title=Food&context[]=home&context[]=thread"
        "&keywords_attributes[][keyword]=spam&keywords_attributes[][whole_word]=true"
        "&keywords_attributes[][keyword]=eggs&keywords_attributes[][whole_word]=false",
        # Indexed form encoding.
        "title=Food&context[]=home&context[]=thread"
        "&keywords_attributes[0][keyword]=spam&keywords_attributes[0][whole_word]=1"
        "&keywords_attributes[1][whole_word]=0&keywords_attributes[1][keyword]=eggs",
    ],
)
def test_v2_create_with_form_encoded_keywords(api_for: ApiFor, body: str) -> None:
    api = api_for(make_account("alice"))
    made = ok(api.post("/api/v2/filters", body, content_type="application/x-www-form-urlencoded"))
    assert made["context"] == ["home", "thread"]
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("spam", True),
        ("eggs", False),
    ]


def test_v2_create_with_multipart_and_json_object_keywords(api_for: ApiFor) -> None:
    api = api_for(make_account("alice"))
    made = ok(
        api.post(
            "/api/v2/filters",
            {
                "title": "Multipart",
                "context[]": ["notifications"],
                "keywords_attributes[][keyword]": ["spam", "eggs"],
                "keywords_attributes[][whole_word]": ["false", "true"],
            },
        )
    )
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("spam", False),
        ("eggs", True),
    ]
    made = create(api, keywords_attributes={"1": {"keyword": "b"}, "0": {"keyword": "a"}})
    assert [k["keyword"] for k in made["keywords"]] == ["a", "b"]


def test_v2_update_keywords_attributes_with_destroy(api_for: ApiFor) -> None:
    api = api_for(make_account("alice"))
    made = create(api, keywords_attributes=[{"keyword": "spam"}, {"keyword": "eggs"}])
    spam, eggs = made["keywords"]
    body = (
        f"keywords_attributes[][id]={spam['id']}&keywords_attributes[][_destroy]=true"
        f"&keywords_attributes[][id]={eggs['id']}&keywords_attributes[][keyword]=ham"
        "&keywords_attributes[][keyword]=toast&keywords_attributes[][whole_word]=false"
    )
    fid = made["id"]
    updated = ok(api.put(f"/api/v2/filters/{fid}", body, "application/x-www-form-urlencoded"))
    assert [(k["keyword"], k["whole_word"]) for k in updated["keywords"]] == [
        ("ham", True),
        ("toast", False),
    ]
    assert updated["keywords"][0]["id"] == eggs["id"]
    updated = ok(
        api.put_json(
            f"/api/v2/filters/{fid}",
            {"keywords_attributes": [{"id": eggs["id"], "_destroy": "1"}], "expires_in": 3600},
        )
    )
    assert [k["keyword"] for k in updated["keywords"]] == ["toast"]
    assert updated["expires_at"] is not None
    assert ok(api.put_json(f"/api/v2/filters/{fid}", {"expires_in": None}))["expires_at"] is None


def test_v2_bad_input_is_a_422_and_writes_nothing(api_for: ApiFor) -> None:
    api = api_for(make_account("alice"))
    assert "Title" in error(api.post_json("/api/v2/filters", {"context": ["home"]}), 422)
    assert "Context" in error(api.post_json("/api/v2/filters", {"title": "x"}), 422)
    assert "Context" in error(
        api.post_json("/api/v2/filters", {"title": "x", "context": ["kitchen"]}), 422
    )
    bad_bodies: list[dict[str, Any]] = [
        {"filter_action": "explode"},
        {"expires_in": "soon"},
        {"expires_in": -5},
        {"keywords_attributes": [{"keyword": ""}]},
        {"keywords_attributes": "spam"},
        {"keywords_attributes": ["spam"]},
        {"keywords_attributes": [{"keyword": {"nested": 1}}]},
        {"title": ["a", "b"], "keywords_attributes": [{"keyword": "x", "whole_word": "maybe"}]},
    ]
    for bad in bad_bodies:
        error(api.post_json("/api/v2/filters", {"title": "x", "context": ["home"], **bad}), 422)
    error(api.post("/api/v2/filters", "{not json", content_type="application/json"), 400)
    assert not Filter.objects.exists()

    made = create(api, keywords_attributes=[{"keyword": "spam"}])
    fid = made["id"]
    for change in [
        {"title": ""},
        {"context": []},
        {"keywords_attributes": [{"id": "999", "_destroy": True}]},
        {"title": "Renamed", "keywords_attributes": [{"id": made["keywords"][0]["id"], "keyword": " "}]},
    ]:  # fmt: skip
        assert api.put_json(f"/api/v2/filters/{fid}", change).status_code in (404, 422)
    assert ok(api.get(f"/api/v2/filters/{fid}")) == made
    error(api.post(f"/api/v2/filters/{fid}/keywords", {"keyword": ""}), 422)


def test_nobody_sees_or_touches_another_persons_filters(api_for: ApiFor) -> None:
    alice, bob = make_account("alice"), make_account("bob")
    mine = create(api_for(alice), keywords_attributes=[{"keyword": "secret"}])
    post = publish(alice, text="hello")
    status = ok(
        api_for(alice).post(f"/api/v2/filters/{mine['id']}/statuses", {"status_id": str(post.pk)})
    )
    api = api_for(bob)
    kid = mine["keywords"][0]["id"]
    assert ok(api.get("/api/v2/filters")) == [] and ok(api.get("/api/v1/filters")) == []
    for method, url in [
        ("get", f"/api/v2/filters/{mine['id']}"),
        ("put", f"/api/v2/filters/{mine['id']}"),
        ("delete", f"/api/v2/filters/{mine['id']}"),
        ("get", f"/api/v2/filters/{mine['id']}/keywords"),
        ("post", f"/api/v2/filters/{mine['id']}/keywords"),
        ("get", f"/api/v2/filters/{mine['id']}/statuses"),
        ("post", f"/api/v2/filters/{mine['id']}/statuses"),
        ("get", f"/api/v2/filters/keywords/{kid}"),
        ("put", f"/api/v2/filters/keywords/{kid}"),
        ("delete", f"/api/v2/filters/keywords/{kid}"),
        ("get", f"/api/v2/filters/statuses/{status['id']}"),
        ("delete", f"/api/v2/filters/statuses/{status['id']}"),
        ("get", f"/api/v1/filters/{kid}"),
        ("put", f"/api/v1/filters/{kid}"),
        ("delete", f"/api/v1/filters/{kid}"),
    ]:
        response = getattr(api, method)(url, {"keyword": "x", "status_id": str(post.pk)}
                                         if method == "post" else None)  # fmt: skip
        assert error(response, 404) == "Record not found", (method, url)
    # Bob's own filter cannot take Alice's keyword by id either.
    theirs = create(api)
    response = api.put_json(
        f"/api/v2/filters/{theirs['id']}", {"keywords_attributes": [{"id": kid, "_destroy": True}]}
    )
    error(response, 404)
    assert ok(api_for(alice).get(f"/api/v2/filters/{mine['id']}")) == {**mine, "statuses": [status]}


def test_scopes_and_tokens(api_for: ApiFor) -> None:
    alice = make_account("alice")
    assert api_for(alice, scopes="read:statuses").get("/api/v2/filters").status_code == 403
    assert api_for(alice, scopes="read:filters").get("/api/v2/filters").status_code == 200
    assert api_for(alice, scopes="read:filters").get("/api/v1/filters").status_code == 200
    read_only = api_for(alice, scopes="read")
    error(read_only.post_json("/api/v2/filters", {"title": "x", "context": ["home"]}), 403)
    error(read_only.post_json("/api/v1/filters", {"phrase": "x", "context": ["home"]}), 403)
    assert (
        api_for(alice, scopes="write:filters")
        .post_json("/api/v2/filters", {"title": "x", "context": ["home"]})
        .status_code
        == 200
    )
    error(api_for(False).get("/api/v2/filters"), 401)
    error(api_for(None).get("/api/v2/filters"), 422)  # an app token has nobody's filters
    error(api_for(alice).get("/api/v2/filters/12345"), 404)
    error(api_for(alice).get("/api/v2/filters/not-an-id"), 404)
    error(api_for(alice).get("/api/v2/filters/99999999999999999999999"), 404)


def test_list_queries_are_constant(api_for: ApiFor, django_assert_max_num_queries: Any) -> None:
    alice = make_account("alice")
    api = api_for(alice)
    for n in (3, 30):
        while Filter.objects.count() < n:
            create(api, keywords_attributes=[{"keyword": "a"}, {"keyword": "b"}])
        with django_assert_max_num_queries(5):
            assert len(ok(api.get("/api/v2/filters"))) == n
        with django_assert_max_num_queries(3):
            assert len(ok(api.get("/api/v1/filters"))) == 2 * n


# --- v1 filters ------------------------------------------------------------------------------


def test_v1_filters_as_mastodon_py_drives_them(api_for: ApiFor) -> None:
    api = api_for(make_account("alice"))
    form = "application/x-www-form-urlencoded"
    made = ok(
        api.post(
            "/api/v1/filters",
            "phrase=anime&context[]=notifications&irreversible=0&whole_word=1",
            content_type=form,
        )
    )
    assert_entity(made, "V1Filter")
    assert (made["phrase"], made["context"], made["irreversible"], made["whole_word"]) == (
        "anime", ["notifications"], False, True,
    )  # fmt: skip
    assert made in ok(api.get("/api/v1/filters"))
    assert_entity(ok(api.get("/api/v1/filters")), "V1Filter", many=True)
    assert ok(api.get(f"/api/v1/filters/{made['id']}")) == made
    # The v1 filter is a v2 filter named after its phrase, with one keyword.
    (v2,) = ok(api.get("/api/v2/filters"))
    assert v2["title"] == "anime" and v2["keywords"][0]["id"] == made["id"]

    updated = ok(api.put(f"/api/v1/filters/{made['id']}", "phrase=japanimation", form))
    assert updated["phrase"] == "japanimation" and updated["context"] == ["notifications"]
    hidden = ok(
        api.put_json(
            f"/api/v1/filters/{made['id']}",
            {"irreversible": True, "context": ["home", "thread"], "expires_in": 600},
        )
    )
    assert hidden["irreversible"] is True and hidden["context"] == ["home", "thread"]
    assert hidden["expires_at"] is not None
    assert ok(api.get("/api/v2/filters"))[0]["filter_action"] == "hide"

    assert ok(api.delete(f"/api/v1/filters/{made['id']}")) == {}
    assert ok(api.get("/api/v1/filters")) == [] and ok(api.get("/api/v2/filters")) == []


def test_v1_bad_input_and_shared_filters(api_for: ApiFor) -> None:
    api = api_for(make_account("alice"))
    error(api.post_json("/api/v1/filters", {"context": ["home"]}), 422)
    error(api.post_json("/api/v1/filters", {"phrase": "x"}), 422)
    error(
        api.post_json("/api/v1/filters", {"phrase": "x", "context": ["home"], "irreversible": "?"}),
        422,
    )
    assert not Filter.objects.exists()
    made = create(api, keywords_attributes=[{"keyword": "a"}, {"keyword": "b"}])
    a, _ = made["keywords"]
    # Changing the filter through one of its two keywords would change the other too.
    assert "several keywords" in error(
        api.put_json(f"/api/v1/filters/{a['id']}", {"irreversible": True}), 422
    )
    assert ok(api.put_json(f"/api/v1/filters/{a['id']}", {"phrase": "c"}))["phrase"] == "c"
    ok(api.delete(f"/api/v1/filters/{a['id']}"))
    assert [k["keyword"] for k in ok(api.get(f"/api/v2/filters/{made['id']}"))["keywords"]] == ["b"]
    assert FilterStatus.objects.count() == 0
