"""The Status and MediaAttachment entities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django.db.models import Model, Prefetch, prefetch_related_objects
from django.http import Http404

from accounts.models import Account, Visibility
from filters.queries import hidden_post_ids, match
from mastodon.api import absolute_url
from mastodon.entities import cache
from mastodon.entities.accounts import MASTODON_VISIBILITY, account, iso
from mastodon.entities.filters import filter_results
from network.queries import muted_ids
from notifications.models import ThreadMute
from posts import actions as post_actions
from posts.models import (
    Hashtag,
    MediaAttachment,
    MediaKind,
    MediaState,
    Mention,
    Poll,
    Post,
    PostEdit,
    PostHashtag,
)
from posts.queries import OPEN, PostCard, cards, load_related, poll_of, with_related

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
    if media.focus_x is not None and media.focus_y is not None:
        meta["focus"] = {"x": media.focus_x, "y": media.focus_y}
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


def poll_entity(
    post: Post, poll: Poll, own: tuple[int, ...] | None, viewer: Account | None
) -> dict[str, Any]:
    """The Poll entity. Never cached with the Status (votes move all the time): built per
    request from the poll loaded with the page. Per-option counts are null while
    ``hide_totals`` hides them; ``voted`` is true for the poll's author, as in Mastodon."""
    show = poll.show_totals
    entity: dict[str, Any] = {
        "id": str(poll.pk),
        "expires_at": iso(poll.expires_at),
        "expired": poll.expired,
        "multiple": poll.multiple,
        "votes_count": poll.votes_count,
        "voters_count": poll.voters_count,
        "options": [
            {"title": o.title, "votes_count": o.votes_count if show else None}
            for o in poll.option_list
        ],
        "emojis": [],
    }
    if viewer is not None:
        entity["voted"] = own is not None or viewer.pk == post.author_id
        entity["own_votes"] = list(own or ())
    return entity


def poll(viewer: Account | None, post: Post) -> dict[str, Any]:
    """The Poll entity of ``post`` (already checked visible) as ``viewer`` sees it; Http404
    when it has none."""
    loaded = with_related(Post.objects.filter(pk=post.reshare_of_id or post.pk)).first()
    found = poll_of(loaded) if loaded is not None else None
    if loaded is None or found is None:
        raise Http404
    card = cards(viewer, [loaded])[0]
    return poll_entity(loaded, found, card.own_votes, viewer)


def _status_url(post: Post) -> str:
    return absolute_url(f"/@{post.author.username}/{post.pk}")


def _version(post: Post) -> tuple[Any, ...]:
    """Everything the cached part of ``post``'s Status is made of, besides what never changes
    (id, creation time). ``html``, the warning, tags and mentions change only by an edit, which
    sets ``edited_at``; a deleted parent or quote detaches (``*_id`` become NULL)."""
    return (
        post.edited_at,
        post.likes_count,
        post.reshares_count,
        post.replies_count,
        post.quotes_count,
        post.visibility,
        post.content_warning,
        post.in_reply_to_id,
        post.in_reply_to_account_id,
        post.quote_of_id,
        post.reshare_of_id,
        post.author.username,
    )


class _Extras:
    """What a batch of statuses needs besides the posts, in one statement whether or not
    their cached parts are current (so a page's query count never depends on the cache):
    mentions (account ids and current usernames), hashtags, which authors the viewer mutes
    and which of the page's conversations the viewer muted. Plain rows, not model instances, and SQL written here rather than compiled by the
    ORM: a page of 40 statuses has a few hundred of them."""

    def __init__(self, viewer: Account | None, posts: Sequence[Post], *, load: bool = True) -> None:
        ids = list({p.pk for p in posts})
        self.mentions: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.tags: dict[int, list[str]] = defaultdict(list)
        self.muted: set[int] = set()
        self.muted_threads: set[int] = set()
        if not ids or not load:
            return  # load=False: the caller fills them in (what it just wrote)
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT 'm', m.post_id, m.account_id, a.username FROM {_t(Mention)} m "
            f"JOIN {_t(Account)} a ON a.id = m.account_id WHERE m.post_id IN ({marks}) "
            f"UNION ALL SELECT 't', ph.post_id, ph.id, h.name FROM {_t(PostHashtag)} ph "
            f"JOIN {_t(Hashtag)} h ON h.id = ph.hashtag_id WHERE ph.post_id IN ({marks})"
        )
        params: list[Any] = [*ids, *ids]
        if viewer is not None:
            # Through network.queries, so every rule about which mutes apply (expiry) is
            # kept. All of the viewer's mutes (a handful; one index range): filtering them by
            # the page's authors cost more to compile than it saves.
            muted_sql, muted_params = muted_ids(viewer).query.sql_with_params()
            sql += f" UNION ALL SELECT 'u', NULL, target_id, NULL FROM ({muted_sql}) muted_authors"
            params += list(muted_params)
            roots = list({p.thread_root_id or p.pk for p in posts})
            sql += (
                f" UNION ALL SELECT 'c', NULL, thread_root_id, NULL FROM {_t(ThreadMute)} "
                f"WHERE account_id = %s AND thread_root_id IN ({', '.join(['%s'] * len(roots))})"
            )
            params += [viewer.pk, *roots]
        tags: list[tuple[int, int, str]] = []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for kind, post_id, number, name in cursor.fetchall():
                if kind == "m":
                    self.mentions[post_id].append((number, name))
                elif kind == "t":
                    tags.append((number, post_id, name))
                elif kind == "c":
                    self.muted_threads.add(number)
                else:
                    self.muted.add(number)
        for _order, post_id, name in sorted(tags):  # in the order they were written
            self.tags[post_id].append(name)


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def account_entity(acc: Account) -> dict[str, Any]:
    """The Account entity of an author, from the cache when the row is unchanged. Shared
    between statuses and requests: read it, never change it."""
    version = cache.account_version(acc)
    built = cache.accounts.get(acc.pk, version)
    if built is None:
        built = account(acc)
        cache.accounts.set(acc.pk, version, built)
    return cast(dict[str, Any], built)


def _core(post: Post, tags: list[str]) -> dict[str, Any]:
    """The part of a Status that is the same for every viewer (cached by :func:`_version`).
    Keys filled per request are present as placeholders so that every entity has the same
    key order."""
    return {
        "id": str(post.pk),
        "uri": _status_url(post),
        "url": _status_url(post),
        "created_at": iso(post.created_at),
        "account": None,
        "content": post.html,
        "visibility": MASTODON_VISIBILITY[Visibility(post.visibility)],
        "sensitive": bool(post.content_warning),
        "spoiler_text": post.content_warning,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": t, "url": absolute_url(f"/tags/{t}")} for t in tags],
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
        "language": post.language or None,
        "text": None,
        "edited_at": iso(post.edited_at),
        "quote": None,
        "quote_approval": None,
        "filtered": [],
        "plaza": {
            "visibility": post.visibility,
            "quote_id": str(post.quote_of_id) if post.quote_of_id else None,
        },
    }


def _media_of(post: Post) -> list[MediaAttachment]:
    """The post's media as loaded by ``with_related`` (read from the prefetch cache directly:
    ``post.media.all()`` builds a manager and a queryset per post just to return it)."""
    prefetched = getattr(post, "_prefetched_objects_cache", {}).get("media")
    if prefetched is not None and prefetched._result_cache is not None:
        return list(prefetched._result_cache)
    return list(post.media.all())


class _Builder:
    """Builds the Status entities of one batch: the viewer-independent part of each from the
    cache (built and stored when missing or out of date), then each entity assembled on a
    copy with what is per request."""

    def __init__(
        self, viewer: Account | None, posts: Sequence[Post], extras: _Extras | None = None
    ) -> None:
        self.viewer = viewer
        self.extras = extras if extras is not None else _Extras(viewer, posts)
        self.media: dict[int, list[MediaAttachment]] = {}  # known media, by post (else loaded)
        # The viewer's ballots in the batch's polls (poll id -> option indexes).
        self.votes: dict[int, tuple[int, ...]] = {}
        self.authors: dict[int, dict[str, Any]] = {}  # one lookup per author and batch
        self.cores: dict[int, dict[str, Any]] = {}
        missing: list[tuple[Post, tuple[Any, ...]]] = []
        for post in posts:
            if post.pk in self.cores:
                continue
            version = _version(post)
            core = cache.statuses.get(post.pk, version)
            if core is None:
                missing.append((post, version))
            else:
                self.cores[post.pk] = core
        for post, version in missing:
            core = _core(post, self.extras.tags.get(post.pk, []))
            cache.statuses.set(post.pk, version, core)
            self.cores[post.pk] = core

    def content(self, card: PostCard, post: Post, *, nested: bool) -> dict[str, Any]:
        entity = dict(self.cores[post.pk])
        author = self.authors.get(post.author_id)
        if author is None:
            author = self.authors[post.author_id] = account_entity(post.author)
        entity["account"] = author
        media = self.media[post.pk] if post.pk in self.media else _media_of(post)
        if media:
            entity["media_attachments"] = [media_attachment(m) for m in media]
        if post.has_poll:
            found = poll_of(post)
            if found is not None:
                entity["poll"] = poll_entity(post, found, self.votes.get(post.pk), self.viewer)
        mentions = self.extras.mentions.get(post.pk)
        if mentions:
            entity["mentions"] = [
                {
                    "id": str(account_id),
                    "username": username,
                    "acct": username,
                    "url": absolute_url(f"/@{username}"),
                }
                for account_id, username in mentions
            ]
        if post.quote_of_id is not None:
            if nested:
                # Inside a quote, Mastodon 4.5 nests only a ShallowQuote (the id, not the post).
                entity["quote"] = {"state": "accepted", "quoted_status_id": str(post.quote_of_id)}
            elif card.quote is not None:
                entity["quote"] = {
                    "state": "accepted",
                    "quoted_status": self.quoted(card.quote),
                }
            else:
                entity["quote"] = {
                    "state": "unauthorized" if card.quote_hidden else "accepted",
                    "quoted_status": None,
                }
        entity["quote_approval"] = _quote_approval(self.viewer, post)
        return entity

    def quoted(self, post: Post) -> dict[str, Any]:
        # A quoted post inside a quote: shown without its own viewer state or nested quote.
        fake = _bare_card(post)
        return self.content(fake, post, nested=True)


def _bare_card(post: Post) -> PostCard:
    """A card for ``post`` itself with no viewer state (nothing liked, reshared...)."""
    return PostCard(
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


def _media_queryset() -> Any:
    return MediaAttachment.objects.order_by("position", "id")


def _prefetch_media(posts: Sequence[Post]) -> None:
    """Load the media of posts ``with_related`` did not reach (quotes inside reshares)."""
    missing = [p for p in posts if "media" not in getattr(p, "_prefetched_objects_cache", {})]
    if missing:
        prefetch_related_objects(missing, Prefetch("media", queryset=_media_queryset()))


def statuses(
    viewer: Account | None, posts: Sequence[Post], *, context: str | None = None
) -> list[dict[str, Any]]:
    """Status entities for ``posts`` (loaded with :func:`posts.queries.with_related`), with the
    viewer's state (favourited, reblogged, bookmarked, pinned, muted), in a fixed number of
    queries whatever their number: the viewer's marks and visible quotes
    (:func:`posts.queries.cards`), mentions with mutes, and hashtags when some post's
    viewer-independent part is not cached yet (see :mod:`mastodon.entities.cache`).

    With a filter ``context`` (home, public, thread, account, notifications) the viewer's
    filters for that place apply (one query): posts a "hide" filter matches are left out
    (as Mastodon does for irreversible filters) and the others carry ``filtered``.
    """
    tripped: dict[int, list[Any]] = {}
    if context is not None and viewer is not None and posts:
        tripped = match(viewer, posts, context)
        if tripped:
            hidden = hidden_post_ids(tripped)
            posts = [p for p in posts if p.pk not in hidden]
    built = cards(viewer, posts)
    shown = [c.shown for c in built]
    quotes = [c.quote for c in built if c.quote is not None]
    _prefetch_media(quotes)
    builder = _Builder(viewer, [*posts, *shown, *quotes])
    for card in built:
        builder.votes.update(card.poll_votes)
    out = []
    for card in built:
        inner = builder.content(card, card.shown, nested=False)
        if viewer is not None:
            inner["favourited"] = card.liked
            inner["reblogged"] = card.reshared
            inner["bookmarked"] = card.bookmarked
            # Mastodon: "muted notifications for this status's conversation"; a muted author
            # is silenced everywhere, so that counts too.
            post = card.shown
            inner["muted"] = (
                post.author_id in builder.extras.muted
                or (post.thread_root_id or post.pk) in builder.extras.muted_threads
            )
            inner["filtered"] = filter_results(tripped.get(card.post.pk, []))
            # pinned exists only for one's own posts; unknown states are left out.
            if card.shown.author_id == viewer.pk:
                inner["pinned"] = card.pinned
        if card.reshared_by is None:
            out.append(inner)
            continue
        wrapper = builder.content(card, card.post, nested=True)
        for key in ("favourited", "reblogged", "bookmarked", "muted", "pinned", "filtered"):
            if key in inner:
                wrapper[key] = inner[key]
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


def new_status(viewer: Account, post: Post) -> dict[str, Any]:
    """The Status of a post ``viewer`` has just published with :func:`posts.actions.publish`
    (that very instance), built from what publish wrote, without a query: nobody can have
    favourited, reblogged, bookmarked or pinned it yet, and nobody mutes themselves. A quote
    (the quoted post and what the viewer may see of it) goes the general way."""
    written = post_actions.written(post)
    if written is None or post.quote_of_id is not None:
        load_related([post])
        return statuses(viewer, [post])[0]
    extras = _Extras(viewer, [post], load=False)
    extras.mentions[post.pk] = [(a.pk, a.username) for a in written.mentions]
    extras.tags[post.pk] = list(written.hashtags)
    card = _bare_card(post)
    builder = _Builder(viewer, [post], extras)
    builder.media[post.pk] = list(written.media)
    entity = builder.content(card, post, nested=False)
    entity.update(
        favourited=False,
        reblogged=False,
        bookmarked=False,
        muted=False,
        filtered=[],
        pinned=False,
    )
    return entity


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
            "language": scheduled.language,
            "application_id": scheduled.application_id,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
            "allowed_mentions": None,
            "plaza": {"visibility": scheduled.visibility},
        },
        "media_attachments": [media_attachment(m) for m in attachments],
    }
