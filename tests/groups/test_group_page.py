"""The group page's feed: the same posts as the visibility rule of posts gives, the same markup
as the per-card template it replaced, and a number of queries that does not grow with the page.

Denials stay the point: whatever the statement's shape, blocked, suspended and limited authors,
outsiders, banned members and logged-out visitors get exactly what ``visible_posts`` gives them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from feeds.queries import PageRange
from groups import actions, queries
from groups.models import Group
from groups.queries import Standing
from moderation import actions as moderation
from network import actions as network
from plaza.errors import NotFound
from posts import actions as posts
from posts.models import Post
from posts.queries import cards, visible_posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db

# What templates/groups/_group_post.html drew for each card (included once per card) before
# the page drew its cards in one batch: the batch must draw the very same bytes. (Since then,
# removing a post asks for an optional reason, with templates/groups/_reason_form.html.)
PER_CARD_TEMPLATE = """{% load posts_ui %}{% with p=card.shown %}<article class="group-post{% if p.group_kind == 'announcement' %} is-announcement{% endif %}{% if is_pinned %} is-pinned{% endif %}" id="post-{{ p.pk }}">
  {% if is_pinned or p.group_kind == "announcement" or p.group_kind == "question" %}<div class="group-post-tags">
    {% if is_pinned %}<span class="pill group-pill-pinned">Pinned</span>{% endif %}
    {% if p.group_kind == "announcement" %}<span class="pill group-pill-announcement">Announcement</span>{% endif %}
    {% if p.group_kind == "question" %}{% if p.answered_at %}<span class="pill group-pill-answered">Answered</span>{% else %}<span class="pill group-pill-question">Question</span>{% endif %}{% endif %}
  </div>{% endif %}
  {% post_card card %}
  {% if me.is_moderator or viewer.pk == p.author_id and p.group_kind == "question" %}<div class="group-post-actions">
    {% if viewer.pk == p.author_id and p.group_kind == "question" %}<form method="post" action="{% url 'groups:post_action' group.handle p.pk p.answered_at|yesno:'unanswered,answered' %}">{% csrf_token %}<button class="btn btn-ghost btn-sm">{% if p.answered_at %}Mark not answered{% else %}Mark answered{% endif %}</button></form>{% endif %}
    {% if me.is_moderator %}<form method="post" action="{% url 'groups:post_action' group.handle p.pk is_pinned|yesno:'unpin,pin' %}">{% csrf_token %}<button class="btn btn-ghost btn-sm">{% if is_pinned %}Unpin{% else %}Pin{% endif %}</button></form>
    {% if viewer.pk != p.author_id %}{% url 'groups:post_action' group.handle p.pk 'remove' as url %}{% include "groups/_reason_form.html" with url=url label="Remove" confirm="Remove post" id="post" key=p.pk danger=True %}{% endif %}{% endif %}
  </div>{% endif %}
</article>{% endwith %}
"""
BATCH_TEMPLATE = (
    "{% load groups_ui %}{% group_posts cards pinned=pinned as drawn %}"
    "{{ drawn.pinned }}|{{ drawn.feed }}"
)


@pytest.fixture
def busy(run_tasks: Any) -> dict[str, Any]:
    """A private group with an owner, a moderator and a member, and every kind of thread:
    discussions, an open and an answered question, an announcement, two pins."""
    people = {n: make_account(n) for n in ("owner", "mod", "member", "outsider")}
    group = actions.create_group(
        people["owner"], name="Busy", handle="busy", visibility="private", join_policy="request"
    )
    with run_tasks():
        for name in ("mod", "member"):
            actions.join(people[name], group)
            actions.approve_request(people["owner"], group, people[name])
        actions.promote(people["owner"], group, people["mod"])
        member, mod, owner = people["member"], people["mod"], people["owner"]
        first = posts.publish(member, text="Discussion", group=group)
        posts.publish(member, text="Open question?", group=group, group_kind="question")
        answered = posts.publish(member, text="Answered?", group=group, group_kind="question")
        actions.mark_answered(member, answered)
        posts.publish(mod, text="Hear ye", group=group, group_kind="announcement")
        pinned = posts.publish(owner, text="Read first", group=group)
        pinned_q = posts.publish(owner, text="FAQ?", group=group, group_kind="question")
        posts.publish(member, text="A reply stays in its thread", in_reply_to=first)
        posts.like(member, first)
        actions.pin_post(mod, group, pinned)
        actions.pin_post(mod, group, pinned_q)
    return {"group": group, **people}


def _normal(html: str) -> str:
    # Each render masks the CSRF secret differently.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)


@pytest.mark.parametrize("who", ["owner", "mod", "member", "outsider", None])
def test_batch_draws_the_same_markup_as_one_template_per_card(
    busy: dict[str, Any], who: str | None
) -> None:
    group: Group = busy["group"]
    viewer = busy[who] if who else None
    me = queries.standing(viewer, group)
    feed = queries.group_feed(busy["owner"], group)  # every thread, whoever looks
    pinned, stream = cards(viewer, feed.pinned), cards(viewer, feed.page.posts)
    assert len(pinned) == 2 and len(stream) == 4
    request = RequestFactory().get("/g/busy")
    request.user = viewer.user if viewer else None  # type: ignore[assignment]
    engine = engines["django"]
    context = {"group": group, "me": me, "viewer": viewer}
    per_card = engine.from_string(PER_CARD_TEMPLATE)
    expected_pinned = "".join(
        per_card.render({**context, "card": c, "is_pinned": True}, request) for c in pinned
    )
    expected_feed = "".join(
        per_card.render({**context, "card": c, "is_pinned": False}, request) + "\n" for c in stream
    )
    drawn = engine.from_string(BATCH_TEMPLATE).render(
        {**context, "cards": stream, "pinned": pinned}, request
    )
    assert _normal(drawn) == _normal(f"{expected_pinned}|{expected_feed}")
    if who == "mod":
        assert drawn.count(">Unpin<") == 2 and drawn.count(">Pin<") == 4
    if who == "member":
        assert ">Mark answered<" in drawn and ">Mark not answered<" in drawn


def _count(client: Any, url: str, **headers: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
        assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["mod", "member"])
def test_page_queries_do_not_grow_with_the_page(
    busy: dict[str, Any], who: str, client: Any, django_assert_max_num_queries: Any
) -> None:
    group = busy["group"]
    for n in range(24):
        author = busy["member"] if n % 2 else busy["mod"]
        posts.publish(author, text=f"thread {n} @outsider", group=group)
    client.force_login(busy[who].user)
    small, large = _count(client, "/g/busy?limit=2"), _count(client, "/g/busy?limit=20")
    assert small == large
    last = Post.objects.filter(group=group, in_reply_to=None).order_by("-id")[5].pk
    htmx = {"HTTP_HX_REQUEST": "true"}
    assert _count(client, f"/g/busy?limit=2&max_id={last}", **htmx) == _count(
        client, f"/g/busy?limit=20&max_id={last}", **htmx
    )
    # Session, user, group, standing and moderators, who to leave out (with the pins), the
    # feed (pinned and page), authors, media, the viewer's marks, and the base page's
    # counters: 12 at most, whatever the page.
    with django_assert_max_num_queries(12):
        client.get("/g/busy?limit=40")


def _reference(viewer: Any, group: Group, page: PageRange) -> tuple[list[int], list[int]]:
    """The group feed straight from the ORM and ``visible_posts``, as it was written first."""
    from django.db.models import Exists, OuterRef

    from feeds.queries import _apply_range, _finish, _order
    from groups.models import GroupPin

    page = page.clamp()
    pins = GroupPin.objects.filter(group=group, post=OuterRef("pk"))
    threads = visible_posts(viewer).filter(
        group=group, in_reply_to__isnull=True, reshare_of__isnull=True
    )
    first = page.max_id is None and page.since_id is None and page.min_id is None
    pinned = list(threads.filter(Exists(pins)).order_by("-id")) if first else []
    qs = _apply_range(threads.exclude(Exists(pins)), "id", page).order_by(_order("id", page))
    stream = _finish(list(qs[: page.limit]), page).posts
    return [p.pk for p in pinned], [p.pk for p in stream]


def test_feed_matches_the_visibility_rule_for_everyone(
    busy: dict[str, Any], run_tasks: Any
) -> None:
    group, owner = busy["group"], busy["owner"]
    staff = make_account("staff")
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    blocker, blocked, loud, gone, fan = (
        make_account(n) for n in ("blocker", "blocked", "loud", "gone", "fan")
    )
    with run_tasks():
        for account in (blocker, blocked, loud, gone, fan):
            actions.join(account, group)
            actions.approve_request(owner, group, account)
        for account in (blocker, blocked, loud, gone):
            posts.publish(account, text=f"by {account.username}", group=group)
        network.block(blocker, busy["member"])  # blocker sees nothing of member's, and back
        network.block(busy["mod"], blocked)
        network.follow(fan, loud)
        network.request_connection(fan, busy["member"])
        network.accept_connection(busy["member"], fan)
        # Group posts are stored unlisted; the rule's other audiences still hold if a row
        # says otherwise (older rows, other paths): followers, connections, the mentioned.
        narrow = {
            "followers": posts.publish(loud, text="for my followers", group=group),
            "connections": posts.publish(busy["member"], text="for my connections", group=group),
            "direct": posts.publish(busy["member"], text="for @fan only", group=group),
            "private": posts.publish(owner, text="nobody else", group=group),
        }
    for visibility, post in narrow.items():
        Post.objects.filter(pk=post.pk).update(
            visibility="direct" if visibility == "private" else visibility
        )
    moderation.limit(staff, loud, "shouting")
    moderation.suspend(staff, gone, "spam")
    actions.ban(owner, group, busy["mod"])  # a banned moderator reads nothing any more
    public = actions.create_group(owner, name="Open", handle="open_one")
    posts.publish(owner, text="For all", group=public)
    ids = sorted(Post.objects.filter(group=group, in_reply_to=None).values_list("id", flat=True))
    viewers = [None, *busy.values(), blocker, blocked, loud, gone, fan]
    pages = [
        PageRange(),
        PageRange(limit=3),
        PageRange(max_id=ids[-2], limit=3),
        PageRange(since_id=ids[1], limit=2),
        PageRange(min_id=ids[1], limit=2),
        PageRange(max_id=ids[-1], min_id=ids[0], limit=40),
    ]
    for viewer in viewers:
        if isinstance(viewer, Group):
            continue
        for g in (group, public):
            for page in pages:
                feed = queries.group_feed(viewer, g, page)
                got = ([p.pk for p in feed.pinned], [p.pk for p in feed.page.posts])
                assert got == _reference(viewer, g, page), (viewer, g, page)
    # The denials themselves, not only the agreement.
    assert queries.group_feed(busy["outsider"], group).page.posts == []
    assert queries.group_feed(None, group).pinned == []
    assert queries.group_feed(busy["mod"], group).page.posts == []
    seen_by_blocker = queries.group_feed(blocker, group).page.posts
    assert seen_by_blocker and all(p.author_id != busy["member"].pk for p in seen_by_blocker)
    assert loud.pk in {p.author_id for p in queries.group_feed(fan, group).page.posts}
    assert loud.pk not in {p.author_id for p in queries.group_feed(owner, group).page.posts}
    assert gone.pk not in {p.author_id for p in queries.group_feed(fan, group).page.posts}
    seen_by_fan = {p.pk for p in queries.group_feed(fan, group).page.posts}
    assert {narrow[k].pk for k in ("followers", "connections", "direct")} <= seen_by_fan
    assert narrow["private"].pk not in seen_by_fan
    seen_by_owner = {p.pk for p in queries.group_feed(owner, group).page.posts}
    assert narrow["private"].pk in seen_by_owner
    assert not {narrow[k].pk for k in ("followers", "connections", "direct")} & seen_by_owner


def test_secret_group_is_known_to_members_and_the_invited_only(busy: dict[str, Any]) -> None:
    owner, outsider, member = busy["owner"], busy["outsider"], busy["member"]
    secret = actions.create_group(
        owner, name="Hush", handle="hush", visibility="secret", join_policy="invite"
    )
    for viewer in (None, outsider, member):
        with pytest.raises(NotFound):
            queries.get_group_for(viewer, "HUSH")
        with pytest.raises(NotFound):
            queries.get_group_by_id_for(viewer, secret.pk)
    actions.invite(owner, secret, member)
    assert queries.get_group_for(member, "Hush") == secret
    actions.accept_invite(member, secret)
    assert queries.get_group_by_id_for(member, secret.pk) == secret
    actions.ban(owner, secret, member)
    with pytest.raises(NotFound):
        queries.get_group_for(member, "hush")
    assert queries.get_group_for(owner, "hush") == secret
    assert isinstance(queries.standing_and_moderators(owner, secret)[0], Standing)


def test_standing_and_moderators_agree_with_the_separate_reads(busy: dict[str, Any]) -> None:
    group, owner = busy["group"], busy["owner"]
    asker, invited = make_account("asker"), make_account("invited")
    actions.join(asker, group, answers=[])
    actions.invite(owner, group, invited)
    actions.ban(owner, group, busy["outsider"])
    for viewer in (None, owner, busy["mod"], busy["member"], busy["outsider"], asker, invited):
        me, mods = queries.standing_and_moderators(viewer, group)
        alone = queries.standing(viewer, group)
        assert (me.membership, me.requested, me.invited) == (
            alone.membership,
            alone.requested,
            alone.invited,
        )
        assert mods == queries.moderators(group)
        assert [m.account.username for m in mods] == ["owner", "mod"]
