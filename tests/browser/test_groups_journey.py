"""A private group, end to end in Chromium, through the real web UI.

Ana creates a private group that people request to join (with a question); Ben finds it in
the groups list and in search, asks to join answering the question; Ana hears about it
(notification, the Requests tab), reads the answer and approves; Ben asks a question in the
group, Ana replies, Ben marks the question answered, and the group post is in Ben's home feed.
Cleo, who is not a member, can neither read the group's feed nor open the post's URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.conftest import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NewContext = Callable[..., BrowserContext]
Shot = Callable[[Page, str], Path]

GROUP = "Harbour Sailors"
HANDLE = "harbour_sailors"
QUESTION = "Which boat do you sail?"
ANSWER = "A blue Laser dinghy, moored at pier 4."
ASKED = "Where can I get the sail repaired before Saturday's regatta?"
REPLY = "Try the loft next to the chandlery, they are quick."


def _seed_people() -> None:
    from tests.factories import make_account

    make_account("ana", display_name="Ana Keel", password=PASSWORD)
    make_account("ben", display_name="Ben Rigg", password=PASSWORD)
    make_account("cleo", display_name="Cleo Mast", password=PASSWORD)


def _sidebar_link(page: Page, name: str | re.Pattern[str]) -> Locator:
    return page.locator("header.sidebar").get_by_role("link", name=name)


def _toast(page: Page, text: str) -> None:
    expect(page.locator("#toasts").get_by_text(text)).to_be_visible()


def _group_post(page: Page, text: str) -> Locator:
    return page.get_by_role("region", name="Group posts").locator(
        "article.group-post", has_text=text
    )


def test_private_group_request_approve_discuss(new_context: NewContext, shot: Shot) -> None:
    _seed_people()
    ana = new_context().new_page()
    ben = new_context().new_page()
    log_in(ana, "ana")
    log_in(ben, "ben")

    # --- Ana creates a private group that people ask to join, with a question -----------------
    _sidebar_link(ana, "Groups").click()
    ana.wait_for_url("**/groups")
    ana.get_by_role("link", name="New group").click()
    ana.wait_for_url("**/groups/new")
    ana.get_by_label("Name", exact=True).fill(GROUP)
    ana.get_by_label("Handle").fill(HANDLE)
    ana.get_by_label("Description").fill(
        "Dinghy sailors of the old harbour: races, repairs, tides."
    )
    ana.get_by_label("Topics").fill("#sailing #harbour")
    ana.get_by_label("Rules").fill("Be kind. No selling boats here.")
    ana.get_by_label("Visibility").select_option(label="Private — listed, only members read posts")
    ana.get_by_label("Joining").select_option(label="People request to join, moderators approve")
    ana.get_by_label("Questions for people asking to join").fill(QUESTION)
    shot(ana, "groups-new")
    ana.get_by_role("button", name="Create group").click()
    ana.wait_for_url(f"**/g/{HANDLE}")
    _toast(ana, "Your group is ready.")
    header = ana.get_by_role("region", name="Group")
    expect(header.get_by_role("heading", name=GROUP)).to_be_visible()
    expect(header.get_by_text("Private group")).to_be_visible()
    shot(ana, "groups-created")

    # --- Ben finds it: in search, and in the groups list --------------------------------------
    _sidebar_link(ben, "Search").click()
    ben.wait_for_url("**/search**")
    ben.get_by_role("searchbox").first.fill("sailors")
    ben.keyboard.press("Enter")
    expect(ben.get_by_role("link", name=GROUP)).to_be_visible()
    shot(ben, "groups-search")

    _sidebar_link(ben, "Groups").click()
    ben.wait_for_url("**/groups")
    discover = ben.get_by_role("region", name="Discover")
    discover.get_by_role("link", name=GROUP).click()
    ben.wait_for_url(f"**/g/{HANDLE}")
    # Not a member yet: the group is described but its posts are hidden.
    expect(ben.get_by_text("This group is private")).to_be_visible()

    # --- Ben asks to join, answering the question ----------------------------------------------
    ben.get_by_label(QUESTION).fill(ANSWER)
    shot(ben, "groups-ask-to-join")
    ben.get_by_role("button", name="Send request").click()
    _toast(ben, "Request sent. A moderator will review it.")
    expect(ben.get_by_role("button", name="Requested · Withdraw")).to_be_visible()

    # --- Ana hears about it and approves from the Requests tab ---------------------------------
    ana.goto("/")
    expect(_sidebar_link(ana, re.compile("^Notifications"))).to_have_accessible_name(
        re.compile(r"Notifications \(1 unread\)")
    )
    _sidebar_link(ana, re.compile("^Notifications")).click()
    ana.wait_for_url("**/notifications")
    item = ana.get_by_role("list", name="Notifications").locator("li", has_text="asked to join")
    expect(item).to_contain_text("Ben Rigg")
    shot(ana, "groups-notification-request")
    item.get_by_role("link", name=GROUP).click()
    ana.wait_for_url(f"**/g/{HANDLE}/requests")
    request = ana.locator("li.group-request", has_text="Ben Rigg")
    expect(request.get_by_text(QUESTION)).to_be_visible()
    expect(request.get_by_text(ANSWER)).to_be_visible()
    shot(ana, "groups-requests")
    request.get_by_role("button", name="Approve").click()
    _toast(ana, "Request approved.")
    expect(ana.get_by_text("No pending requests")).to_be_visible()

    # --- Ben is in: he asks a question in the group --------------------------------------------
    ben.goto("/notifications")
    expect(
        ben.get_by_role("list", name="Notifications").locator("li", has_text="let you into")
    ).to_contain_text(GROUP)
    ben.goto(f"/g/{HANDLE}")
    ben.get_by_label(f"Post to {GROUP}").fill(ASKED)
    ben.get_by_label("Kind of post").select_option(label="Question")
    ben.get_by_role("button", name="Post", exact=True).click()
    _toast(ben, "Posted.")
    question = _group_post(ben, ASKED)
    expect(question.get_by_text("Question", exact=True)).to_be_visible()
    post_id = (question.get_attribute("id") or "").removeprefix("post-")
    assert post_id.isdigit(), post_id
    shot(ben, "groups-question")

    # --- Ana replies from the post's thread page ------------------------------------------------
    ana.goto(f"/g/{HANDLE}")
    card = _group_post(ana, ASKED)
    expect(card).to_be_visible()
    card.locator("a.post-time").click()
    ana.wait_for_url(f"**/{post_id}")
    post_url = ana.url
    ana.get_by_label("Your reply").fill(REPLY)
    ana.get_by_role("button", name="Reply", exact=True).click()
    reply_card = ana.get_by_role("region", name="Replies").locator(
        "article.post-card", has_text=REPLY
    )
    expect(reply_card).to_be_visible()
    reply_id = (reply_card.get_attribute("id") or "").removeprefix("post-")
    assert reply_id.isdigit(), reply_id
    shot(ana, "groups-reply")
    # A member can report someone else's group post from the post's menu.
    focus = ana.locator(f"article#post-{post_id}")
    focus.get_by_label("More actions").click()
    expect(focus.get_by_role("menuitem", name="Report post")).to_have_attribute(
        "href", re.compile(rf"/report\?post={post_id}")
    )

    # --- Ben sees the reply, marks his question answered ----------------------------------------
    ben.goto(post_url)
    expect(ben.get_by_role("region", name="Replies").get_by_text(REPLY)).to_be_visible()
    ben.goto(f"/g/{HANDLE}")
    _group_post(ben, ASKED).get_by_role("button", name="Mark answered").click()
    ben.wait_for_url(f"**/g/{HANDLE}")
    question = _group_post(ben, ASKED)
    expect(question.get_by_text("Answered", exact=True)).to_be_visible()
    expect(question.get_by_role("button", name="Mark not answered")).to_be_visible()
    shot(ben, "groups-answered")

    # --- The group post is in Ben's home feed ---------------------------------------------------
    _sidebar_link(ben, re.compile("^Home")).click()
    home = ben.get_by_role("region", name="Home feed")
    expect(home.locator(f"article#post-{post_id}")).to_contain_text(ASKED)
    shot(ben, "groups-home-feed")

    # --- Cleo, not a member, reads nothing of it ------------------------------------------------
    cleo = new_context().new_page()
    log_in(cleo, "cleo")
    cleo.goto(f"/g/{HANDLE}")
    expect(cleo.get_by_text("This group is private")).to_be_visible()
    expect(cleo.get_by_text(ASKED)).to_have_count(0)
    response = cleo.goto(post_url)
    assert response is not None and response.status == 404, response and response.status
    expect(cleo.get_by_text(ASKED)).to_have_count(0)
    expect(cleo.get_by_text(REPLY)).to_have_count(0)
    response = cleo.goto(f"/@ana/{reply_id}")
    assert response is not None and response.status == 404, response and response.status
    cleo.goto("/@ana")
    expect(cleo.get_by_role("heading", name="Ana Keel")).to_be_visible()
    expect(cleo.get_by_text(REPLY)).to_have_count(0)
    cleo.goto(f"/g/{HANDLE}/members")
    expect(cleo.get_by_text("Ben Rigg")).to_have_count(0)
    cleo.goto("/search?q=regatta")
    expect(cleo.get_by_role("heading", name="Search")).to_be_visible()
    expect(cleo.get_by_text(ASKED)).to_have_count(0)
    shot(cleo, "groups-denied-search")

    # --- ...but she can report the group from its header menu -----------------------------------
    cleo.goto(f"/g/{HANDLE}")
    header = cleo.get_by_role("region", name="Group")
    header.locator("summary", has_text=f"More actions for {GROUP}").click()
    report = header.get_by_role("menuitem", name="Report group")
    expect(report).to_be_visible()
    shot(cleo, "groups-denied")
    # The form's ?group= target is the moderation app's (tested there): check where it points.
    expect(report).to_have_attribute("href", re.compile(rf"^/report\?group={HANDLE}&next=/g/"))
