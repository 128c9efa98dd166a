"""Group posts count against the posting rate limit like every other post: over the limit the
web composer keeps what was typed and the native API answers 429 with X-RateLimit-* headers,
and nothing is written either way."""

from __future__ import annotations

from typing import Any

import pytest

from groups import actions
from groups.models import Group
from plaza import ratelimit
from posts.models import MediaAttachment, Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posting allows two posts an hour."""
    rules = dict(ratelimit.RULES)
    rules["post"] = ratelimit.Rule(limit=2, window=3600, doing=rules["post"].doing)
    monkeypatch.setattr(ratelimit, "RULES", rules)


@pytest.fixture
def group() -> Group:
    return actions.create_group(make_account("owner"), name="Limits", handle="limits")


def test_web_group_composer_over_the_limit_keeps_the_text_and_writes_nothing(
    tiny: None, group: Group, client: Any
) -> None:
    ana = make_account("ana")
    actions.join(ana, group)
    client.force_login(ana.user)
    for n in range(2):
        assert client.post("/g/limits/post", {"text": f"post {n}"}).status_code == 302
    response = client.post(
        "/g/limits/post",
        {"text": "one too many", "content_warning": "cw kept", "group_kind": "question"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "too fast" in html and "one too many" in html and "cw kept" in html
    assert Post.objects.filter(group=group).count() == 2
    assert not MediaAttachment.objects.exists()
    # The limit is the account's, whatever the door: the ordinary composer is refused too.
    assert b"too fast" in client.post("/compose", {"text": "x", "visibility": "public"}).content
    assert Post.objects.count() == 2


def test_native_group_post_over_the_limit_is_a_429_with_headers(
    tiny: None, group: Group, native: Any
) -> None:
    ana = make_account("ana")
    actions.join(ana, group)
    api = native(ana)
    for n in range(2):
        assert api.post(f"/groups/{group.pk}/posts", {"text": f"post {n}"}).status_code == 201
    response = api.post(f"/groups/{group.pk}/posts", {"text": "one too many"})
    assert response.status_code == 429, response.content
    assert "too fast" in response.json()["error"]
    assert response["X-RateLimit-Limit"] == "2"
    assert response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Reset"].endswith("Z")
    assert Post.objects.filter(group=group).count() == 2
    # Ordinary posts share the allowance.
    assert api.post("/posts", {"text": "elsewhere"}).status_code == 429
    assert Post.objects.count() == 2
