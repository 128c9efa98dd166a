"""The Status and MediaAttachment entities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, prefetch_related_objects

from accounts.models import Account, Visibility
from mastodon.api import absolute_url
from mastodon.entities.accounts import MASTODON_VISIBILITY, account, iso
from network.models import Mute
from posts.models import (
    MediaAttachment,
    MediaKind,
    MediaState,
    Mention,
    Post,
    PostEdit,
    PostHashtag,
)
from posts.queries import OPEN, PostCard, cards, with_related

if TYPE_CHECKING:
    from studio.models import ScheduledPost

MEDIA_TYPE = {MediaKind.IMAGE: "image", MediaKind.VIDEO: "video", MediaKind.DOCUMENT: "unknown"}


def media_attachment(media: MediaAttachment) -> dict[str, Any]:
    """The MediaAttachment entity. Documents (PDFs) are ``unknown`` to Mastodon clients, with
    a preview image; the ``plaza`` field says what they really are."""
    ready = media.state == MediaState.READY
    url = absolute_url(media.file.url) if ready and media.file else None
    preview = media.thumbnail or media.preview
    preview_url = absolute_url(preview.url) if ready and preview else url
    meta: dict[str, Any] = {}
    if media.width and media.height:
        meta["original"] = {
            "width": media.width,
            "height": media.height,
            "size": f"{media.width}x{media.height}",
            "aspect": round(media.width / media.height, 6),
        }
        small_w = min(media.width, 640)
        small_h = max(1, round(media.height * small_w / media.width))
        meta["small"] = {
            "width": small_w,
            "height": small_h,
            "size": f"{small_w}x{small_h}",
            "aspect": round(small_w / small_h, 6),
        }
    if media.duration_seconds:
        meta.setdefault("original", {})["duration"] = media.duration_seconds
    return {
        "id": str(media.pk),
        "type": MEDIA_TYPE.get(MediaKind(media.kind), "unknown"),
        "url": url,
        "preview_url": preview_url,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": media.alt_text or None,
        "blurhash": media.blurhash or None,
        "plaza": {
            "kind": media.kind,
            "state": media.state,
            "content_type": media.content_type,
            "page_count": media.page_count,
            "original_name": media.original_name,
        },
    }


def _status_url(post: Post) -> str:
    return absolute_url(f"/@{post.author.username}/{post.pk}")


class _Extras:
    """Mentions, tags and mutes for a batch of posts, loaded in three queries (plain rows,
    not model instances: a page of 40 statuses has a few hundred of them)."""

    def __init__(self, viewer: Account | None, posts: Sequence[Post]) -> None:
        ids = {p.pk for p in posts}
        self.mentions: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for post_id, account_id, username in Mention.objects.filter(post_id__in=ids).values_list(
            "post_id", "account_id", "account__username"
        ):
            self.mentions[post_id].append((account_id, username))
        self.tags: dict[int, list[str]] = defaultdict(list)
        for post_id, name in PostHashtag.objects.filter(post_id__in=ids).values_list(
            "post_id", "hashtag__name"
        ):
            self.tags[post_id].append(name)
        self.muted: set[int] = set()
        if viewer is not None:
            authors = {p.author_id for p in posts}
            self.muted = set(
                Mute.objects.filter(account=viewer, target_id__in=authors).values_list(
                    "target_id", flat=True
                )
            )
        # One Account entity per author, however many of their posts are on the page.
        self.accounts: dict[int, dict[str, Any]] = {}

    def account(self, acc: Account) -> dict[str, Any]:
        built = self.accounts.get(acc.pk)
        if built is None:
            built = self.accounts[acc.pk] = account(acc)
        return built


def _content(
    viewer: Account | None, card: PostCard, post: Post, extras: _Extras, *, nested: bool
) -> dict[str, Any]:
    mentions = extras.mentions.get(post.pk, [])
    quote: dict[str, Any] | None = None
    if post.quote_of_id is not None:
        if nested:
            # Inside a quote, Mastodon 4.5 nests only a ShallowQuote (the id, not the post).
            quote = {"state": "accepted", "quoted_status_id": str(post.quote_of_id)}
        elif card.quote is not None:
            quote = {"state": "accepted", "quoted_status": _quoted(viewer, card.quote, extras)}
        else:
            quote = {
                "state": "unauthorized" if card.quote_hidden else "accepted",
                "quoted_status": None,
            }
    media = list(post.media.all())
    return {
        "id": str(post.pk),
        "uri": _status_url(post),
        "url": _status_url(post),
        "created_at": iso(post.created_at),
        "account": extras.account(post.author),
        "content": post.html,
        "visibility": MASTODON_VISIBILITY[Visibility(post.visibility)],
        "sensitive": bool(post.content_warning),
        "spoiler_text": post.content_warning,
        "media_attachments": [media_attachment(m) for m in media],
        "mentions": [
            {
                "id": str(account_id),
                "username": username,
                "acct": username,
                "url": absolute_url(f"/@{username}"),
            }
            for account_id, username in mentions
        ],
        "tags": [
            {"name": t, "url": absolute_url(f"/tags/{t}")} for t in extras.tags.get(post.pk, [])
        ],
        "emojis": [],
        "reblogs_count": post.reshares_count,
        "favourites_count": post.likes_count,
        "replies_count": post.replies_count,
        "quotes_count": post.quotes_count,
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": str(post.in_reply_to_account_id)
        if post.in_reply_to_account_id
        else None,
        "reblog": None,
        "poll": None,
        "card": None,
        "language": None,
        "text": None,
        "edited_at": iso(post.edited_at),
        "quote": quote,
        "quote_approval": _quote_approval(viewer, post),
        "filtered": [],
        "plaza": {
            "visibility": post.visibility,
            "quote_id": str(post.quote_of_id) if post.quote_of_id else None,
        },
    }


def _quote_approval(viewer: Account | None, post: Post) -> dict[str, Any]:
    # Plaza's rule (posts.actions.publish): anyone may quote public and unlisted posts; other
    # posts only their author. Nothing needs a manual approval.
    quotable = post.visibility in OPEN and post.reshare_of_id is None
    if viewer is None:
        current = "unknown"
    elif quotable or viewer.pk == post.author_id:
        current = "automatic"
    else:
        current = "denied"
    return {
        "automatic": ["public"] if quotable else [],
        "manual": [],
        "current_user": current,
    }


def _quoted(viewer: Account | None, post: Post, extras: _Extras) -> dict[str, Any]:
    # A quoted post inside a quote: shown without its own viewer state or nested quote.
    fake = PostCard(
        post=post,
        shown=post,
        reshared_by=None,
        liked=False,
        bookmarked=False,
        reshared=False,
        pinned=False,
        quote=None,
        quote_hidden=False,
    )
    return _content(viewer, fake, post, extras, nested=True)


def _media_queryset() -> Any:
    return MediaAttachment.objects.order_by("position", "id")


def _prefetch_media(posts: Sequence[Post]) -> None:
    """Load the media of posts ``with_related`` did not reach (quotes inside reshares)."""
    missing = [p for p in posts if "media" not in getattr(p, "_prefetched_objects_cache", {})]
    if missing:
        prefetch_related_objects(missing, Prefetch("media", queryset=_media_queryset()))


def statuses(viewer: Account | None, posts: Sequence[Post]) -> list[dict[str, Any]]:
    """Status entities for ``posts`` (loaded with :func:`posts.queries.with_related`), with the
    viewer's state (favourited, reblogged, bookmarked, pinned, muted), in a fixed number of
    queries whatever their number."""
    built = cards(viewer, posts)
    shown = [c.shown for c in built]
    quotes = [c.quote for c in built if c.quote is not None]
    _prefetch_media(quotes)
    extras = _Extras(viewer, [*posts, *shown, *quotes])
    out = []
    for card in built:
        inner = _content(viewer, card, card.shown, extras, nested=False)
        state = {
            "favourited": card.liked if viewer else None,
            "reblogged": card.reshared if viewer else None,
            "bookmarked": card.bookmarked if viewer else None,
            "pinned": card.pinned if viewer and card.shown.author_id == viewer.pk else None,
            "muted": card.shown.author_id in extras.muted if viewer else None,
        }
        # Unknown states are left out (pinned exists only for one's own posts).
        state = {k: v for k, v in state.items() if v is not None}
        inner.update({k: v for k, v in state.items()})
        if card.reshared_by is None:
            out.append(inner)
            continue
        wrapper = _content(viewer, card, card.post, extras, nested=True)
        wrapper.update({k: v for k, v in state.items()})
        wrapper.update(
            {
                "reblog": inner,
                "content": "",
                "media_attachments": [],
                "mentions": [],
                "tags": [],
                "quote": None,
            }
        )
        out.append(wrapper)
    return out


def status(viewer: Account | None, post: Post) -> dict[str, Any]:
    """One Status entity (reloads the post with everything it needs)."""
    loaded = with_related(Post.objects.filter(pk=post.pk)).first()
    if loaded is None:
        raise Post.DoesNotExist
    return statuses(viewer, [loaded])[0]


def status_source(post: Post) -> dict[str, Any]:
    """The StatusSource entity: what the author typed, for editing."""
    return {"id": str(post.pk), "text": post.text, "spoiler_text": post.content_warning}


def status_edits(post: Post) -> list[dict[str, Any]]:
    """StatusEdit entities, oldest first, ending with the current version (as Mastodon does).

    Plaza keeps the text and warning of earlier versions, not their media: every version
    lists the current attachments.
    """
    author = account(post.author)
    media = [media_attachment(m) for m in post.media.order_by("position", "id")]
    versions: list[dict[str, Any]] = []
    for old in PostEdit.objects.filter(post=post).order_by("id"):
        versions.append(
            {
                "content": old.html,
                "spoiler_text": old.content_warning,
                "sensitive": bool(old.content_warning),
                "created_at": iso(old.created_at),
                "account": author,
                "media_attachments": media,
                "emojis": [],
            }
        )
    versions.append(
        {
            "content": post.html,
            "spoiler_text": post.content_warning,
            "sensitive": bool(post.content_warning),
            "created_at": iso(post.edited_at or post.created_at),
            "account": author,
            "media_attachments": media,
            "emojis": [],
        }
    )
    return versions


def scheduled_status(scheduled: ScheduledPost, media: dict[int, MediaAttachment]) -> dict[str, Any]:
    """The ScheduledStatus entity; ``media`` from :func:`studio.queries.media_of`."""
    attachments = [media[i] for i in scheduled.media_ids if i in media]
    return {
        "id": str(scheduled.pk),
        "scheduled_at": iso(scheduled.scheduled_at),
        "params": {
            "text": scheduled.text,
            "poll": None,
            "media_ids": [str(i) for i in scheduled.media_ids] or None,
            "sensitive": scheduled.sensitive,
            "spoiler_text": scheduled.content_warning or None,
            "visibility": MASTODON_VISIBILITY[Visibility(scheduled.visibility)],
            "in_reply_to_id": str(scheduled.in_reply_to_id) if scheduled.in_reply_to_id else None,
            "quoted_status_id": str(scheduled.quote_of_id) if scheduled.quote_of_id else None,
            "language": None,
            "application_id": scheduled.application_id,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
            "allowed_mentions": None,
            "plaza": {"visibility": scheduled.visibility},
        },
        "media_attachments": [media_attachment(m) for m in attachments],
    }
