"""The composer: turning one form submission (text, options, files) into a post.

"Direct" is a private message, as it is through the Mastodon API: such a submission goes to
:func:`messaging.actions.send_direct` (the people it @mentions receive it in Messages), not
to :func:`posts.actions.publish`.

Uploads and publishing are separate steps on purpose. Each file is uploaded (and so checked)
on its own; the ones that succeed are kept and sent back as hidden ``media_id`` inputs when the
form has to be shown again, so fixing a typo never means choosing the photos again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from accounts.models import Account, Visibility
from messaging import actions as messaging
from messaging.models import Message
from plaza import ratelimit
from plaza.errors import ActionError, NotFound
from posts import actions, polls
from posts.forms import ComposeForm, narrower
from posts.media import describe_media, discard, upload_media
from posts.models import MediaAttachment, Post
from posts.queries import PostCard, cards, get_post_for, with_related


@dataclass
class Composer:
    """What ``posts/_composer.html`` shows: typed values, kept uploads, errors and context."""

    text: str = ""
    content_warning: str = ""
    visibility: str = ""
    language: str | None = None  # None: the author's default (the inline composers)
    next: str = ""
    media: list[MediaAttachment] = field(default_factory=list)
    reply_to: PostCard | None = None
    quote: PostCard | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    # "Add a poll": the option fields as typed (two at least), duration in seconds, choices.
    poll_options: list[str] = field(default_factory=lambda: ["", ""])
    poll_duration: int = polls.DEFAULT_DURATION
    poll_multiple: bool = False
    poll_hide_totals: bool = False

    @property
    def has_poll(self) -> bool:
        """Whether the poll fields hold anything (the poll section then opens)."""
        return any(o.strip() for o in self.poll_options) or "poll" in self.errors

    @property
    def poll_durations(self) -> list[tuple[int, str, bool]]:
        """``(seconds, label, selected)`` for the duration select."""
        return [(s, label, s == self.poll_duration) for s, label in polls.DURATIONS]

    @property
    def can_add_poll_option(self) -> bool:
        return len(self.poll_options) < polls.MAX_OPTIONS

    def poll_spec(self) -> polls.PollSpec | None:
        """The poll to publish (None: no option typed); the action checks its limits."""
        if not any(o.strip() for o in self.poll_options):
            return None
        return polls.PollSpec(
            options=tuple(o for o in self.poll_options if o.strip()),
            expires_in=self.poll_duration,
            multiple=self.poll_multiple,
            hide_totals=self.poll_hide_totals,
        )

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _context_card(viewer: Account, post_id: Any) -> PostCard | None:
    """The post a reply or quote refers to, as a card; NotFound when the viewer can't see it."""
    if post_id in (None, ""):
        return None
    post = get_post_for(viewer, post_id)
    post = with_related(Post.objects.filter(pk=post.reshare_of_id or post.pk)).get()
    return cards(viewer, [post])[0]


def start(
    viewer: Account, *, reply_to: Any = None, quote: Any = None, next_url: str = ""
) -> Composer:
    """An empty composer, optionally replying to or quoting a post (NotFound if not visible)."""
    composer = Composer(
        visibility=viewer.default_visibility, language=viewer.default_language, next=next_url
    )
    composer.reply_to = _context_card(viewer, reply_to)
    composer.quote = _context_card(viewer, quote)
    if composer.reply_to is not None:
        composer.visibility = narrower(composer.visibility, composer.reply_to.shown.visibility)
        mention = composer.reply_to.shown.author.username
        if composer.reply_to.shown.author_id != viewer.pk:
            composer.text = f"@{mention} "
    return composer


def _kept_media(viewer: Account, request: HttpRequest, composer: Composer) -> None:
    ids = []
    for raw in request.POST.getlist("media_id"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    removed = set(request.POST.getlist("remove_media"))
    found = {
        m.pk: m
        for m in MediaAttachment.objects.filter(account=viewer, post__isnull=True, pk__in=ids)
    }
    for media_id in ids:
        media = found.get(media_id)
        if media is None:
            continue
        if str(media_id) in removed:
            discard(media)
            continue
        try:
            describe_media(viewer, media, request.POST.get(f"alt_{media_id}", media.alt_text))
        except ActionError as exc:
            composer.error("media", exc.message)
        composer.media.append(media)


def _new_uploads(viewer: Account, request: HttpRequest, composer: Composer) -> None:
    for index, upload in enumerate(request.FILES.getlist("media")):
        try:
            media = upload_media(viewer, upload, request.POST.get(f"alt_new_{index}", ""))
        except ActionError as exc:
            composer.error("media", f"“{upload.name}”: {exc.message}")
        else:
            composer.media.append(media)


NO_QUOTE_IN_DIRECT = (
    "A direct message can't quote a post: choose another audience, or paste the post's link "
    "into your message."
)


def _poll_fields(request: HttpRequest, composer: Composer) -> None:
    """Read "Add a poll" as typed. Fields left empty are dropped; "Add option" (``intent``)
    adds one more, which is how the form grows without JavaScript."""
    typed = request.POST.getlist("poll_option")[: polls.MAX_OPTIONS + 1]
    options = [o for o in typed if o.strip()]
    if request.POST.get("intent") == "add_poll_option":
        options.append("")
    while len(options) < polls.MIN_OPTIONS:
        options.append("")
    composer.poll_options = options
    try:
        composer.poll_duration = int(request.POST.get("poll_duration", polls.DEFAULT_DURATION))
    except ValueError:
        composer.error("poll", "Choose how long the poll runs.")
    composer.poll_multiple = request.POST.get("poll_multiple") == "on"
    composer.poll_hide_totals = request.POST.get("poll_hide_totals") == "on"


def _send_direct(viewer: Account, composer: Composer) -> Message | None:
    """Send the composer's text and media as a direct message (a content warning becomes its
    first line, as for Mastodon clients); None, with the composer's errors set, when refused."""
    if composer.quote is not None:
        composer.error("form", NO_QUOTE_IN_DIRECT)
        return None
    if composer.poll_spec() is not None:
        composer.error("poll", "A direct message can't have a poll: choose another audience.")
        return None
    text = composer.text
    if composer.content_warning.strip():
        text = f"{composer.content_warning.strip()}\n\n{text}"
    try:
        ratelimit.hit("message", viewer)
        return messaging.send_direct(viewer, text, composer.media)
    except ActionError as exc:
        composer.error(exc.field if exc.field in ("text", "media") else "form", exc.message)
        return None


def submit(viewer: Account, request: HttpRequest) -> tuple[Composer, Post | Message | None]:
    """Handle a composer POST: the post published (with "direct" visibility: the message
    sent, see :func:`_send_direct`), or the composer to show again.

    Raises NotFound when the post being replied to or quoted is not visible to ``viewer``.
    """
    form = ComposeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    composer = Composer(
        text=request.POST.get("text", ""),
        content_warning=request.POST.get("content_warning", ""),
        visibility=request.POST.get("visibility", "") or viewer.default_visibility,
        language=request.POST.get("language"),  # absent from the inline composers
        next=request.POST.get("next", ""),
    )
    for name, errors in form.errors.items():
        if name not in ("in_reply_to", "quote_of"):
            for message in errors:
                composer.error(name, str(message))
    if "in_reply_to" in form.errors or "quote_of" in form.errors:
        raise NotFound("This post does not exist or you can't see it.")
    composer.reply_to = _context_card(viewer, data.get("in_reply_to"))
    composer.quote = _context_card(viewer, data.get("quote_of"))
    _kept_media(viewer, request, composer)
    _new_uploads(viewer, request, composer)
    _poll_fields(request, composer)
    if request.POST.get("intent") in ("attach", "add_poll_option") or composer.has_errors:
        return composer, None
    in_group = composer.reply_to is not None and composer.reply_to.shown.group_id is not None
    if composer.visibility == Visibility.DIRECT and not in_group:  # group replies stay there
        return composer, _send_direct(viewer, composer)
    try:
        ratelimit.hit("post", viewer)
        post = actions.publish(
            viewer,
            text=composer.text,
            visibility=composer.visibility,
            content_warning=composer.content_warning,
            in_reply_to=composer.reply_to.shown if composer.reply_to else None,
            quote_of=composer.quote.shown if composer.quote else None,
            media=composer.media,
            language=composer.language,
            poll=composer.poll_spec(),
        )
    except ActionError as exc:
        if isinstance(exc, NotFound):
            raise
        known = exc.field in ComposeForm.base_fields or exc.field in ("media", "poll")
        composer.error(exc.field if known and exc.field else "form", exc.message)
        return composer, None
    return composer, post
