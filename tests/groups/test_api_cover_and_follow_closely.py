"""Native API: members follow a group closely (or stop), and moderators upload or remove its
cover image, with the web form's validation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from groups import actions
from groups.models import Group, Membership
from tests.factories import make_account
from tests.posts.helpers import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def group() -> Group:
    owner = make_account("owner")
    group = actions.create_group(owner, name="Covers", handle="covers")
    for name in ("mod", "member"):
        actions.join(make_account(name), group)
    actions.promote(owner, group, Membership.objects.get(account__username="mod").account)
    return group


def _who(name: str) -> Any:
    return Membership.objects.get(account__username=name).account


def _png(size: tuple[int, int] = (1200, 400)) -> SimpleUploadedFile:
    return SimpleUploadedFile("cover.png", image_bytes(size, "PNG"), "image/png")


def test_member_follows_a_group_closely_and_stops(group: Group, native: Any) -> None:
    api = native(_who("member"))
    followed = api.post(f"/groups/{group.pk}/follow-closely")
    assert followed.status_code == 200, followed.content
    assert followed.json()["standing"]["follow_closely"] is True
    assert Membership.objects.get(group=group, account=_who("member")).follow_closely
    assert api.get(f"/groups/{group.pk}").json()["standing"]["follow_closely"] is True
    stopped = api.delete(f"/groups/{group.pk}/follow-closely")
    assert stopped.status_code == 200 and stopped.json()["standing"]["follow_closely"] is False
    assert not Membership.objects.get(group=group, account=_who("member")).follow_closely


def test_only_members_follow_closely(group: Group, native: Any) -> None:
    outsider = make_account("outsider")
    refused = native(outsider).post(f"/groups/{group.pk}/follow-closely")
    assert refused.status_code == 403 and "Only members" in refused.json()["error"]
    assert not Membership.objects.filter(account=outsider).exists()
    secret = actions.create_group(
        _who("owner"), name="Hush", handle="hush", visibility="secret", join_policy="invite"
    )
    assert native(outsider).post(f"/groups/{secret.pk}/follow-closely").status_code == 404


def test_moderator_uploads_and_removes_the_cover(group: Group, native: Any) -> None:
    api = native(_who("mod"))
    uploaded = api.upload(f"/groups/{group.pk}/cover", {"file": _png()})
    assert uploaded.status_code == 200, uploaded.content
    url = uploaded.json()["group"]["cover_url"]
    assert url and url.endswith(".webp")
    group.refresh_from_db()
    assert group.cover and group.cover.width <= 1500
    assert api.get(f"/groups/{group.pk}").json()["group"]["cover_url"] == url
    removed = api.delete(f"/groups/{group.pk}/cover")
    assert removed.status_code == 200 and removed.json()["group"]["cover_url"] is None
    group.refresh_from_db()
    assert not group.cover


def test_cover_upload_is_refused_for_members_and_for_bad_files(group: Group, native: Any) -> None:
    member = native(_who("member"))
    assert member.upload(f"/groups/{group.pk}/cover", {"file": _png()}).status_code == 403
    assert member.delete(f"/groups/{group.pk}/cover").status_code == 403
    mod = native(_who("mod"))
    junk = SimpleUploadedFile("cover.png", b"not an image", "image/png")
    refused = mod.upload(f"/groups/{group.pk}/cover", {"file": junk})
    assert refused.status_code == 422 and refused.json()["error"]
    empty = SimpleUploadedFile("cover.png", b"", "image/png")
    assert mod.upload(f"/groups/{group.pk}/cover", {"file": empty}).status_code == 422
    assert mod.upload(f"/groups/{group.pk}/cover", {}).status_code == 422  # no file at all
    group.refresh_from_db()
    assert not group.cover
