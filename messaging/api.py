"""Native API: direct messages (conversations, messages, requests, read state, reactions).

Reads go through :mod:`messaging.queries` (a conversation or message the caller is not in is
a 404, exactly like one that does not exist); changes through :mod:`messaging.actions`.
Scopes: ``read:conversations`` / ``write:conversations`` (``read``/``write`` cover them).
Media are uploaded first with ``POST /media`` and attached by id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models.functions import Lower
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from accounts.api import AccountOut, to_account
from accounts.models import Account
from messaging import actions, queries
from messaging.models import MAX_MESSAGE_CHARS, MAX_PARTICIPANTS, MAX_TITLE_CHARS
from plaza import ratelimit
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, page_key, parse_id
from plaza.errors import ActionError, NotFound
from posts.models import MediaAttachment
from posts.schemas import MediaOut, to_media

router: Router = Router(auth=TokenAuth("conversations"))


class ParticipantOut(Schema):
    account: AccountOut
    role: Literal["owner", "member"]
    request_state: Literal["accepted", "pending", "declined"]
    active: bool
    last_read_message_id: str | None


class LastMessageOut(Schema):
    id: str
    sender_id: str
    text: str
    deleted: bool
    created_at: datetime


class ConversationOut(Schema):
    id: str
    kind: Literal["one_to_one", "group"]
    title: str = Field(description="The group's name, or the other people's names")
    created_at: datetime
    last_message_at: datetime | None
    last_message: LastMessageOut | None
    unread_count: int
    muted: bool
    request: bool = Field(description="A message request the caller has not accepted yet")
    participants: list[AccountOut] = Field(description="The others in it")


class ConversationDetailOut(ConversationOut):
    members: list[ParticipantOut]


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    next_max_key: str | None
    requests_count: int
    unread_conversations: int


class ReactionOut(Schema):
    emoji: str
    count: int
    mine: bool


class MessageOut(Schema):
    id: str
    conversation_id: str
    sender: AccountOut
    text: str
    html: str
    reply_to_id: str | None
    media: list[MediaOut]
    reactions: list[ReactionOut]
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    editable: bool = Field(description="Still within the edit / delete-for-everyone window")


class MessagePageOut(Schema):
    items: list[MessageOut] = Field(description="Oldest first")
    next_max_id: str | None = Field(description="Older messages: pass as max_id")


class PageIn(Schema):
    max_key: str | None = None
    limit: int = Field(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)


class MessagesIn(Schema):
    max_id: str | None = None
    after_id: str | None = Field(None, description="Only messages newer than this id")
    limit: int = Field(queries.THREAD_LIMIT, ge=1, le=200)


class StartIn(InputSchema):
    to: list[str] = Field(
        description="Usernames; one for a one-to-one conversation",
        min_length=1,
        max_length=MAX_PARTICIPANTS - 1,
    )
    title: str = Field("", max_length=MAX_TITLE_CHARS)
    text: str = Field("", max_length=MAX_MESSAGE_CHARS)
    media_ids: list[str] = Field(default_factory=list, max_length=actions.MAX_IMAGES)
    group: bool | None = Field(None, description="Force a group even with one other person")


class SendIn(InputSchema):
    text: str = Field("", max_length=MAX_MESSAGE_CHARS)
    media_ids: list[str] = Field(default_factory=list, max_length=actions.MAX_IMAGES)
    reply_to_id: str | None = None


class EditIn(InputSchema):
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class ReactIn(InputSchema):
    emoji: str = Field(max_length=actions.MAX_REACTION_CHARS * 2)


class ReadIn(InputSchema):
    up_to_id: str | None = None


class MuteIn(InputSchema):
    muted: bool = True


class PeopleIn(InputSchema):
    to: list[str] = Field(min_length=1, max_length=MAX_PARTICIPANTS - 1)


class TitleIn(InputSchema):
    title: str = Field(max_length=MAX_TITLE_CHARS)


class DoneOut(Schema):
    ok: bool = True


# --- helpers ----------------------------------------------------------------------------------


def _people(names: list[str]) -> list[Account]:
    wanted = {n.strip().lstrip("@").lower(): None for n in names if n.strip()}
    found = {
        a.lname: a
        for a in Account.objects.annotate(lname=Lower("username")).filter(lname__in=list(wanted))
    }
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ActionError(f"Nobody here is called @{missing[0][:30]}.", field="to")
    return [found[n] for n in wanted]


def _media(account: Account, ids: list[str]) -> list[MediaAttachment]:
    parsed = [parse_id(i, what="media") for i in ids]
    found = {m.pk: m for m in MediaAttachment.objects.filter(pk__in=parsed, account=account)}
    if len(found) != len(set(parsed)):
        raise NotFound("That media does not exist.", field="media_ids")
    return [found[i] for i in parsed]


def _last(row_last: object) -> LastMessageOut | None:
    from messaging.models import Message

    if not isinstance(row_last, Message):
        return None
    return LastMessageOut(
        id=str(row_last.pk),
        sender_id=str(row_last.sender_id),
        text=row_last.text,
        deleted=row_last.is_deleted,
        created_at=row_last.created_at,
    )


def _conversation_out(row: queries.InboxRow) -> ConversationOut:
    c = row.conversation
    return ConversationOut(
        id=str(c.pk),
        kind=c.kind,  # type: ignore[arg-type]
        title=row.title,
        created_at=c.created_at,
        last_message_at=c.last_message_at,
        last_message=_last(row.last_message),
        unread_count=row.me.unread_count,
        muted=row.me.muted,
        request=row.me.is_pending,
        participants=[to_account(a) for a in row.others],
    )


def _detail(viewer: Account, conversation_id: int) -> ConversationDetailOut:
    view = queries.get_conversation_for(viewer, conversation_id)
    c = view.conversation
    last = None
    if c.last_message_id:
        try:
            last = queries.get_message_for(viewer, view, c.last_message_id)
        except NotFound:
            last = None
    return ConversationDetailOut(
        id=str(c.pk),
        kind=c.kind,  # type: ignore[arg-type]
        title=view.title,
        created_at=c.created_at,
        last_message_at=c.last_message_at,
        last_message=_last(last),
        unread_count=view.me.unread_count,
        muted=view.me.muted,
        request=view.is_request,
        participants=[to_account(a) for a in view.others],
        members=[
            ParticipantOut(
                account=to_account(p.account),
                role=p.role,  # type: ignore[arg-type]
                request_state=p.request_state,  # type: ignore[arg-type]
                active=p.is_active,
                last_read_message_id=(
                    str(p.last_read_message_id) if p.last_read_message_id else None
                ),
            )
            for p in view.participants
        ],
    )


def _message_out(item: queries.MessageItem) -> MessageOut:
    m = item.message
    return MessageOut(
        id=str(m.pk),
        conversation_id=str(m.conversation_id),
        sender=to_account(m.sender),
        text=m.text,
        html=m.html,
        reply_to_id=str(m.reply_to_id) if m.reply_to_id else None,
        media=[to_media(a) for a in item.media],
        reactions=[ReactionOut(emoji=r.emoji, count=r.count, mine=r.mine) for r in item.reactions],
        created_at=m.created_at,
        edited_at=m.edited_at,
        deleted=m.is_deleted,
        editable=item.editable,
    )


def _one(viewer: Account, message_id: int) -> MessageOut:
    _, message = queries.find_message(viewer, message_id)
    return _message_out(queries.items_for(viewer, [message])[0])


def _page(request: HttpRequest, page: PageIn, *, requests: bool) -> ConversationPageOut:
    viewer = account_of(request)
    found = queries.inbox(
        viewer, requests=requests, max_key=page_key(page.max_key, "max_key"), limit=page.limit
    )
    return ConversationPageOut(
        items=[_conversation_out(r) for r in found.rows],
        next_max_key=str(found.next_max_key) if found.next_max_key is not None else None,
        requests_count=queries.requests_count(viewer),
        unread_conversations=queries.unread_total(viewer),
    )


# --- conversations ----------------------------------------------------------------------------


@router.get(
    "/conversations",
    response={200: ConversationPageOut, **ERRORS},
    summary="Your conversations, most recent activity first",
)
def conversation_list(request: HttpRequest, page: Query[PageIn]) -> ConversationPageOut:
    return _page(request, page, requests=False)


@router.get(
    "/conversations/requests",
    response={200: ConversationPageOut, **ERRORS},
    summary="Message requests: conversations from people you don't know yet",
)
def request_list(request: HttpRequest, page: Query[PageIn]) -> ConversationPageOut:
    return _page(request, page, requests=True)


@router.post(
    "/conversations",
    response={201: ConversationDetailOut, **ERRORS},
    summary="Start a conversation (one-to-one: reopens the existing one), optionally with a message",
)
def conversation_start(request: HttpRequest, payload: StartIn) -> Status[ConversationDetailOut]:
    viewer = account_of(request)
    ratelimit.hit("message", viewer)
    conversation = actions.start_conversation(
        viewer,
        _people(payload.to),
        title=payload.title,
        text=payload.text,
        media=_media(viewer, payload.media_ids),
        group=payload.group,
    )
    return Status(201, _detail(viewer, conversation.pk))


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationDetailOut, **ERRORS},
    summary="One conversation with its members",
)
def conversation_detail(request: HttpRequest, conversation_id: str) -> ConversationDetailOut:
    return _detail(account_of(request), parse_id(conversation_id, what="conversation"))


@router.get(
    "/conversations/{conversation_id}/messages",
    response={200: MessagePageOut, **ERRORS},
    summary="Messages, oldest first: the newest page, older ones (max_id) or newer (after_id)",
)
def message_list(
    request: HttpRequest, conversation_id: str, page: Query[MessagesIn]
) -> MessagePageOut:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    found = queries.thread(
        viewer,
        view,
        max_id=page_key(page.max_id),
        after_id=page_key(page.after_id, "after_id"),
        limit=page.limit,
    )
    return MessagePageOut(
        items=[_message_out(i) for i in found.items],
        next_max_id=str(found.next_max_id) if found.next_max_id is not None else None,
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut, **ERRORS},
    summary="Send a message",
)
def message_send(request: HttpRequest, conversation_id: str, payload: SendIn) -> Status[MessageOut]:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    reply_to = None
    if payload.reply_to_id:
        try:
            reply_to = queries.get_message_for(
                viewer, view, parse_id(payload.reply_to_id, what="message")
            )
        except NotFound:
            raise NotFound(
                "The message you reply to does not exist.", field="reply_to_id"
            ) from None
    ratelimit.hit("message", viewer)
    message = actions.send_message(
        viewer,
        view.conversation,
        text=payload.text,
        media=_media(viewer, payload.media_ids),
        reply_to=reply_to,
    )
    return Status(201, _one(viewer, message.pk))


@router.post(
    "/conversations/{conversation_id}/accept",
    response={200: ConversationDetailOut, **ERRORS},
    summary="Accept a message request",
)
def accept(request: HttpRequest, conversation_id: str) -> ConversationDetailOut:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    actions.accept_request(viewer, view.conversation)
    return _detail(viewer, view.conversation.pk)


@router.post(
    "/conversations/{conversation_id}/decline",
    response={200: DoneOut, **ERRORS},
    summary="Decline a message request (they can't message you again unless you connect)",
)
def decline(request: HttpRequest, conversation_id: str) -> DoneOut:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    actions.decline_request(viewer, view.conversation)
    return DoneOut()


@router.post(
    "/conversations/{conversation_id}/read",
    response={200: ConversationDetailOut, **ERRORS},
    summary="Mark the conversation read (all of it, or up to a message id)",
)
def read(
    request: HttpRequest, conversation_id: str, payload: ReadIn | None = None
) -> ConversationDetailOut:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    up_to = page_key(payload.up_to_id, "up_to_id") if payload else None
    actions.mark_read(viewer, view.conversation, up_to)
    return _detail(viewer, view.conversation.pk)


@router.post(
    "/conversations/{conversation_id}/mute",
    response={200: ConversationDetailOut, **ERRORS},
    summary="Mute or unmute a conversation",
)
def mute(
    request: HttpRequest, conversation_id: str, payload: MuteIn | None = None
) -> ConversationDetailOut:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    actions.set_muted(viewer, view.conversation, payload.muted if payload else True)
    return _detail(viewer, view.conversation.pk)


@router.post(
    "/conversations/{conversation_id}/leave",
    response={200: DoneOut, **ERRORS},
    summary="Leave a group conversation",
)
def leave(request: HttpRequest, conversation_id: str) -> DoneOut:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    actions.leave(viewer, view.conversation)
    return DoneOut()


@router.post(
    "/conversations/{conversation_id}/participants",
    response={200: ConversationDetailOut, **ERRORS},
    summary="Add people to a group conversation",
)
def add_people(
    request: HttpRequest, conversation_id: str, payload: PeopleIn
) -> ConversationDetailOut:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    actions.add_people(viewer, view.conversation, _people(payload.to))
    return _detail(viewer, view.conversation.pk)


@router.patch(
    "/conversations/{conversation_id}",
    response={200: ConversationDetailOut, **ERRORS},
    summary="Rename a group conversation",
)
def rename(request: HttpRequest, conversation_id: str, payload: TitleIn) -> ConversationDetailOut:
    viewer = account_of(request)
    view = queries.get_conversation_for(viewer, parse_id(conversation_id, what="conversation"))
    actions.rename(viewer, view.conversation, payload.title)
    return _detail(viewer, view.conversation.pk)


# --- messages -------------------------------------------------------------------------------


@router.get("/messages/{message_id}", response={200: MessageOut, **ERRORS}, summary="One message")
def message_detail(request: HttpRequest, message_id: str) -> MessageOut:
    return _one(account_of(request), parse_id(message_id, what="message"))


@router.patch(
    "/messages/{message_id}",
    response={200: MessageOut, **ERRORS},
    summary="Edit your message (within 15 minutes of sending)",
)
def message_edit(request: HttpRequest, message_id: str, payload: EditIn) -> MessageOut:
    viewer = account_of(request)
    _, message = queries.find_message(viewer, parse_id(message_id, what="message"))
    actions.edit_message(viewer, message, payload.text)
    return _one(viewer, message.pk)


@router.delete(
    "/messages/{message_id}",
    response={200: DoneOut, **ERRORS},
    summary="Delete a message for everyone (yours, within 15 minutes) or just for you",
)
def message_delete(
    request: HttpRequest, message_id: str, scope: Literal["everyone", "me"] = "me"
) -> DoneOut:
    viewer = account_of(request)
    _, message = queries.find_message(viewer, parse_id(message_id, what="message"))
    if scope == "everyone":
        actions.delete_for_everyone(viewer, message)
    else:
        actions.delete_for_me(viewer, message)
    return DoneOut()


@router.post(
    "/messages/{message_id}/reactions",
    response={200: MessageOut, **ERRORS},
    summary="React to a message with an emoji",
)
def react(request: HttpRequest, message_id: str, payload: ReactIn) -> MessageOut:
    viewer = account_of(request)
    _, message = queries.find_message(viewer, parse_id(message_id, what="message"))
    actions.add_reaction(viewer, message, payload.emoji)
    return _one(viewer, message.pk)


@router.delete(
    "/messages/{message_id}/reactions",
    response={200: MessageOut, **ERRORS},
    summary="Take back a reaction",
)
def unreact(request: HttpRequest, message_id: str, emoji: str) -> MessageOut:
    viewer = account_of(request)
    _, message = queries.find_message(viewer, parse_id(message_id, what="message"))
    actions.remove_reaction(viewer, message, emoji)
    return _one(viewer, message.pk)
