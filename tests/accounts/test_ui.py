"""The design-system tags and the base layout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.templatetags.plaza_ui import short_relative
from tests.factories import make_account


def _render(source: str, **context: object) -> str:
    return Template("{% load plaza_ui %}" + source).render(Context(context))


def test_nav_link_renders_nothing_for_unknown_url() -> None:
    assert _render('{% nav_link "nope:missing" "Missing" icon="home" %}') == ""


def test_nav_link_marks_current_page() -> None:
    request = RequestFactory().get("/settings/account")
    html = _render(
        '{% nav_link "accounts:settings" "Settings" icon="settings" badge=3 %}', request=request
    )
    assert 'href="/settings/account"' in html
    assert 'aria-current="page"' in html
    assert ">3<" in html


@pytest.mark.django_db
def test_avatar_initials_and_display_name() -> None:
    account = make_account("grace_hopper", display_name="Grace Hopper")
    html = _render("{% avatar a size=32 %}|{{ a|display_name }}", a=account)
    assert "GH" in html
    assert "--avatar-size: 32px" in html
    assert html.endswith("|Grace Hopper")
    account.display_name = ""
    assert _render("{{ a|display_name }}", a=account) == "grace_hopper"


def test_relative_time() -> None:
    now = timezone.now()
    assert short_relative(now - timedelta(seconds=5), now) == "now"
    assert short_relative(now - timedelta(minutes=5), now) == "5m"
    assert short_relative(now - timedelta(hours=3), now) == "3h"
    assert short_relative(now - timedelta(days=2), now) == "2d"
    old = now.replace(year=now.year - 1, month=4, day=3)
    assert short_relative(old, now) == f"Apr 3, {now.year - 1}"
    html = _render("{% relative_time dt %}", dt=now - timedelta(minutes=5))
    assert html.startswith('<time class="reltime" datetime="')
    assert ">5m</time>" in html


@pytest.mark.django_db
def test_base_layout_for_logged_in_user(client: Client) -> None:
    account = make_account("ada")
    client.force_login(account.user)
    html = client.get(reverse("accounts:settings")).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "vendor/htmx.org/dist/htmx.min.js" in html
    assert 'href="/@ada"' in html
    assert 'action="/logout"' in html


@pytest.mark.django_db
def test_components_render() -> None:
    account = make_account("ada", bio="Hello there")
    html = _render(
        '{% include "components/_account_card.html" with account=a actions="<b>X</b>"|safe %}'
        '{% include "components/_empty_state.html" with icon="bell" title="Nothing" text="Yet" %}'
        '{% include "components/_pagination.html" with next_url="/x?max_id=1" %}',
        a=account,
    )
    assert "@ada" in html and "Hello there" in html and "<b>X</b>" in html
    assert "Nothing" in html
    assert 'hx-get="/x?max_id=1"' in html and 'hx-swap="outerHTML"' in html
