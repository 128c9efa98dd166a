"""Template helpers for post cards and the composer. Load with ``{% load posts_ui %}``.

- ``{% post_card card %}`` — a post card (``posts.queries.PostCard``); options ``next_url="..."``
  (where its action forms return; default: this page) and ``is_focus=True`` (the highlighted
  post of a thread page). The markup is ``templates/posts/jinja/post_card.jinja``.
- ``{% post_cards cards %}`` — a list of cards, one after another (one line each), with one
  card-cache round trip for all of them: use it for feeds.
- ``{% visibility_options selected as options %}`` — (value, label, help, selected) tuples.
- ``{{ post.visibility|visibility_icon }}`` / ``|visibility_label`` — icon name and label.
- ``{% post_url post %}`` — the thread page of a post.
- ``{{ media_list|media_layout }}`` — CSS class of a media grid ("one" … "four").
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from posts import card_render
from posts.forms import VISIBILITY_HELP, VISIBILITY_ORDER

register = template.Library()

register.filter("visibility_icon", card_render.visibility_icon)
register.filter("visibility_label", card_render.visibility_label)
register.filter("media_layout", card_render.media_layout)


@register.simple_tag(takes_context=True)
def post_card(
    context: Context, card: Any, next_url: str = "", is_focus: bool = False
) -> SafeString:
    """Render a post card as the viewer of this page sees it."""
    return card_render.render_card(
        card,
        request=context.get("request"),
        viewer=context.get("viewer"),
        # Only an explicit next_url: a page's own ``next_url`` is usually its "Load more" link.
        next_url=next_url,
        is_focus=bool(is_focus),
        csrf_token=context.get("csrf_token"),
    )


@register.simple_tag(takes_context=True)
def post_cards(context: Context, cards: Any) -> SafeString:
    """Render a list of cards (each followed by a newline) as the viewer of this page sees them."""
    html = card_render.render_cards(
        list(cards or ()),
        request=context.get("request"),
        viewer=context.get("viewer"),
        csrf_token=context.get("csrf_token"),
    )
    return mark_safe("".join(f"{card}\n" for card in html))


@register.simple_tag
def visibility_options(selected: str | None) -> list[tuple[str, str, str, bool]]:
    """The visibility choices for a select, most open first."""
    return [(v.value, v.label, VISIBILITY_HELP[v], v.value == selected) for v in VISIBILITY_ORDER]


@register.simple_tag
def language_options(selected: str | None) -> list[tuple[str, str, bool]]:
    """The language choices for a select ("—" for none first)."""
    from plaza.languages import choices

    return [(code, label, code == (selected or "")) for code, label in choices()]


@register.simple_tag
def post_url(post: Any) -> str:
    """The thread page of ``post``: ``/@username/id``."""
    return reverse("posts:detail", args=[post.author.username, post.pk])


@register.simple_tag
def poll_fields(composer: Any) -> Any:
    """The composer's "Add a poll" values: ``composer`` itself, or an empty composer for the
    inline composers that have none (two empty options, the default duration)."""
    from posts.composer import Composer

    return composer if isinstance(composer, Composer) else Composer()
