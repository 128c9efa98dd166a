"""The language a post is written in: chosen on the full composer or through the APIs, the
author's default otherwise (a setting), shown to screen readers and API clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.actions import update_settings
from plaza.errors import ActionError
from posts import actions
from posts.models import Post
from studio.actions import publish_due
from studio.models import ScheduledPost
from tests.factories import make_account
from tests.mastodon.conftest import api_for, oauth_app  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_publish_takes_the_choice_or_the_authors_default() -> None:
    ana = make_account("ana")
    assert actions.publish(ana, text="no language").language == ""
    update_settings(ana, default_language="de")
    assert actions.publish(ana, text="Guten Tag").language == "de"
    assert actions.publish(ana, text="Hello", language="en-GB").language == "en"
    assert actions.publish(ana, text="none at all", language="").language == ""
    with pytest.raises(ActionError):
        actions.publish(ana, text="x", language="klingon")
    post = actions.publish(ana, text="Bonjour", language="fr")
    actions.edit(ana, post, text="Bonjour !")  # unchanged when not given
    assert Post.objects.get(pk=post.pk).language == "fr"
    actions.edit(ana, post, text="Buongiorno", language="it")
    assert Post.objects.get(pk=post.pk).language == "it"
    with pytest.raises(ActionError):
        actions.edit(ana, post, text="x", language="zz")
    assert Post.objects.get(pk=post.pk).text == "Buongiorno"


def test_web_settings_compose_page_and_cards(client: Any) -> None:
    ana = make_account("ana")
    client.force_login(ana.user)
    page = client.get("/settings/account").content.decode()
    assert 'name="default_language"' in page
    form = {"default_visibility": "public", "time_zone": "UTC", "default_language": "xx"}
    assert client.post("/settings/account", form).status_code == 400
    form["default_language"] = "es"
    assert client.post("/settings/account", form).status_code == 302
    ana.refresh_from_db()
    assert ana.default_language == "es"
    # The full composer offers the languages, the default chosen; the feed's inline one
    # posts in the default.
    compose = client.get("/compose").content.decode()
    assert '<option value="es" selected>' in compose
    assert 'name="language"' not in client.get("/").content.decode()
    client.post("/compose", {"text": "Hola", "visibility": "public", "language": "pt"})
    client.post("/compose", {"text": "Hola otra vez", "visibility": "public"})
    assert dict(Post.objects.values_list("text", "language")) == {
        "Hola": "pt",
        "Hola otra vez": "es",
    }
    refused = client.post("/compose", {"text": "kept", "visibility": "public", "language": "q"})
    assert refused.status_code == 422 and "kept" in refused.content.decode()
    assert Post.objects.count() == 2
    # Screen readers read each post in its own language.
    html = client.get("/@ana").content.decode()
    assert 'lang="pt"' in html and 'lang="es"' in html


def test_mastodon_status_language_and_default(api_for: Any) -> None:  # noqa: F811
    ana = make_account("ana")
    api = api_for(ana)
    status = api.post("/api/v1/statuses", {"status": "Hallo", "language": "de"}).json()
    assert status["language"] == "de"
    assert api.post("/api/v1/statuses", {"status": "x", "language": "!!"}).status_code == 422
    r = api.put_json(f"/api/v1/statuses/{status['id']}", {"status": "Hej", "language": "sv"})
    assert r.json()["language"] == "sv"
    r = api.patch("/api/v1/accounts/update_credentials", "source[language]=fr",
                  content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["source"]["language"] == "fr"
    assert api.get("/api/v1/preferences").json()["posting:default:language"] == "fr"
    assert api.post("/api/v1/statuses", {"status": "Salut"}).json()["language"] == "fr"
    bad = api.patch("/api/v1/accounts/update_credentials", "source[language]=nope",
                    content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert bad.status_code == 422
    ana.refresh_from_db()
    assert ana.default_language == "fr"


def test_a_scheduled_status_keeps_its_language(api_for: Any) -> None:  # noqa: F811
    ana = make_account("ana")
    when = timezone.now() + dt.timedelta(minutes=10)
    r = api_for(ana).post(
        "/api/v1/statuses",
        {"status": "Ciao", "language": "it", "scheduled_at": when.isoformat()},
    )
    assert r.status_code == 200, r.content
    assert r.json()["params"]["language"] == "it"
    ScheduledPost.objects.update(scheduled_at=timezone.now() - dt.timedelta(seconds=1))
    publish_due()
    assert Post.objects.get().language == "it"


def test_native_api_language(client: Any) -> None:
    from mastodon.actions import issue_token, register_app

    ana = make_account("ana")
    app, _ = register_app(
        name="t", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write"
    )
    _, raw = issue_token(ana.user, app, scopes="read write")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = client.post("/api/plaza/v1/posts", {"text": "Hei", "language": "fi"},
                    content_type="application/json", **auth)  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["language"] == "fi"
    pid = r.json()["id"]
    r = client.patch(f"/api/plaza/v1/posts/{pid}", {"text": "Hej", "language": "da"},
                     content_type="application/json", **auth)  # fmt: skip
    assert r.json()["language"] == "da"
    r = client.post("/api/plaza/v1/posts", {"text": "x", "language": "xx"},
                    content_type="application/json", **auth)  # fmt: skip
    assert r.status_code == 422 and "language" in r.json()["error"].lower()
    assert Post.objects.count() == 1
