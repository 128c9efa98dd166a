"""Direct messages as Mastodon entities: a message is a ``direct`` Status, a messaging
conversation a Conversation.

Plaza keeps one store for direct messages (:mod:`messaging`); Mastodon clients see its
messages as direct statuses. Message ids are snowflakes from the same generator as post ids,
so a status id names a post or a message, never both. What does not map travels in the
``plaza`` field: ``{"message": true, "conversation_id": ..., "reactions": [...]}``.

Mapping: ``account`` is the sender, ``mentions`` the conversation's other participants (so a
client's reply addresses them all), ``in_reply_to_id`` the message replied to,
``favourited`` whether the viewer reacted with ❤ (what ``favourite`` adds),
``favourites_count`` how many people reacted at all, ``muted`` the viewer's mute of the
conversation. A message deleted for everyone keeps its place with a "deleted" text.

Every function here costs a fixed number of queries whatever the number of messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from accounts.models import Account
from mastodon.api import absolute_url
from mastodon.entities.accounts import account, iso
from mastodon.entities.statuses import media_attachment
from messaging.models import Message, MessageMedia, MessageReaction
from messaging.queries import InboxRow
from posts.models import MediaAttachment

HEART = "❤"
HEARTS = ("❤", "❤️")  # with and without the emoji presentation selector
DELETED_HTML = "<p><em>This message was deleted.</em></p>"


def message_url(message: Message) -> str:
    """Where the message is on the web: its conversation, scrolled to it."""
    return absolute_url(f"/messages/{message.conversation_id}#dm-message-{message.pk}")


class _Batch:
    """Media, reactions and replied-to senders for a batch of messages (three queries)."""

    def __init__(self, viewer: Account, messages: Sequence[Message]) -> None:
        ids = [m.pk for m in messages]
        self.media: dict[int, list[MediaAttachment]] = defaultdict(list)
        self.hearted: set[int] = set()
        self.reactors: dict[int, set[int]] = defaultdict(set)
        self.reactions: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.reply_senders: dict[int, int] = {}
        self.accounts: dict[int, dict[str, Any]] = {}
        if not ids:
            return
        for link in (
            MessageMedia.objects.filter(message_id__in=ids)
            .select_related("media")
            .order_by("message_id", "position")
        ):
            self.media[link.message_id].append(link.media)
        for message_id, emoji, account_id in (
            MessageReaction.objects.filter(message_id__in=ids)
            .order_by("pk")
            .values_list("message_id", "emoji", "account_id")
        ):
            self.reactors[message_id].add(account_id)
            self.reactions[message_id][emoji].append(account_id)
            if account_id == viewer.pk and emoji in HEARTS:
                self.hearted.add(message_id)
        reply_ids = {m.reply_to_id for m in messages if m.reply_to_id}
        if reply_ids:
            self.reply_senders = dict(
                Message.objects.filter(pk__in=reply_ids).values_list("pk", "sender_id")
            )

    def account(self, acc: Account) -> dict[str, Any]:
        built = self.accounts.get(acc.pk)
        if built is None:
            built = self.accounts[acc.pk] = account(acc)
        return built


def _mention(acc: Account) -> dict[str, Any]:
    return {
        "id": str(acc.pk),
        "username": acc.username,
        "acct": acc.username,
        "url": absolute_url(f"/@{acc.username}"),
    }


def _status(
    viewer: Account,
    message: Message,
    people: Sequence[Account],
    batch: _Batch,
    *,
    muted: bool,
) -> dict[str, Any]:
    deleted = message.is_deleted
    url = message_url(message)
    reactions = batch.reactions.get(message.pk, {})
    return {
        "id": str(message.pk),
        "uri": url,
        "url": url,
        "created_at": iso(message.created_at),
        "account": batch.account(message.sender),
        "content": DELETED_HTML if deleted else message.html,
        "text": None,
        "visibility": "direct",
        "sensitive": False,
        "spoiler_text": "",
        "media_attachments": []
        if deleted
        else [media_attachment(m) for m in batch.media[message.pk]],
        "mentions": [_mention(a) for a in people if a.pk != message.sender_id],
        "tags": [],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": len(batch.reactors.get(message.pk, ())),
        "replies_count": 0,
        "quotes_count": 0,
        "in_reply_to_id": str(message.reply_to_id) if message.reply_to_id else None,
        "in_reply_to_account_id": (
            str(batch.reply_senders[message.reply_to_id])
            if message.reply_to_id in batch.reply_senders
            else None
        ),
        "reblog": None,
        "poll": None,
        "card": None,
        "language": None,
        "edited_at": iso(message.edited_at),
        "quote": None,
        "filtered": [],
        "favourited": message.pk in batch.hearted,
        "reblogged": False,
        "bookmarked": False,
        "muted": muted,
        "plaza": {
            "visibility": "direct",
            "message": True,
            "conversation_id": str(message.conversation_id),
            "deleted": deleted,
            "reactions": [
                {"name": emoji, "count": len(who), "me": viewer.pk in who}
                for emoji, who in reactions.items()
            ],
        },
    }


def message_statuses(
    viewer: Account,
    messages: Sequence[Message],
    people: Sequence[Account],
    *,
    muted: bool = False,
) -> list[dict[str, Any]]:
    """Status entities for messages of one conversation (senders loaded with
    ``select_related("sender")``), whose participants are ``people`` (the viewer included
    or not: mentions leave out each message's sender). Three queries."""
    batch = _Batch(viewer, messages)
    return [_status(viewer, m, people, batch, muted=muted) for m in messages]


def message_status(
    viewer: Account, message: Message, people: Sequence[Account], *, muted: bool = False
) -> dict[str, Any]:
    """One message as a Status entity."""
    return message_statuses(viewer, [message], people, muted=muted)[0]


def conversations(viewer: Account, rows: Sequence[InboxRow]) -> list[dict[str, Any]]:
    """Conversation entities for inbox rows (:func:`messaging.queries.inbox`): the other
    participants, unread state, and the last message (the newest one the viewer sees; null
    while there is none) as a Status. Three queries for any number of rows."""
    lasts = [r.last_message for r in rows if r.last_message is not None]
    batch = _Batch(viewer, lasts)
    out = []
    for row in rows:
        last = row.last_message
        out.append(
            {
                "id": str(row.conversation.pk),
                "unread": row.me.unread_count > 0,
                "accounts": [batch.account(a) for a in row.others],
                "last_status": (
                    _status(viewer, last, [*row.others, viewer], batch, muted=row.me.muted)
                    if last is not None
                    else None
                ),
                "plaza": {
                    "kind": row.conversation.kind,
                    "title": row.title,
                    "muted": row.me.muted,
                    "unread_count": row.me.unread_count,
                    "request": row.me.is_pending,
                },
            }
        )
    return out
