"""Rendering what people type: escaped, linked, and nothing else survives."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from posts import actions
from posts.models import Mention
from posts.text import render
from tests.factories import make_account

pytestmark = pytest.mark.django_db

XSS_ATTEMPTS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "<iframe src=https://evil.example></iframe>",
    "[x](javascript:alert(1))",
    '<p style="background:url(javascript:alert(1))">x</p>',
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@pytest.mark.parametrize("attack", XSS_ATTEMPTS)
def test_markup_is_escaped(attack: str) -> None:
    parser = _Elements()
    parser.feed(render(attack).html)
    for tag, attrs in parser.found:
        assert tag in {"p", "br", "a", "span"}
        for name, value in attrs:
            assert name in {"href", "class", "rel", "target"}
            if name == "href":
                assert (value or "").startswith(("https://", "http://", "/"))
    assert "alert(1)" in render(attack).html or "alert" not in attack  # kept, as text


def test_links_get_safe_attributes() -> None:
    html = render("see https://example.com/a?b=1&c=2 now").html
    assert 'href="https://example.com/a?b=1&amp;c=2"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_paragraphs_and_line_breaks() -> None:
    assert render("one\ntwo\n\nthree").html == "<p>one<br>two</p><p>three</p>"


def test_hashtags_become_links_and_are_stored() -> None:
    alice = make_account("alice")
    post = actions.publish(alice, text="Loving #Django and #plaza2025 but not #123")
    assert 'href="/tags/django"' in post.html and ">#Django</a>" in post.html
    assert 'href="/tags/plaza2025"' in post.html
    assert 'href="/tags/123"' not in post.html
    assert sorted(post.hashtags.values_list("name", flat=True)) == ["django", "plaza2025"]


def test_mentions_of_unknown_users_stay_plain_text() -> None:
    alice, _bob = make_account("alice"), make_account("bob")
    post = actions.publish(alice, text="hi @bob and @ghost")
    assert '<a href="/@bob" class="mention">@bob</a>' in post.html
    assert "@ghost" in post.html and 'href="/@ghost"' not in post.html
    assert list(Mention.objects.filter(post=post).values_list("account__username", flat=True)) == [
        "bob"
    ]


def test_mention_inside_url_and_email_is_not_a_mention() -> None:
    make_account("bob")
    html = render("mail me@bob.example or https://example.com/@bob", known_mentions={"bob"}).html
    assert 'class="mention"' not in html


def test_thread_page_shows_sanitized_html(client: Any) -> None:
    alice = make_account("alice")
    post = actions.publish(alice, text="<b>bold</b> <script>x()</script>")
    html = client.get(f"/@alice/{post.pk}").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>x()" not in html
