"""Private notes on accounts and timed mutes: actions, the profile note box, the mute menu."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from network import actions, queries
from network.models import AccountNote, Mute
from plaza.errors import ActionError
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _expire(account: Any, target: Any) -> None:
    Mute.all_objects.filter(account=account, target=target).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_timed_mute_ends_on_its_own() -> None:
    ana, bob = make_account("ana"), make_account("bob")
    actions.mute(ana, bob, duration=3600)
    assert queries.relationship(ana, bob).muting
    details = queries.relationship_details(ana, [bob])[bob.pk]
    assert details.mute_expires_at is not None
    assert (
        dt.timedelta(minutes=59) < details.mute_expires_at - timezone.now() <= dt.timedelta(hours=1)
    )
    _expire(ana, bob)
    assert not queries.relationship(ana, bob).muting
    assert list(queries.muted_ids(ana)) == []
    assert queries.mutes_page(ana).rows == []
    # muting again reuses the expired row; indefinite this time
    actions.mute(ana, bob)
    assert queries.relationship(ana, bob).muting
    assert queries.relationship_details(ana, [bob])[bob.pk].mute_expires_at is None
    _expire(ana, bob)
    assert actions.delete_expired_mutes() == 1
    assert not Mute.all_objects.exists()
    with pytest.raises(ActionError):
        actions.mute(ana, bob, duration=-5)
    assert not Mute.all_objects.exists()


def test_notes_are_private_and_clearable() -> None:
    ana, bob = make_account("ana"), make_account("bob")
    assert actions.set_note(ana, bob, "  met at PyCon ") == "met at PyCon"
    assert queries.relationship_details(ana, [bob])[bob.pk].note == "met at PyCon"
    assert queries.relationship_details(bob, [ana])[ana.pk].note == ""
    with pytest.raises(ActionError):
        actions.set_note(ana, bob, "x" * 2001)
    with pytest.raises(ActionError):
        actions.set_note(ana, ana, "me")
    assert AccountNote.objects.get().comment == "met at PyCon"
    actions.set_note(ana, bob, "")
    assert not AccountNote.objects.exists()


def test_web_mute_for_a_day_and_note(client: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    client.force_login(ana.user)
    page = client.get("/@bob").content.decode()
    assert "Mute for" in page and 'value="86400"' in page
    response = client.post("/@bob/mute", {"duration": "86400"})
    assert response.status_code == 302
    mute = Mute.objects.get()
    assert mute.expires_at is not None
    assert dt.timedelta(hours=23) < mute.expires_at - timezone.now() <= dt.timedelta(days=1)
    client.post("/@bob/unmute")
    client.post("/@bob/mute", {"duration": "12345"})  # not a menu choice
    assert not Mute.objects.exists()
    client.post("/@bob/mute")
    assert Mute.objects.get().expires_at is None
    response = client.post("/@bob/note", {"comment": "owes me a coffee"})
    assert response.status_code == 302
    assert AccountNote.objects.get(account=ana, target=bob).comment == "owes me a coffee"
    client.post("/@bob/note", {"comment": "y" * 2001})
    assert AccountNote.objects.get().comment == "owes me a coffee"
    assert client.get("/@bob/note").status_code == 405


def test_note_partial_only_for_its_author(rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    ana, bob = make_account("ana"), make_account("bob")
    actions.set_note(ana, bob, "secret thing")
    for who, shown in ((ana, True), (bob, False)):
        request = rf.get("/@bob")
        request.user = who.user
        html = render_to_string("network/_account_note.html", {"target": bob}, request=request)
        assert ("secret thing" in html) is shown
    request = rf.get("/@bob")
    request.user = AnonymousUser()
    assert (
        render_to_string("network/_account_note.html", {"target": bob}, request=request).strip()
        == ""
    )
