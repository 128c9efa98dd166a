"""The cached navigation of the page shell (base.html) follows everything it shows."""

from __future__ import annotations

import re

import pytest

from network import actions as network
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    match = re.search(r'<nav class="primary-nav".*?</nav>', html, re.S)
    assert match
    return match.group(0)


def _tabbar(html: str) -> str:
    match = re.search(r'<nav class="tabbar".*?</nav>', html, re.S)
    assert match
    return match.group(0)


def test_unread_badge_follows_new_notifications(client):
    alice = make_account("alice")
    bob = make_account("bob")
    client.force_login(alice.user)
    before = client.get("/").content.decode()
    assert "unread)" not in _nav(before) and "unread)" not in _tabbar(before)
    network.follow(bob, alice)  # notifies alice
    after = client.get("/").content.decode()
    assert "(1 unread)" in _nav(after) and "(1 unread)" in _tabbar(after)


def test_current_link_follows_the_path(client):
    alice = make_account("alice")
    client.force_login(alice.user)
    home = _nav(client.get("/").content.decode())
    public = _nav(client.get("/public").content.decode())
    assert re.search(r'href="/" aria-current="page"', home)
    assert not re.search(r'href="/" aria-current="page"', public)
    assert re.search(r'href="/public" aria-current="page"', public)


def test_each_viewer_gets_their_own_navigation(client):
    alice = make_account("alice")
    staff = make_account("mod")
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    client.force_login(alice.user)
    alices = client.get("/").content.decode()
    client.force_login(staff.user)
    mods = client.get("/").content.decode()
    assert 'href="/@alice"' in _nav(alices) and 'href="/@mod"' not in _nav(alices)
    assert 'href="/@mod"' in _nav(mods) and 'href="/@mod"' in _tabbar(mods)
    assert "Moderation" in _nav(mods) and "Moderation" not in _nav(alices)
    client.logout()
    anonymous = client.get("/public").content.decode()
    assert "Moderation" not in anonymous and "@alice" not in _nav(anonymous)
