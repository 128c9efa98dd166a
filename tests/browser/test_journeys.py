"""End-to-end journeys through the real web UI in Chromium.

1. Two people sign up, one posts an image, the other follows and connects, sees the post in
   the home feed, replies and likes; both see the notifications.
2. Reading and posting with JavaScript switched off.
3. A phone-sized viewport.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.conftest import PASSWORD, log_in, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NewContext = Callable[..., BrowserContext]
Shot = Callable[[Page, str], Path]

ALT = "A sunset over the harbour, drawn in orange and purple bands"


def _make_png(path: Path) -> Path:
    """A real 800x600 PNG with some structure, so re-encoding and thumbnails have work to do."""
    img = Image.new("RGB", (800, 600), (40, 30, 90))
    draw = ImageDraw.Draw(img)
    for i in range(12):
        draw.rectangle((0, 300 + i * 25, 800, 325 + i * 25), fill=(250 - i * 12, 120 + i * 5, 60))
    draw.ellipse((320, 180, 480, 340), fill=(255, 200, 80))
    img.save(path, format="PNG")
    return path


def _post_card(page: Page, post_id: str) -> Locator:
    return page.locator(f"article#post-{post_id}")


def _card_id(card: Locator) -> str:
    """The post id of a post card (``<article id="post-<id>">``)."""
    expect(card).to_have_count(1)
    card_id = card.get_attribute("id") or ""
    assert card_id.startswith("post-"), card_id
    return card_id.removeprefix("post-")


def _notifications_link(page: Page) -> Locator:
    """The Notifications link of the desktop sidebar (its name carries the unread count)."""
    return page.locator("header.sidebar").get_by_role("link", name=re.compile("^Notifications"))


def _expect_toast(page: Page, text: str) -> None:
    # Toasts fade after 6 s with JS; checked right after the page loads, well within that.
    expect(page.locator("#toasts").get_by_text(text)).to_be_visible()


def test_two_people_post_follow_connect_reply_like_notify(
    new_context: NewContext, shot: Shot, tmp_path: Path
) -> None:
    alice_ctx, bob_ctx = new_context(), new_context()
    alice, bob = alice_ctx.new_page(), bob_ctx.new_page()

    # --- both sign up --------------------------------------------------------------------------
    sign_up(alice, "alice", "Alice Harbour")
    expect(alice.get_by_text("Welcome to Plaza, Alice Harbour!")).to_be_visible()
    sign_up(bob, "bob", "Bob Quay")

    # --- Alice posts an image with alt text (the JS composer: preview + description) -----------
    photo = _make_png(tmp_path / "sunset.png")
    alice.goto("/compose")
    alice.get_by_label("Post text").fill("Evening at the harbour #sunset")
    alice.locator("input[type=file][name=media]").set_input_files(str(photo))
    alice.get_by_label("Description for sunset.png").fill(ALT)
    shot(alice, "journey-composer")
    alice.get_by_role("button", name="Post", exact=True).click()
    _expect_toast(alice, "Your post is live.")
    # /compose returns to itself after posting (see the report); find the post on the profile.
    alice.goto("/@alice")
    post_id = _card_id(alice.locator("article.post-card", has_text="Evening at the harbour"))
    post_path = f"/@alice/{post_id}"
    expect(_post_card(alice, post_id).get_by_role("img", name=ALT)).to_be_visible()

    # --- Bob follows and asks to connect from Alice's profile -----------------------------------
    bob.goto("/@alice")
    actions = bob.locator(".profile-actions")
    actions.get_by_role("button", name="Follow", exact=True).click()
    expect(actions.get_by_role("button", name="Following @alice — unfollow")).to_be_visible()
    actions.locator("summary", has_text="Connect").click()
    actions.get_by_label("Add a note").fill("Hi Alice! We met at the harbour meetup.")
    actions.get_by_role("button", name="Send request").click()
    expect(
        actions.get_by_role("button", name="Connection pending — withdraw your request to @alice")
    ).to_be_visible()
    shot(bob, "journey-profile-requested")

    # --- Alice sees the badge, the two notifications, and accepts in My network ----------------
    alice.goto("/")
    expect(_notifications_link(alice)).to_have_accessible_name(
        re.compile(r"Notifications \(2 unread\)")
    )
    alice.goto("/notifications")
    items = alice.get_by_role("list", name="Notifications")
    expect(items.locator("li", has_text="followed you")).to_contain_text("Bob Quay")
    request_item = items.locator("li", has_text="wants to connect with you")
    expect(request_item).to_contain_text("Bob Quay")
    shot(alice, "journey-notifications-requests")
    request_item.get_by_role("link", name="Review in My network").click()
    alice.wait_for_url("**/network")
    invitations = alice.locator("section", has=alice.get_by_role("heading", name="Invitations"))
    expect(invitations.get_by_text("Hi Alice! We met at the harbour meetup.")).to_be_visible()
    invitations.get_by_role("button", name="Accept @bob's connection request").click()
    expect(invitations.get_by_text("Connected")).to_be_visible()
    alice.reload()
    connections = alice.locator("section", has=alice.get_by_role("heading", name="Connections"))
    expect(connections.get_by_role("link", name=re.compile("Bob Quay")).first).to_be_visible()
    shot(alice, "journey-network")

    # --- Bob's home feed shows the post with its image ------------------------------------------
    bob.goto("/")
    feed = bob.get_by_role("region", name="Home feed")
    card = feed.locator(f"article#post-{post_id}")
    expect(card).to_be_visible()
    expect(card.get_by_text("Evening at the harbour")).to_be_visible()
    image = card.get_by_role("img", name=ALT)
    expect(image).to_be_visible()
    src = image.get_attribute("src")
    assert src
    response = bob.request.get(src)
    assert response.status == 200, (src, response.status)
    assert response.headers["content-type"].startswith("image/")
    # The browser really decoded it (a broken image has naturalWidth 0).
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0
    shot(bob, "journey-home-feed")

    # --- Bob replies from the thread page, then likes the post ----------------------------------
    card.locator("a.post-time").click()
    bob.wait_for_url(f"**{post_path}")
    bob.get_by_label("Your reply").fill("@alice Gorgeous colours, was that from the pier?")
    bob.get_by_role("button", name="Reply", exact=True).click()
    bob.wait_for_url(f"**{post_path}")
    replies = bob.get_by_role("region", name="Replies")
    expect(replies.get_by_text("Gorgeous colours, was that from the pier?")).to_be_visible()

    focus = _post_card(bob, post_id)
    like = focus.get_by_role("button", name="Like (0)")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    # htmx swaps the card in place: the button now says Unlike with the new count.
    liked = _post_card(bob, post_id).get_by_role("button", name="Unlike (1)")
    expect(liked).to_have_attribute("aria-pressed", "true")
    bob.reload()
    expect(_post_card(bob, post_id).get_by_role("button", name="Unlike (1)")).to_be_visible()
    shot(bob, "journey-thread")

    # --- Alice: unread badge again, then the reply and the like --------------------------------
    alice.goto("/")
    badge = _notifications_link(alice)
    expect(badge).to_have_accessible_name(re.compile(r"Notifications \(\d+ unread\)"))
    expect(badge.locator(".badge")).to_be_visible()
    shot(alice, "journey-badge")
    badge.click()
    alice.wait_for_url("**/notifications")
    items = alice.get_by_role("list", name="Notifications")
    for text in ("followed you", "replied to your post", "liked your post"):
        item = items.locator("li", has_text=text)
        expect(item).to_contain_text("Bob Quay")
        expect(item).to_have_class(re.compile(r"\bis-unread\b"))
    expect(items.locator("li", has_text="Gorgeous colours")).to_be_visible()
    # Accepting settled the request, so its notification is gone (network.actions withdraws it).
    expect(items.locator("li", has_text="wants to connect with you")).to_have_count(0)
    shot(alice, "journey-notifications")
    alice.get_by_role("button", name="Mark all as read").click()
    _expect_toast(alice, "All caught up")
    expect(_notifications_link(alice)).not_to_have_accessible_name(re.compile("unread"))
    expect(_notifications_link(alice).locator(".badge")).to_have_count(0)
    expect(alice.locator("li.notification.is-unread")).to_have_count(0)

    # Bob hears that Alice accepted.
    bob.goto("/notifications")
    expect(
        bob.get_by_role("list", name="Notifications").locator(
            "li", has_text="accepted your connection request"
        )
    ).to_contain_text("Alice Harbour")


def _seed_reading_material() -> tuple[str, str]:
    """An author with a public post and a public reply; returns (post path, reply text)."""
    from posts import actions
    from tests.factories import make_account

    author = make_account("carol", display_name="Carol Reed", password=PASSWORD)
    friend = make_account("dave", display_name="Dave Moss", password=PASSWORD)
    post = actions.publish(author, text="Plain HTML still works. #nojs", visibility="public")
    actions.publish(friend, text="It does, nicely.", visibility="public", in_reply_to=post)
    return f"/@carol/{post.pk}", "It does, nicely."


def test_reading_and_posting_without_javascript(new_context: NewContext, shot: Shot) -> None:
    post_path, reply_text = _seed_reading_material()
    page = new_context(java_script_enabled=False).new_page()

    page.goto("/public")
    expect(page.get_by_text("Plain HTML still works.")).to_be_visible()

    page.goto("/@carol")
    expect(page.get_by_role("heading", name="Carol Reed")).to_be_visible()
    expect(page.get_by_text("Plain HTML still works.")).to_be_visible()

    page.goto(post_path)
    expect(page.get_by_role("heading", name="Thread")).to_be_visible()
    expect(page.get_by_role("region", name="Replies").get_by_text(reply_text)).to_be_visible()
    shot(page, "nojs-thread")

    # Log in from the thread's "Log in to reply" and come back to it.
    page.get_by_role("link", name="Log in to reply", exact=True).click()
    page.get_by_label("Username or email").fill("dave")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{post_path}")

    # The card's buttons are plain forms: like, and come back to the thread.
    post_id = post_path.rsplit("/", 1)[1]
    _post_card(page, post_id).get_by_role("button", name="Like (0)").click()
    page.wait_for_url(f"**{post_path}")
    expect(_post_card(page, post_id).get_by_role("button", name="Unlike (1)")).to_have_attribute(
        "aria-pressed", "true"
    )

    # Follow and connect (the note sits in a <details> popover, native HTML).
    page.goto("/@carol")
    actions = page.locator(".profile-actions")
    actions.get_by_role("button", name="Follow", exact=True).click()
    page.wait_for_url("**/@carol")
    _expect_toast(page, "You now follow @carol.")
    actions.locator("summary", has_text="Connect").click()
    actions.get_by_label("Add a note").fill("Hello from a text browser")
    actions.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/@carol")
    _expect_toast(page, "Connection request sent to @carol.")
    expect(
        actions.get_by_role("button", name="Connection pending — withdraw your request to @carol")
    ).to_be_visible()

    # Post a text post through the plain form on the home feed.
    page.goto("/")
    page.get_by_label("Post text").fill("Posted with scripts switched off")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    _expect_toast(page, "Your post is live.")
    home = page.get_by_role("region", name="Home feed")
    expect(home.get_by_text("Posted with scripts switched off")).to_be_visible()
    # Following Carol backfilled her post into Dave's home feed.
    expect(home.get_by_text("Plain HTML still works.")).to_be_visible()
    shot(page, "nojs-home-after-post")


def test_attaching_an_image_without_javascript(
    new_context: NewContext, shot: Shot, tmp_path: Path
) -> None:
    from tests.factories import make_account

    make_account("erin", display_name="Erin Vale", password=PASSWORD)
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "erin")

    page.goto("/compose")
    page.get_by_label("Post text").fill("Attached the old way")
    page.locator("input[type=file][name=media]").set_input_files(
        str(_make_png(tmp_path / "old-way.png"))
    )
    page.get_by_role("button", name="Attach").click()
    # The server keeps the upload and asks for its description; the typed text survives.
    description = page.get_by_label("Description for old-way.png")
    expect(description).to_be_visible()
    expect(page.get_by_label("Post text")).to_have_value("Attached the old way")
    description.fill("A test card with stripes")
    page.get_by_role("button", name="Post", exact=True).click()
    _expect_toast(page, "Your post is live.")
    page.goto("/@erin")
    card = page.locator("article.post-card", has_text="Attached the old way")
    image = card.get_by_role("img", name="A test card with stripes")
    expect(image).to_be_visible()
    response = page.request.get(image.get_attribute("src") or "")
    assert response.status == 200
    shot(page, "nojs-attached-image")


def test_home_feed_on_a_phone(new_context: NewContext, shot: Shot) -> None:
    from posts import actions
    from tests.factories import make_account

    me = make_account("fran", display_name="Fran Lee", password=PASSWORD)
    actions.publish(me, text="A post that should fill the width of a phone.", visibility="public")
    ctx = new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = ctx.new_page()
    log_in(page, "fran")

    feed = page.get_by_role("region", name="Home feed")
    expect(feed.get_by_text("A post that should fill the width of a phone.")).to_be_visible()
    # One column: the feed spans (nearly) the whole width, the side panel is not beside it.
    box = page.locator("main#main").bounding_box()
    assert box is not None
    assert box["x"] < 20 and box["width"] > 350, box
    aside = page.locator("aside.aside")
    if aside.is_visible():
        aside_box = aside.bounding_box()
        assert aside_box is not None and aside_box["y"] >= box["y"] + box["height"] - 1, aside_box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The bottom tab bar is the navigation on phones.
    tabbar = page.locator("nav.tabbar")
    expect(tabbar).to_be_visible()
    expect(tabbar.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    shot(page, "mobile-home-feed")
    tabbar.get_by_role("link", name="Alerts").click()
    page.wait_for_url("**/notifications")
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    tabbar = page.locator("nav.tabbar")
    tabbar.get_by_role("link", name="Post").click()
    page.wait_for_url("**/compose")
    expect(page.get_by_label("Post text")).to_be_visible()
