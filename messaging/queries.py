"""Direct messages: the only viewer-scoped read path.

Nobody reads a conversation they are not in: every read starts from the viewer's own
participant row (active, not declined), and anything else is :class:`NotFound` — the same
answer as for a conversation that does not exist. Inside a conversation the viewer never
sees messages they deleted for themselves, messages from people they block or who block
them, or (in groups) messages from before they joined.

Pages cost a fixed number of queries whatever their length: the inbox three, a thread five.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import Account
from messaging.models import (
    Conversation,
    ConversationKind,
    Message,
    MessageHiddenFor,
    MessageMedia,
    MessageReaction,
    Participant,
    ParticipantState,
    RequestState,
)
from network.queries import blocked_ids, blocker_ids, hidden_from
from plaza.errors import NotFound
from posts.models import MediaAttachment

DEFAULT_LIMIT = 20
MAX_LIMIT = 40
THREAD_LIMIT = 30


def _label(accounts: list[Account]) -> str:
    names = [a.display_name or a.username for a in accounts]
    if not names:
        return "Just you"
    if len(names) <= 3:
        return ", ".join(names)
    return f"{', '.join(names[:2])} and {len(names) - 2} others"


# --- inbox ------------------------------------------------------------------------------------


@dataclass
class InboxRow:
    """One conversation in the viewer's inbox (or requests)."""

    conversation: Conversation
    me: Participant
    others: list[Account]
    last_message: Message | None  # None when empty, or when the viewer hid the newest one
    last_hidden: bool = False

    @property
    def title(self) -> str:
        return self.conversation.title or _label(self.others)

    @property
    def unread(self) -> int:
        return self.me.unread_count


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_max_key: int | None


def _mine(viewer: Account) -> QuerySet[Participant]:
    return Participant.objects.filter(account=viewer, state=ParticipantState.ACTIVE)


def inbox(
    viewer: Account,
    *,
    requests: bool = False,
    max_key: int | None = None,
    since_key: int | None = None,
    min_key: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> InboxPage:
    """The viewer's conversations, most recent activity first (``requests``: the pending
    message requests instead), without those they removed from the list (:func:`hide`) until
    a new message arrives. Keyset paged on the participant's sort key: ``max_key`` (older
    than), ``since_key`` (newer than, newest first) or ``min_key`` (the page just above it,
    newest first as well); ``next_max_key`` continues. Three queries."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = _mine(viewer).filter(
        request_state=RequestState.PENDING if requests else RequestState.ACCEPTED, hidden=False
    )
    if max_key is not None:
        qs = qs.filter(sort_key__lt=max_key)
    if since_key is not None:
        qs = qs.filter(sort_key__gt=since_key)
    ascending = min_key is not None and max_key is None
    if min_key is not None:
        qs = qs.filter(sort_key__gt=min_key)
    found = list(
        qs.select_related(
            "conversation", "conversation__last_message", "conversation__last_message__sender"
        ).order_by("sort_key" if ascending else "-sort_key")[: limit + 1]
    )
    more = len(found) > limit
    found = found[:limit]
    if ascending:
        found.reverse()
    return InboxPage(_rows(viewer, found), found[-1].sort_key if more and found else None)


def inbox_row(viewer: Account, conversation_id: int) -> InboxRow:
    """One conversation as an inbox row (hidden or not); :class:`NotFound` unless the viewer
    is in it. Three queries."""
    me = (
        _mine(viewer)
        .exclude(request_state=RequestState.DECLINED)
        .filter(conversation_id=conversation_id)
        .select_related(
            "conversation", "conversation__last_message", "conversation__last_message__sender"
        )
        .first()
    )
    if me is None:
        raise NotFound("No such conversation.")
    return _rows(viewer, [me])[0]


def _rows(viewer: Account, found: list[Participant]) -> list[InboxRow]:
    conv_ids = [p.conversation_id for p in found]
    others: dict[int, list[Account]] = defaultdict(list)
    if conv_ids:
        # One-to-one: the other person even after they declined (the conversation is still
        # "with" them); groups: the people in it now.
        rows = (
            Participant.objects.filter(conversation_id__in=conv_ids)
            .filter(
                Q(state=ParticipantState.ACTIVE) | Q(conversation__kind=ConversationKind.ONE_TO_ONE)
            )
            .exclude(account=viewer)
            .select_related("account")
            .order_by("joined_at", "pk")
        )
        for p in rows:
            others[p.conversation_id].append(p.account)
    last_ids = [p.conversation.last_message_id for p in found if p.conversation.last_message_id]
    hidden = set(
        MessageHiddenFor.objects.filter(account=viewer, message_id__in=last_ids).values_list(
            "message_id", flat=True
        )
        if last_ids
        else ()
    )
    items = []
    for p in found:
        last = p.conversation.last_message
        # Hidden for the viewer, or written by an account since suspended (its messages
        # disappear): the row shows no preview.
        is_hidden = last is not None and (last.pk in hidden or last.sender.suspended_at is not None)
        items.append(
            InboxRow(
                conversation=p.conversation,
                me=p,
                others=others[p.conversation_id],
                last_message=None if is_hidden else last,
                last_hidden=is_hidden,
            )
        )
    return items


def group_with(viewer: Account, others: list[Account]) -> int | None:
    """The newest unnamed group conversation whose members are exactly the viewer and
    ``others`` (the viewer in it, not declined), if there is one: where a message addressed to
    those people belongs when it does not say which conversation it continues."""
    wanted = {viewer.pk, *(a.pk for a in others)}
    candidates = list(
        _mine(viewer)
        .exclude(request_state=RequestState.DECLINED)
        .filter(conversation__kind=ConversationKind.GROUP, conversation__title="")
        .filter(
            conversation__in=Participant.objects.filter(
                account_id__in=wanted - {viewer.pk}, state=ParticipantState.ACTIVE
            ).values("conversation_id")
        )
        .order_by("-sort_key")
        .values_list("conversation_id", flat=True)[:50]
    )
    if not candidates:
        return None
    members: dict[int, set[int]] = defaultdict(set)
    for conversation_id, account_id in Participant.objects.filter(
        conversation_id__in=candidates, state=ParticipantState.ACTIVE
    ).values_list("conversation_id", "account_id"):
        members[conversation_id].add(account_id)
    return next((c for c in candidates if members[c] == wanted), None)


def requests_count(viewer: Account) -> int:
    """How many message requests wait for the viewer."""
    return _mine(viewer).filter(request_state=RequestState.PENDING, hidden=False).count()


def unread_total(viewer: Account) -> int:
    """Conversations with unread messages (accepted, not muted): the Messages badge, on every
    page — so written by hand (the ORM took longer to compile it than the database to run it).
    Same rows as ``_mine(viewer).filter(request_state=ACCEPTED, muted=False, hidden=False,
    unread_count__gt=0)``."""
    table = connection.ops.quote_name(Participant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE account_id = %s AND state = %s "
            "AND request_state = %s AND muted = %s AND hidden = %s AND unread_count > 0",
            [viewer.pk, ParticipantState.ACTIVE, RequestState.ACCEPTED, False, False],
        )
        return int(cursor.fetchone()[0])


# --- one conversation -------------------------------------------------------------------------


@dataclass
class ConversationView:
    """A conversation as its participant ``me`` sees it."""

    conversation: Conversation
    me: Participant
    participants: list[Participant]  # everyone who is in it now (and the other of a 1:1)

    @property
    def others(self) -> list[Account]:
        return [p.account for p in self.participants if p.account_id != self.me.account_id]

    @property
    def title(self) -> str:
        return self.conversation.title or _label(self.others)

    @property
    def is_request(self) -> bool:
        return self.me.request_state == RequestState.PENDING

    def read_by(self, message_id: int) -> list[Account]:
        """Others whose read marker has reached ``message_id``."""
        return [
            p.account
            for p in self.participants
            if p.account_id != self.me.account_id
            and p.is_active
            and p.last_read_message_id is not None
            and p.last_read_message_id >= message_id
        ]


def can_access(viewer_id: int, conversation_id: int) -> bool:
    """Whether the account may read the conversation now (one query)."""
    return (
        Participant.objects.filter(
            account_id=viewer_id, conversation_id=conversation_id, state=ParticipantState.ACTIVE
        )
        .exclude(request_state=RequestState.DECLINED)
        .exists()
    )


def one_to_one_id(viewer: Account, key: str) -> int | None:
    """The id of the viewer's one-to-one conversation with this pair key, if they are in it."""
    return (
        _mine(viewer)
        .exclude(request_state=RequestState.DECLINED)
        .filter(conversation__pair_key=key)
        .values_list("conversation_id", flat=True)
        .first()
    )


def get_conversation_for(viewer: Account, conversation_id: int) -> ConversationView:
    """The conversation if ``viewer`` is in it; :class:`NotFound` otherwise. Two queries."""
    me = (
        _mine(viewer)
        .exclude(request_state=RequestState.DECLINED)
        .filter(conversation_id=conversation_id)
        .select_related("conversation")
        .first()
    )
    if me is None:
        raise NotFound("No such conversation.")
    me.account = viewer
    conversation = me.conversation
    people = list(
        Participant.objects.filter(conversation=conversation)
        .filter(
            Q(state=ParticipantState.ACTIVE) | Q(conversation__kind=ConversationKind.ONE_TO_ONE)
        )
        .select_related("account")
        .order_by("joined_at", "pk")
    )
    return ConversationView(conversation, me, people)


def _visible_messages(viewer: Account, view: ConversationView) -> QuerySet[Message]:
    qs = (
        Message.objects.filter(conversation=view.conversation)
        .exclude(pk__in=MessageHiddenFor.objects.filter(account=viewer).values("message_id"))
        .exclude(sender_id__in=blocked_ids(viewer))
        .exclude(sender_id__in=blocker_ids(viewer))
        # A suspended account's messages disappear with the rest of its content (the
        # partial index on suspended_at holds only the few suspended accounts).
        .exclude(sender_id__in=Account.objects.filter(suspended_at__isnull=False).values("pk"))
    )
    if view.conversation.is_group:
        qs = qs.filter(created_at__gte=view.me.joined_at)
    return qs


def seen_by(viewer: Account, view: ConversationView) -> list[Account]:
    """Who has seen the viewer's last message: the others whose read marker reached the
    newest message the viewer sees, when that message is the viewer's own (else nobody —
    the thread's "Seen by" line is about the viewer's last word). One query."""
    newest = _visible_messages(viewer, view).order_by("-pk").values("pk", "sender_id").first()
    if newest is None or newest["sender_id"] != viewer.pk:
        return []
    return view.read_by(newest["pk"])


def get_message_for(viewer: Account, view: ConversationView, message_id: int) -> Message:
    """A message of ``view``'s conversation that the viewer sees; :class:`NotFound` else."""
    message = _visible_messages(viewer, view).filter(pk=message_id).first()
    if message is None:
        raise NotFound("No such message.")
    message.conversation = view.conversation
    return message


def find_message(viewer: Account, message_id: int) -> tuple[ConversationView, Message]:
    """A message by id alone (the API): its conversation must be the viewer's."""
    conversation_id = (
        Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True).first()
    )
    if conversation_id is None:
        raise NotFound("No such message.")
    try:
        view = get_conversation_for(viewer, conversation_id)
    except NotFound:
        raise NotFound("No such message.") from None
    return view, get_message_for(viewer, view, message_id)


@dataclass
class ReactionGroup:
    emoji: str
    count: int
    mine: bool


@dataclass
class MessageItem:
    """One message as the viewer sees it."""

    message: Message
    mine: bool
    media: list[MediaAttachment] = field(default_factory=list)
    reactions: list[ReactionGroup] = field(default_factory=list)
    reply_to: Message | None = None  # None when not a reply, or the viewer cannot see it
    reply_hidden: bool = False
    editable: bool = False  # within the edit / delete-for-everyone window


@dataclass
class ThreadPage:
    items: list[MessageItem]  # oldest first
    next_max_id: int | None  # older messages exist: page with max_id


def thread(
    viewer: Account,
    view: ConversationView,
    *,
    max_id: int | None = None,
    after_id: int | None = None,
    limit: int = THREAD_LIMIT,
) -> ThreadPage:
    """Messages of the conversation, oldest first: the newest page, an older page
    (``max_id``) or what came after ``after_id`` (live catch-up). Five queries at most."""
    limit = max(1, min(limit, MAX_LIMIT * 5))
    qs = _visible_messages(viewer, view).select_related("sender", "reply_to", "reply_to__sender")
    more = False
    if after_id is not None:
        found = list(qs.filter(pk__gt=after_id).order_by("pk")[:limit])
    else:
        if max_id is not None:
            qs = qs.filter(pk__lt=max_id)
        found = list(qs.order_by("-pk")[: limit + 1])
        more = len(found) > limit
        found = found[:limit][::-1]
    return ThreadPage(_items(viewer, found), found[0].pk if more and found else None)


def items_for(viewer: Account, messages: list[Message]) -> list[MessageItem]:
    """:class:`MessageItem` for messages already checked to be visible to ``viewer``."""
    return _items(viewer, messages)


def _items(viewer: Account, found: list[Message]) -> list[MessageItem]:
    from django.utils import timezone

    from messaging.actions import EDIT_WINDOW

    if not found:
        return []
    ids = [m.pk for m in found]
    media: dict[int, list[MediaAttachment]] = defaultdict(list)
    for link in (
        MessageMedia.objects.filter(message_id__in=ids)
        .select_related("media")
        .order_by("message_id", "position")
    ):
        media[link.message_id].append(link.media)
    counts: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for message_id, emoji, account_id in (
        MessageReaction.objects.filter(message_id__in=ids)
        .order_by("pk")
        .values_list("message_id", "emoji", "account_id")
    ):
        counts[message_id][emoji].append(account_id)
    reply_ids = [m.reply_to_id for m in found if m.reply_to_id]
    hidden_replies: set[int] = set()
    if reply_ids:
        hidden_replies = set(
            MessageHiddenFor.objects.filter(account=viewer, message_id__in=reply_ids).values_list(
                "message_id", flat=True
            )
        )
        # A reply quoting someone the viewer blocks (or who blocks them) quotes nothing.
        unseen = hidden_from(viewer)
        hidden_replies |= {
            m.reply_to.pk for m in found if m.reply_to and m.reply_to.sender_id in unseen
        }
    now = timezone.now()
    items = []
    for m in found:
        mine = m.sender_id == viewer.pk
        reply = m.reply_to
        reply_hidden = reply is not None and reply.pk in hidden_replies
        items.append(
            MessageItem(
                message=m,
                mine=mine,
                media=[] if m.is_deleted else media[m.pk],
                reactions=[
                    ReactionGroup(emoji, len(who), viewer.pk in who)
                    for emoji, who in counts[m.pk].items()
                ],
                reply_to=None if reply_hidden else reply,
                reply_hidden=reply_hidden,
                editable=mine and not m.is_deleted and now - m.created_at <= EDIT_WINDOW,
            )
        )
    return items


def attached_media_ids() -> QuerySet[MessageMedia, int]:
    """Uploads attached to messages (a subquery): they have no post, yet are not abandoned.

    For :func:`posts.tasks.discard_abandoned_uploads`, which otherwise deletes uploads left
    without a post for a day.
    """
    return MessageMedia.objects.values_list("media_id", flat=True)
