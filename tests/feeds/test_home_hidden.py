"""What the home feed leaves out beyond blocks: exclusive lists' members and timed mutes,
which stop applying once they expire."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from feeds.queries import home_feed
from lists import actions as lists
from network.actions import follow, mute
from network.models import Mute
from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _home(viewer: Any) -> list[int]:
    return [p.pk for p in home_feed(viewer).posts]


def test_exclusive_list_members_are_read_in_their_list_not_at_home(run_tasks: Any) -> None:
    ana, bo, cy = make_account("ana"), make_account("bo"), make_account("cy")
    with run_tasks():
        follow(ana, bo)
        follow(ana, cy)
    news = lists.create_list(ana, "News", exclusive=True)
    friends = lists.create_list(ana, "Friends", exclusive=False)
    lists.add_members(ana, news, [bo])
    lists.add_members(ana, friends, [cy])
    with run_tasks():
        by_bo = publish(bo, text="breaking")
        by_cy = publish(cy, text="hello")
    assert by_cy.pk in _home(ana) and by_bo.pk not in _home(ana)
    # Not exclusive any more: back at home.
    lists.update_list(ana, news, exclusive=False)
    assert by_bo.pk in _home(ana)
    # Someone else's exclusive list doesn't change ana's home.
    other = make_account("other")
    with run_tasks():
        follow(other, bo)
    theirs = lists.create_list(other, "Mine", exclusive=True)
    lists.add_members(other, theirs, [bo])
    assert by_bo.pk in _home(ana)


def test_timed_mutes_hide_until_they_expire(run_tasks: Any) -> None:
    ana, bo = make_account("ana"), make_account("bo")
    with run_tasks():
        follow(ana, bo)
        post = publish(bo, text="noise")
    mute(ana, bo, duration=3600)
    assert post.pk not in _home(ana)
    Mute.all_objects.filter(account=ana, target=bo).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    assert post.pk in _home(ana)
