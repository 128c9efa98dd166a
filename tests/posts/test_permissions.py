"""Who sees a post: visibility x relationship x blocks, through the thread page and the query."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Account
from network import actions as network
from posts import actions
from posts.queries import visible_posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db

RELATIONSHIPS = (
    "anonymous",
    "stranger",
    "follower",
    "connection",
    "mentioned",
    "author",
    "blocked_by_author",
    "blocking_author",
)

# Y: the thread page answers 200 and visible_posts includes the post; N: 404 and excluded.
# The whole rule, written out once, by hand.
EXPECTED = {
    #              anon  stranger follower connection mentioned author blocked blocking
    "public":      ("Y", "Y",     "Y",     "Y",       "Y",      "Y",   "N",    "N"),
    "unlisted":    ("Y", "Y",     "Y",     "Y",       "Y",      "Y",   "N",    "N"),
    "followers":   ("N", "N",     "Y",     "Y",       "Y",      "Y",   "N",    "N"),
    "connections": ("N", "N",     "N",     "Y",       "Y",      "Y",   "N",    "N"),
    "direct":      ("N", "N",     "N",     "N",       "Y",      "Y",   "N",    "N"),
}  # fmt: skip

CASES = [
    (visibility, relationship, row[i] == "Y")
    for visibility, row in EXPECTED.items()
    for i, relationship in enumerate(RELATIONSHIPS)
]


def _viewer(relationship: str, author: Account) -> Account | None:
    if relationship == "anonymous":
        return None
    if relationship == "author":
        return author
    viewer = make_account(relationship.replace("_", ""))
    if relationship == "follower":
        network.follow(viewer, author)
    elif relationship == "connection":
        assert network.request_connection(viewer, author) == "requested"
        network.accept_connection(author, viewer)
    elif relationship == "blocked_by_author":
        network.block(author, viewer)
    elif relationship == "blocking_author":
        network.block(viewer, author)
    return viewer


@pytest.mark.parametrize(("visibility", "relationship", "sees"), CASES)
def test_visibility_matrix(
    client: Any, run_tasks: Any, visibility: str, relationship: str, sees: bool
) -> None:
    author = make_account("author")
    mentioned_name = "mentioned" if relationship == "mentioned" else "someoneelse"
    mentioned = make_account(mentioned_name)
    with run_tasks():
        viewer = mentioned if relationship == "mentioned" else _viewer(relationship, author)
        post = actions.publish(author, text=f"Hello @{mentioned_name}", visibility=visibility)
    if viewer is not None:
        client.force_login(viewer.user)
    response = client.get(f"/@author/{post.pk}")
    assert response.status_code == (200 if sees else 404)
    assert visible_posts(viewer).filter(pk=post.pk).exists() is sees
    if sees:
        assert "Hello" in response.content.decode()


def test_matrix_covers_every_visibility_and_relationship() -> None:
    assert len(CASES) == 5 * 8
    assert {v for v, _, _ in CASES} == {"public", "unlisted", "followers", "connections", "direct"}


def test_reshare_of_hidden_post_is_hidden(client: Any) -> None:
    author, sharer, reader = make_account("author"), make_account("sharer"), make_account("reader")
    post = actions.publish(author, text="original")
    share = actions.reshare(sharer, post)
    network.block(author, reader)
    assert not visible_posts(reader).filter(pk=share.pk).exists()
    client.force_login(reader.user)
    assert client.get(f"/@sharer/{share.pk}").status_code == 404
