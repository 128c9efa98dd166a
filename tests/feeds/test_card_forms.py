"""Post cards on feed pages: what their action forms send back, and what they show."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile

from accounts.models import Account
from network import actions as network
from posts import actions as posts
from posts.models import MediaAttachment
from tests.factories import make_account

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<article class="post-card.*?</article>', re.S)


def test_card_forms_return_to_the_page_shown_not_to_load_more(run_tasks, client):
    # Regression: the cards' hidden ``next`` used to be the page's "Load more" URL (the next
    # page's ``max_id``), so liking a post on page 1 sent people on to page 2.
    alice = make_account("alice")
    with run_tasks():
        for i in range(3):
            posts.publish(alice, text=f"post {i}")
    client.force_login(alice.user)
    html = client.get("/?limit=2").content.decode()
    cards = CARD.findall(html)
    assert len(cards) == 2
    assert "max_id=" in html.split(cards[-1], 1)[1]  # there is a next page ...
    for card in cards:
        assert 'name="next" value="/?limit=2"' in card
        assert "max_id" not in card  # ... but no card sends people there


def test_media_of_posts_reshared_posts_and_quotes_are_shown(run_tasks, client):
    # The home feed loads all of it in one media query (posts.queries.with_related).
    alice, bob, reader = make_account("alice"), make_account("bob"), make_account("reader")

    def image(owner: Account, name: str) -> MediaAttachment:
        return MediaAttachment.objects.create(
            account=owner,
            kind="image",
            state="ready",
            file=ContentFile(b"x", name=f"{name}.png"),
            width=10,
            height=10,
            alt_text=f"alt {name}",
        )

    with run_tasks():
        network.follow(reader, alice)
        network.follow(reader, bob)
        original = posts.publish(bob, text="original", media=[image(bob, "orig")])
        quoted = posts.publish(bob, text="quoted", media=[image(bob, "quoted")])
        posts.publish(alice, text="own", media=[image(alice, "own")])
        posts.reshare(alice, original)
        quoting = posts.publish(alice, text="quoting", quote_of=quoted)
    client.force_login(reader.user)
    html = client.get("/").content.decode()
    for name in ("orig", "quoted", "own"):
        assert f'alt="alt {name}"' in html
    assert f'id="post-{quoting.pk}"' in html and "1 attachment" in html
