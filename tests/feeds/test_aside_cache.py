"""The cached side panel changes as soon as the viewer follows a suggested account."""

from __future__ import annotations

import pytest

from network import actions as network
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _who_to_follow(html: str) -> str:
    start = html.index('id="who-to-follow"')
    return html[start : html.index("</section>", start)]


def test_following_a_suggestion_takes_it_out_of_the_cached_panel(client, run_tasks):
    star = make_account("popular_star")
    for i in range(3):
        with run_tasks():
            network.follow(make_account(f"fan{i}"), star)
    reader = make_account("reader")
    client.force_login(reader.user)
    client.get("/")
    assert "@popular_star" in _who_to_follow(client.get("/").content.decode())
    with run_tasks():
        network.follow(reader, star)
    html = client.get("/").content.decode()
    assert 'id="who-to-follow"' not in html or "@popular_star" not in _who_to_follow(html)
