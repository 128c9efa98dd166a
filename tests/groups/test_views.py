"""Group pages: the Report links (the group header's menu, each group post's menu) and the
create form's controls, through the Django test client."""

from __future__ import annotations

from typing import Any

import pytest

from groups import actions
from groups.models import Group
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db

REPORT_GROUP = "Report group"


@pytest.fixture
def group() -> Group:
    owner = make_account("gowner")
    return actions.create_group(
        owner,
        name="Tide Watchers",
        handle="tide_watchers",
        visibility="private",
        join_policy="request",
        questions=["Which coast?"],
    )


def _page(client: Any, account: Any, url: str) -> str:
    if account is not None:
        client.force_login(account.user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_header_offers_report_group_to_everyone_logged_in_but_the_owner(
    client: Any, group: Group
) -> None:
    outsider = make_account("outsider")
    html = _page(client, outsider, "/g/tide_watchers")
    assert REPORT_GROUP in html
    assert "/report?group=tide_watchers&amp;next=/g/tide_watchers" in html
    client.logout()

    member = make_account("member")
    actions.join(member, group, answers=["North"])
    actions.approve_request(group.owner, group, member)
    assert REPORT_GROUP in _page(client, member, "/g/tide_watchers/members")
    client.logout()

    assert REPORT_GROUP not in _page(client, group.owner, "/g/tide_watchers")
    client.logout()
    assert REPORT_GROUP not in _page(client, None, "/g/tide_watchers")


def test_group_posts_can_be_reported_by_other_members_only(client: Any, group: Group) -> None:
    member = make_account("member")
    actions.join(member, group, answers=["South"])
    actions.approve_request(group.owner, group, member)
    post = posts.publish(member, text="Spring tides this weekend", group=group)

    html = _page(client, group.owner, "/g/tide_watchers")
    assert f"/report?post={post.pk}" in html
    client.logout()
    html = _page(client, member, "/g/tide_watchers")
    assert f"/report?post={post.pk}" not in html  # not your own post


def test_create_form_controls_are_styled_and_keep_typed_values(client: Any) -> None:
    me = make_account("maker")
    html = _page(client, me, "/groups/new")
    assert 'class="input select" id="g-visibility"' in html
    assert 'class="input select" id="g-join"' in html
    assert "has-prefix group-handle-input" in html

    make_account("other")
    actions.create_group(make_account("taken_by"), name="Taken", handle="taken")
    response = client.post(
        "/groups/new",
        {
            "name": "Second",
            "handle": "taken",
            "visibility": "private",
            "join_policy": "request",
            "questions": "Why?\nHow?",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "That handle is taken." in html
    assert '<option value="private" selected>' in html
    assert '<option value="request" selected>' in html
    assert "Why?\nHow?" in html
    assert not Group.objects.filter(name="Second").exists()
