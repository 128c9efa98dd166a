"""Template helpers of the group pages. Load with ``{% load groups_ui %}``.

- ``{% group_posts cards pinned=pinned as drawn %}`` — the group feed's posts, each card with
  the group's pills (pinned, announcement, question) and its moderator/asker forms:
  ``{{ drawn.pinned }}`` then ``{{ drawn.feed }}``. Every card of the page comes from one
  :func:`posts.card_render.render_cards` batch (one card-cache round trip), and the wrapper is
  drawn here in Python: a Django include per card cost more than the cached card itself.
  The markup is what ``_group_post.html`` drew, byte for byte (tests/groups checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import template
from django.template.context import Context
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from posts.card_render import UrlBuilder, render_cards

register = template.Library()

_FORM = '<form method="post" action="{action}">{csrf}<button class="btn btn-ghost btn-sm{extra}">{label}</button></form>'
# templates/groups/_reason_form.html for a post's removal (it goes into the audit log).
_REMOVE = (
    '<details class="group-more group-reason"><summary class="btn btn-ghost btn-sm group-danger">'
    'Remove</summary><div class="menu group-menu"><form method="post" action="{action}" '
    'class="stack">{csrf}<div class="field"><label class="field-label" for="reason-post-{pk}">'
    'Reason <span class="optional">optional</span></label><input class="input" type="text" '
    'id="reason-post-{pk}" name="reason" maxlength="1000" placeholder="Why, for the log">'
    '</div><button class="btn btn-sm btn-danger">Remove post</button></form></div></details>'
)


@dataclass(frozen=True)
class DrawnPosts:
    """The HTML of a group page's pinned posts and its feed (each post followed by a newline,
    the feed's by a blank line, as the template loops drew them)."""

    pinned: SafeString
    feed: SafeString


def _csrf_input(token: Any) -> str:
    # What {% csrf_token %} draws with the page's token.
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


class _Wrapper:
    """Draws the group's frame around each card for one page (viewer, standing, token)."""

    def __init__(self, context: Context) -> None:
        viewer = context.get("viewer")
        me = context.get("me")
        self.viewer_id = getattr(viewer, "pk", None) if viewer else None
        self.is_moderator = bool(me is not None and me.is_moderator)
        self.handle = context["group"].handle
        self.csrf = _csrf_input(context.get("csrf_token"))
        self.url = UrlBuilder()

    def _form(self, pk: int, action: str, label: str, extra: str = "") -> str:
        url = escape(self.url("groups:post_action", self.handle, pk, action))
        return _FORM.format(action=url, csrf=self.csrf, extra=extra, label=label)

    def __call__(self, card: Any, html: str, is_pinned: bool) -> str:
        p = card.shown
        kind = p.group_kind
        announcement, question = kind == "announcement", kind == "question"
        classes = "group-post"
        if announcement:
            classes += " is-announcement"
        if is_pinned:
            classes += " is-pinned"
        out = [f'<article class="{classes}" id="post-{p.pk}">\n  ']
        if is_pinned or announcement or question:
            pill = ""
            if question:
                pill = (
                    '<span class="pill group-pill-answered">Answered</span>'
                    if p.answered_at
                    else '<span class="pill group-pill-question">Question</span>'
                )
            out.append(
                '<div class="group-post-tags">\n    '
                + ('<span class="pill group-pill-pinned">Pinned</span>' if is_pinned else "")
                + "\n    "
                + (
                    '<span class="pill group-pill-announcement">Announcement</span>'
                    if announcement
                    else ""
                )
                + "\n    "
                + pill
                + "\n  </div>"
            )
        out.append(f"\n  {html}\n  ")
        asker = self.viewer_id is not None and self.viewer_id == p.author_id and question
        if self.is_moderator or asker:
            out.append('<div class="group-post-actions">\n    ')
            if asker:
                if p.answered_at:
                    out.append(self._form(p.pk, "unanswered", "Mark not answered"))
                else:
                    out.append(self._form(p.pk, "answered", "Mark answered"))
            out.append("\n    ")
            if self.is_moderator:
                if is_pinned:
                    out.append(self._form(p.pk, "unpin", "Unpin"))
                else:
                    out.append(self._form(p.pk, "pin", "Pin"))
                out.append("\n    ")
                if self.viewer_id != p.author_id:
                    url = escape(self.url("groups:post_action", self.handle, p.pk, "remove"))
                    out.append(_REMOVE.format(action=url, csrf=self.csrf, pk=p.pk))
            out.append("\n  </div>")
        out.append("\n</article>\n")
        return "".join(out)


@register.simple_tag(takes_context=True)
def group_posts(context: Context, cards: Sequence[Any], pinned: Sequence[Any] = ()) -> DrawnPosts:
    """Draw a group page's pinned posts and feed posts (``posts.queries.PostCard``\\ s) as the
    viewer of this page sees them, with one card-cache round trip for all of them."""
    pinned, cards = list(pinned or ()), list(cards or ())
    html = render_cards(
        [*pinned, *cards],
        request=context.get("request"),
        viewer=context.get("viewer"),
        csrf_token=context.get("csrf_token"),
    )
    wrap = _Wrapper(context)
    n = len(pinned)
    return DrawnPosts(
        pinned=mark_safe("".join(wrap(c, h, True) for c, h in zip(pinned, html[:n], strict=True))),
        feed=mark_safe(
            "".join(wrap(c, h, False) + "\n" for c, h in zip(cards, html[n:], strict=True))
        ),
    )
