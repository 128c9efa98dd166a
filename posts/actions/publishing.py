"""Writing posts: publish (with hashtags, mentions, media, a poll, a group), edit, delete.

Part of :mod:`posts.actions` (import from there); what people do with posts — like, reshare,
bookmark, pin — is in :mod:`posts.actions.interactions`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Model
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account, Visibility
from network.queries import blocked_ids, blocker_ids, is_blocked_either_way
from notifications.actions import notify
from notifications.models import NotificationKind
from plaza import events
from plaza.errors import ActionError, NotAllowed, NotFound
from plaza.languages import clean_language
from posts import polls
from posts.models import (
    GroupKind,
    Hashtag,
    MediaAttachment,
    MediaKind,
    MediaState,
    Mention,
    Post,
    PostEdit,
    PostHashtag,
)
from posts.polls import PollSpec
from posts.queries import OPEN, can_see
from posts.text import extract_mentions, render

if TYPE_CHECKING:
    from groups.models import Group

_A = TypeVar("_A", Account, int)
MAX_IMAGES = 4
MAX_PINS = 5


def _bump(model: type[Post] | type[Account], pk: int, **deltas: int) -> None:
    model.objects.filter(pk=pk).update(**{k: F(k) + v for k, v in deltas.items()})


def _check_media(
    author: Account, media: Sequence[MediaAttachment], *, post: Post | None = None
) -> None:
    if not media:
        return
    for m in media:
        if m.account_id != author.pk:
            raise NotFound("That media does not exist.", field="media")
        if m.post_id is not None and (post is None or m.post_id != post.pk):
            raise ActionError("That media is already attached to another post.", field="media")
        if m.state == MediaState.FAILED:
            raise ActionError(
                f"“{m.original_name or 'Upload'}” could not be processed: {m.error}", field="media"
            )
    kinds = [m.kind for m in media]
    if any(k != MediaKind.IMAGE for k in kinds):
        if len(media) > 1:
            raise ActionError(
                "A post can have up to 4 images, or one video, or one document.", field="media"
            )
    elif len(media) > MAX_IMAGES:
        raise ActionError("A post can have at most 4 images.", field="media")


def _validate_text(text: str, content_warning: str, has_media: bool, has_quote: bool) -> None:
    limit = settings.PLAZA.max_post_chars
    if len(text) > limit:
        raise ActionError(
            f"A post can have at most {limit:,} characters ({len(text):,} typed).", field="text"
        )
    if not text.strip() and not has_media and not has_quote:
        raise ActionError("Write something or attach media.", field="text")
    if len(content_warning) > 500:
        raise ActionError(
            "A content warning can have at most 500 characters.", field="content_warning"
        )


def _resolve_mentions(author: Account, usernames: Sequence[str]) -> list[Account]:
    if not usernames:
        return []
    # Unknown names stay plain text; blocked accounts (either way) are silently not
    # mentioned: one query for every name, the block rules as subqueries.
    found = {
        a.username.lower(): a
        for a in Account.objects.annotate(lname=Lower("username"))
        .filter(lname__in=list(usernames))
        .exclude(pk=author.pk)
        .exclude(pk__in=blocked_ids(author))
        .exclude(pk__in=blocker_ids(author))
    }
    return [found[name] for name in usernames if name in found]


def _store_tags_and_mentions(
    post: Post, mentioned: Sequence[Account], hashtags: Sequence[str]
) -> None:
    if mentioned:
        Mention.objects.bulk_create(
            [Mention(post=post, account=a) for a in mentioned], ignore_conflicts=True
        )
    _store_hashtags(post, hashtags)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _store_hashtags(post: Post, hashtags: Sequence[str], *, counted: Account | None = None) -> None:
    """Link ``post`` to ``hashtags`` (lowercase names), creating the new ones, linked in the
    order they were written (a Status lists them in link order).

    PostgreSQL: one statement (new tags ``RETURNING`` their ids, the others read in the same
    statement), which also counts the post for ``counted`` when given (its author: one
    round trip for everything after the post row). SQLite: two (create, then link).
    """
    names = list(hashtags)
    if not names:
        if counted is not None:
            _count_post(counted, post.created_at)
        return
    tag, link = _table(Hashtag), _table(PostHashtag)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["(%s, %s)"] * len(names))
            cursor.execute(
                f"INSERT OR IGNORE INTO {tag} (name, created_at) VALUES {marks}",
                [v for name in names for v in (name, now)],
            )
            cursor.execute(
                f"INSERT OR IGNORE INTO {link} (post_id, hashtag_id) SELECT %s, t.id "
                f"FROM json_each(%s) j JOIN {tag} t ON t.name = j.value ORDER BY j.key",
                [post.pk, json.dumps(names)],
            )
            if counted is not None:
                _count_post(counted, post.created_at)
            return
        count_sql, params = "", []
        if counted is not None:
            count_sql = (
                f"counted AS (UPDATE {_table(Account)} SET posts_count = posts_count + 1, "
                "last_posted_at = %s WHERE id = %s RETURNING posts_count), "
            )
            params = [connection.ops.adapt_datetimefield_value(post.created_at), counted.pk]
        cursor.execute(
            f"WITH {count_sql}"
            "wanted AS (SELECT w.name, w.ord FROM unnest(%s::varchar[]) WITH ORDINALITY "
            "AS w(name, ord)), "
            f"created AS (INSERT INTO {tag} (name, created_at) SELECT name, %s FROM wanted "
            "ORDER BY ord ON CONFLICT (name) DO NOTHING RETURNING id, name), "
            f"linked AS (INSERT INTO {link} (post_id, hashtag_id) "
            "SELECT %s, COALESCE(c.id, t.id) FROM wanted w "
            f"LEFT JOIN created c ON c.name = w.name LEFT JOIN {tag} t ON t.name = w.name "
            "WHERE COALESCE(c.id, t.id) IS NOT NULL ORDER BY w.ord "
            "ON CONFLICT DO NOTHING RETURNING 1) "
            "SELECT (SELECT COUNT(*) FROM linked), "
            + ("(SELECT posts_count FROM counted)" if counted is not None else "NULL"),
            [*params, names, now, post.pk],
        )
        row = cursor.fetchone()
        if counted is not None and row is not None and row[1] is not None:
            counted.posts_count, counted.last_posted_at = row[1], post.created_at
        if row is not None and row[0] < len(names):
            # A tag another transaction created while this statement ran is not in its
            # snapshot, so it was not linked: link what is missing with a fresh one.
            cursor.execute(
                f"INSERT INTO {link} (post_id, hashtag_id) SELECT %s, id FROM {tag} "
                "WHERE name = ANY(%s::varchar[]) ON CONFLICT DO NOTHING",
                [post.pk, names],
            )


def _count_post(author: Account, now: datetime) -> None:
    """One more post for ``author``; the in-memory account gets the stored count back (the
    new post's Status shows it without reading the account again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Account)} SET posts_count = posts_count + 1, last_posted_at = %s "
            "WHERE id = %s RETURNING posts_count",
            [connection.ops.adapt_datetimefield_value(now), author.pk],
        )
        row = cursor.fetchone()
    if row is not None:
        author.posts_count, author.last_posted_at = row[0], now


@dataclass(frozen=True)
class Written:
    """What :func:`publish` wrote along with a post: who it mentions and its hashtags (in
    the order written), so the new post can be shown without reading them back."""

    mentions: tuple[Account, ...]
    hashtags: tuple[str, ...]
    media: tuple[MediaAttachment, ...]


def written(post: Post) -> Written | None:
    """What :func:`publish` wrote with ``post``, when ``post`` is the instance it returned
    (None for any other instance)."""
    return getattr(post, "_plaza_written", None)


def publish(
    author: Account,
    *,
    text: str = "",
    visibility: str | None = None,
    content_warning: str = "",
    in_reply_to: Post | None = None,
    quote_of: Post | None = None,
    media: Sequence[MediaAttachment] = (),
    group: Group | None = None,
    group_kind: str = "",
    language: str | None = None,
    poll: PollSpec | None = None,
) -> Post:
    """Publish a post (a broadcast, a reply or a quote) and deliver it.

    The caller must have loaded ``in_reply_to`` and ``quote_of`` through
    :func:`posts.queries.get_post_for`; they are checked again here so no path can reply to
    a post its author cannot see.

    ``group``: post in a group (only its active members may; announcements only its
    moderators). A reply to a group post is in that group whatever ``group`` says. Group
    posts are stored ``unlisted``: who reads them is the group's rule, and they never appear
    in the public or hashtag feeds.

    ``poll``: a poll on the post (see :mod:`posts.polls`); not with media, as in Mastodon.
    """
    visibility = visibility or author.default_visibility
    if visibility not in Visibility.values:
        raise ActionError("Unknown visibility.", field="visibility")
    # ``language``: an ISO 639 code; None takes the author's default.
    language = author.default_language if language is None else clean_language(language)
    _validate_text(text, content_warning, bool(media), quote_of is not None)
    poll = _check_poll(poll, media, visibility)
    _check_media(author, media)
    if in_reply_to is not None:
        if not can_see(author, in_reply_to) or is_blocked_either_way(author, in_reply_to.author_id):
            raise NotFound("The post you are replying to does not exist or you can't see it.")
        if in_reply_to.reshare_of_id:
            in_reply_to = in_reply_to.reshare_of
            assert in_reply_to is not None
    if quote_of is not None:
        if quote_of.reshare_of_id:
            quote_of = quote_of.reshare_of
            assert quote_of is not None
        if not can_see(author, quote_of) or is_blocked_either_way(author, quote_of.author_id):
            raise NotFound("The post you are quoting does not exist or you can't see it.")
        if quote_of.visibility not in OPEN and quote_of.author_id != author.pk:
            raise NotAllowed("Only public and unlisted posts can be quoted.")
    group, group_kind = _group_of(author, group, group_kind, in_reply_to, quote_of)
    if group is not None:
        visibility = Visibility.UNLISTED

    # Which names are mentions (a scan, not a render), then one render that links the known.
    mentioned = _resolve_mentions(author, extract_mentions(text))
    rendered = render(text, known_mentions={a.username for a in mentioned})
    now = timezone.now()
    # Everything above only reads: the write transaction (on SQLite, the database's one
    # write lock) starts here and holds only the inserts and updates.
    with transaction.atomic():
        post = Post(
            author=author,
            text=text,
            html=rendered.html,
            content_warning=content_warning.strip(),
            visibility=visibility,
            in_reply_to=in_reply_to,
            in_reply_to_account_id=in_reply_to.author_id if in_reply_to else None,
            thread_root_id=(in_reply_to.thread_root_id or in_reply_to.pk) if in_reply_to else None,
            quote_of=quote_of,
            created_at=now,
            group=group,
            group_kind=group_kind,
            language=language,
        )
        # The delivery task indexes it for search too (one task per post, not two): tells
        # search.signals, which sees the save, not to queue its own indexing task.
        post.index_on_delivery = True  # type: ignore[attr-defined]
        post.save(force_insert=True)
        if group is not None:
            # In a private or secret group, nobody outside it is told (they couldn't read it).
            mentioned = _group_readers(group, mentioned)
        if mentioned:
            Mention.objects.bulk_create(
                [Mention(post=post, account=a) for a in mentioned], ignore_conflicts=True
            )
        # The hashtags and the author's post count: one statement on PostgreSQL.
        _store_hashtags(post, rendered.hashtags, counted=author)
        for position, m in enumerate(media):
            MediaAttachment.objects.filter(pk=m.pk).update(post=post, position=position)
            m.post_id, m.position = post.pk, position
        if poll is not None:
            polls.create(post, poll, now)
        if in_reply_to is not None:
            _bump(Post, in_reply_to.pk, replies_count=1)
            if group is None or _group_readers(group, [in_reply_to.author_id]):
                notify(in_reply_to.author_id, author, NotificationKind.REPLY, post=post)
        if quote_of is not None:
            _bump(Post, quote_of.pk, quotes_count=1)
            notify(quote_of.author_id, author, NotificationKind.QUOTE, post=post)
        replied_to = in_reply_to.author_id if in_reply_to else None
        for account in mentioned:
            if account.pk != replied_to:
                notify(account, author, NotificationKind.MENTION, post=post)
        _deliver_on_commit(post, index=True)
        if group is not None:
            from groups.tasks import notify_close_followers

            post_id = post.pk
            transaction.on_commit(lambda: notify_close_followers(post_id))
    post._plaza_written = Written(  # type: ignore[attr-defined]
        mentions=tuple(mentioned), hashtags=tuple(rendered.hashtags), media=tuple(media)
    )
    return post


def _check_poll(
    poll: PollSpec | None, media: Sequence[MediaAttachment], visibility: str
) -> PollSpec | None:
    if poll is None:
        return None
    # Media and a poll together are fine (Mastodon lifted that restriction in 2026).
    if visibility == Visibility.DIRECT:
        raise ActionError("A direct message can't have a poll.", field="poll")
    return polls.check(poll)


class Unchanged:
    """The default of :func:`edit`'s ``poll``: leave the poll as it is."""


UNCHANGED = Unchanged()


def _group_of(
    author: Account,
    group: Group | None,
    group_kind: str,
    in_reply_to: Post | None,
    quote_of: Post | None,
) -> tuple[Group | None, str]:
    """The group a new post goes into and its kind, after checking the author may post there."""
    from groups.models import Group as GroupModel
    from groups.models import Membership, MemberState, Role

    if in_reply_to is not None and in_reply_to.group_id is not None:
        if group is not None and group.pk != in_reply_to.group_id:
            raise ActionError("A reply stays in the group of the post it answers.", field="group")
        group = GroupModel.objects.get(pk=in_reply_to.group_id)
        group_kind = GroupKind.DISCUSSION  # replies are discussion, whatever the thread is
    elif in_reply_to is not None and group is not None:
        raise ActionError("A reply stays outside groups, like the post it answers.", field="group")
    if quote_of is not None and quote_of.group_id is not None:
        # Quoting carries words out of the group: only from public groups, or inside one.
        public = GroupModel.objects.filter(pk=quote_of.group_id, visibility="public").exists()
        if not public and (group is None or group.pk != quote_of.group_id):
            raise NotAllowed("Posts of private groups can only be quoted inside the group.")
    if group is None:
        if group_kind:
            raise ActionError("Only posts in a group have a kind.", field="group_kind")
        return None, ""
    group_kind = group_kind or GroupKind.DISCUSSION
    if group_kind not in GroupKind.values:
        raise ActionError("Unknown kind of group post.", field="group_kind")
    membership = Membership.objects.filter(group=group, account=author).first()
    if membership is None or membership.state != MemberState.ACTIVE:
        raise NotAllowed("Only members of this group can post in it.")
    if group_kind == GroupKind.ANNOUNCEMENT and membership.role not in (
        Role.OWNER,
        Role.MODERATOR,
    ):
        raise NotAllowed("Only the group's moderators can post announcements.")
    return group, group_kind


def _group_readers(group: Group, accounts: Sequence[_A]) -> list[_A]:
    """Those of ``accounts`` who may read posts of ``group`` (all, for a public group)."""
    from groups.models import GroupVisibility, Membership, MemberState

    if group.visibility == GroupVisibility.PUBLIC or not accounts:
        return list(accounts)
    ids = [a if isinstance(a, int) else a.pk for a in accounts]
    members = set(
        Membership.objects.filter(
            group=group, account_id__in=ids, state=MemberState.ACTIVE
        ).values_list("account_id", flat=True)
    )
    return [a for a in accounts if (a if isinstance(a, int) else a.pk) in members]


def _deliver_on_commit(post: Post, *, index: bool = False) -> None:
    from feeds.tasks import fan_out_post

    post_id = post.pk
    transaction.on_commit(lambda: fan_out_post(post_id, index=index))
    events.post_published(post)  # public and hashtag streams (home streams follow fan-out)


def edit(
    actor: Account,
    post: Post,
    *,
    text: str,
    content_warning: str = "",
    media: Sequence[MediaAttachment] | None = None,
    language: str | None = None,
    poll: PollSpec | Unchanged | None = UNCHANGED,
) -> Post:
    """Change a post's text, warning, media or language (None: unchanged), keeping the
    previous version in its history.

    ``poll``: a poll (new, or changed: other options reset its votes, see
    :func:`posts.polls.replace`), None to remove it, or :data:`UNCHANGED` (the default)."""
    if post.author_id != actor.pk:
        raise NotAllowed("You can only edit your own posts.")
    if post.reshare_of_id:
        raise ActionError("A reshare has nothing to edit.")
    new_language = post.language if language is None else clean_language(language)
    new_media = list(media) if media is not None else list(post.media.all())
    _validate_text(text, content_warning, bool(new_media), post.quote_of_id is not None)
    _check_media(actor, new_media, post=post)
    if not isinstance(poll, Unchanged):
        poll = _check_poll(poll, new_media, post.visibility)
    mentioned = _resolve_mentions(actor, render(text).mentions)
    rendered = render(text, known_mentions={a.username for a in mentioned})
    with transaction.atomic():
        PostEdit.objects.create(
            post=post,
            text=post.text,
            html=post.html,
            content_warning=post.content_warning,
            created_at=post.edited_at or post.created_at,
        )
        post.text = text
        post.html = rendered.html
        post.content_warning = content_warning.strip()
        post.edited_at = timezone.now()
        post.language = new_language
        post.save(update_fields=["text", "html", "content_warning", "edited_at", "language"])
        already = set(Mention.objects.filter(post=post).values_list("account_id", flat=True))
        Mention.objects.filter(post=post).exclude(account__in=mentioned).delete()
        PostHashtag.objects.filter(post=post).delete()
        _store_tags_and_mentions(post, mentioned, rendered.hashtags)
        for account in mentioned:
            if account.pk not in already:
                notify(account, actor, NotificationKind.MENTION, post=post)
        if media is not None:
            keep = {m.pk for m in new_media}
            MediaAttachment.objects.filter(post=post).exclude(pk__in=keep).delete()
            for position, m in enumerate(new_media):
                MediaAttachment.objects.filter(pk=m.pk).update(post=post, position=position)
        if not isinstance(poll, Unchanged):
            polls.replace(post, poll)
        events.post_edited(post)  # status.update to the streams that showed it
    return post


def delete(actor: Account, post: Post) -> None:
    """Delete a post (its author, or staff). Replies stay, detached; reshares go with it."""
    if post.author_id != actor.pk and not actor.user.is_staff:
        raise NotAllowed("You can only delete your own posts.")
    with transaction.atomic():
        if post.author_id != actor.pk:
            _log_staff_removal(actor, post)
        if post.in_reply_to_id:
            Post.objects.filter(pk=post.in_reply_to_id, replies_count__gt=0).update(
                replies_count=F("replies_count") - 1
            )
        if post.reshare_of_id:
            Post.objects.filter(pk=post.reshare_of_id, reshares_count__gt=0).update(
                reshares_count=F("reshares_count") - 1
            )
        if post.quote_of_id:
            Post.objects.filter(pk=post.quote_of_id, quotes_count__gt=0).update(
                quotes_count=F("quotes_count") - 1
            )
        Account.objects.filter(pk=post.author_id, posts_count__gt=0).update(
            posts_count=F("posts_count") - 1
        )
        # Reshares of this post disappear with it; their authors' counters follow.
        for author_id in post.reshares.values_list("author_id", flat=True):
            Account.objects.filter(pk=author_id, posts_count__gt=0).update(
                posts_count=F("posts_count") - 1
            )
        events.post_deleted(post)  # reads who saw it now; tells them after commit
        post.delete()


def _log_staff_removal(actor: Account, post: Post) -> None:
    """Staff deleting someone else's post (its page's Delete, the APIs) is a moderation
    decision: it goes into the audit log with the post's text, unless the moderation
    actions already logged it (a report's "remove")."""
    from moderation.models import ActionKind, ModerationAction, TargetKind

    logged = ModerationAction.objects.filter(
        action=ActionKind.REMOVE_CONTENT, target_kind=TargetKind.POST, target_id=post.pk
    )
    if logged.exists():
        return
    ModerationAction.objects.create(
        moderator=actor,
        action=ActionKind.REMOVE_CONTENT,
        target_kind=TargetKind.POST,
        target_id=post.pk,
        target_account_id=post.author_id,
        group_id=post.group_id,
        reason="Deleted by staff",
        details={
            "text": post.text,
            "content_warning": post.content_warning,
            "visibility": post.visibility,
            "created_at": post.created_at.isoformat() if post.created_at else None,
        },
    )


def check_publishable(
    author: Account,
    *,
    text: str = "",
    visibility: str | None = None,
    content_warning: str = "",
    in_reply_to: Post | None = None,
    quote_of: Post | None = None,
    media: Sequence[MediaAttachment] = (),
    language: str | None = None,
    poll: PollSpec | None = None,
) -> None:
    """Raise what :func:`publish` would raise for these arguments, without writing anything.

    Used to refuse a scheduled post at the time it is scheduled rather than when it is due.
    The checks mirror :func:`publish`'s (keep the two in step).
    """
    visibility = visibility or author.default_visibility
    if visibility not in Visibility.values:
        raise ActionError("Unknown visibility.", field="visibility")
    if language is not None:
        clean_language(language)
    _validate_text(text, content_warning, bool(media), quote_of is not None)
    _check_poll(poll, media, visibility)
    _check_media(author, media)
    if in_reply_to is not None and (
        not can_see(author, in_reply_to) or is_blocked_either_way(author, in_reply_to.author_id)
    ):
        raise NotFound("The post you are replying to does not exist or you can't see it.")
    if quote_of is not None:
        if quote_of.reshare_of_id:
            quote_of = quote_of.reshare_of
            assert quote_of is not None
        if not can_see(author, quote_of) or is_blocked_either_way(author, quote_of.author_id):
            raise NotFound("The post you are quoting does not exist or you can't see it.")
        if quote_of.visibility not in OPEN and quote_of.author_id != author.pk:
            raise NotAllowed("Only public and unlisted posts can be quoted.")


def delete_keeping_media(actor: Account, post: Post) -> None:
    """Delete a post but keep its uploads, unattached, so they can go into a new draft
    ("delete and redraft"). Unused uploads are discarded after a day like any other."""
    with transaction.atomic():
        MediaAttachment.objects.filter(post=post).update(post=None)
        delete(actor, post)
