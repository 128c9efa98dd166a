"""The Notification entity, grouped notifications (``/api/v2/notifications``) and how Plaza's
notification kinds map onto Mastodon's types.

==================== ============================= ==========================================
Plaza kind           Mastodon type                 carries
==================== ============================= ==========================================
follow               ``follow``                    account
follow_request       ``follow_request``            account
mention              ``mention``                   account, status
reply                ``mention``                   account, status (Mastodon calls replies
                                                   mentions)
like                 ``favourite``                 account, status (the liked post)
reshare              ``reblog``                    account, status (the reshared post)
quote                ``quote`` (Mastodon 4.5)      account, status (the quoting post)
connection_request   ``plaza:connection_request``  account — only when asked for in types[]
connection_accepted  ``plaza:connection_accepted`` account — only when asked for in types[]
report_resolved      ``plaza:report_resolved``     account (the moderator) — only when asked for
moderation_warning   ``plaza:moderation_warning``  account (the moderator) — only when asked for
group_*              ``plaza:group_*``             account — only when asked for
message_request      ``plaza:message_request``     account (the sender) — only when asked for
status               ``status``                    account, status (a new post by someone the
                                                   recipient follows with ``notify``)
poll                 ``poll``                      account (the poll's author), status (the
                                                   post whose poll ended)
==================== ============================= ==========================================

Clients that know nothing about connections, groups or messages would choke on an unknown
type, so the ``plaza:`` types are returned only to clients that name them in ``types[]``.

Grouping (v2): ``favourite``, ``reblog`` and ``follow`` notifications about the same post made
in the same 12-hour window share a ``group_key`` such as ``favourite-<post id>-<hour>`` or
``follow-<hour>`` (the hour, since the epoch, on which the window starts). The key is computed
from the notification alone, so it is the same on every page and endpoint, and it can be
turned back into the notifications it stands for. Other types are ``ungrouped-<id>``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from accounts.models import Account
from mastodon.api import ApiError
from mastodon.entities.accounts import account, iso
from mastodon.entities.statuses import statuses
from notifications.models import Notification, NotificationKind, NotificationPolicy
from notifications.queries import PendingRequest, PendingSummary
from plaza.ids import id_for_time, time_of
from posts.models import Post
from posts.queries import with_related

K = NotificationKind
TYPE_OF_KIND: dict[str, str] = {
    K.FOLLOW: "follow",
    K.FOLLOW_REQUEST: "follow_request",
    K.MENTION: "mention",
    K.REPLY: "mention",
    K.LIKE: "favourite",
    K.RESHARE: "reblog",
    K.QUOTE: "quote",
    K.CONNECTION_REQUEST: "plaza:connection_request",
    K.CONNECTION_ACCEPTED: "plaza:connection_accepted",
    K.REPORT_RESOLVED: "plaza:report_resolved",
    K.MODERATION_WARNING: "plaza:moderation_warning",
    K.GROUP_JOIN_REQUEST: "plaza:group_join_request",
    K.GROUP_REQUEST_APPROVED: "plaza:group_request_approved",
    K.GROUP_INVITE: "plaza:group_invite",
    K.GROUP_POST: "plaza:group_post",
    K.MESSAGE_REQUEST: "plaza:message_request",
    K.STATUS: "status",
    K.POLL: "poll",
}
KINDS_OF_TYPE: dict[str, tuple[str, ...]] = {}
for _kind, _type in TYPE_OF_KIND.items():
    KINDS_OF_TYPE[_type] = (*KINDS_OF_TYPE.get(_type, ()), str(_kind))
# Types a client gets without asking for them by name.
DEFAULT_TYPES = (
    "follow",
    "follow_request",
    "mention",
    "favourite",
    "reblog",
    "quote",
    "status",
    "poll",
)
OPT_IN_TYPES = (
    "plaza:connection_request",
    "plaza:connection_accepted",
    "plaza:report_resolved",
    "plaza:moderation_warning",
    "plaza:group_join_request",
    "plaza:group_request_approved",
    "plaza:group_invite",
    "plaza:group_post",
    "plaza:message_request",
)
# Mastodon types Plaza never produces: accepted in filters, match nothing.
OTHER_MASTODON_TYPES = (
    "update",
    "admin.sign_up",
    "admin.report",
    "severed_relationships",
    "moderation_warning",
    "quoted_update",
    "annual_report",
)
GROUPABLE_TYPES = ("favourite", "reblog", "follow")
GROUP_HOURS = 12
SAMPLE_ACCOUNTS = 8


def kinds_for(types: Sequence[str], exclude_types: Sequence[str]) -> list[str]:
    """The Plaza kinds a ``types[]``/``exclude_types[]`` pair asks for."""
    known = set(TYPE_OF_KIND.values()) | set(OTHER_MASTODON_TYPES)
    for t in (*types, *exclude_types):
        if t not in known:
            raise ApiError(f"Unknown notification type: {t}", 422)
    wanted = list(types) if types else list(DEFAULT_TYPES)
    excluded = set(exclude_types)
    kinds: list[str] = []
    for t in wanted:
        if t not in excluded:
            kinds.extend(KINDS_OF_TYPE.get(t, ()))
    return kinds


# --- group keys -------------------------------------------------------------------------


def _bucket(created: dt.datetime) -> int:
    hours = int(created.timestamp()) // 3600
    return hours - hours % GROUP_HOURS


def group_key(n: Notification, grouped_types: Iterable[str] = GROUPABLE_TYPES) -> str:
    """The notification's ``group_key`` (see the module docstring)."""
    kind = TYPE_OF_KIND[n.kind]
    if kind not in grouped_types:
        return f"ungrouped-{n.pk}"
    bucket = _bucket(time_of(n.pk))
    if kind == "follow":
        return f"follow-{bucket}"
    return f"{kind}-{n.post_id}-{bucket}"


_KEY = re.compile(
    r"^(?:ungrouped-(\d{1,20})|follow-(\d{1,12})|(favourite|reblog)-(\d{1,20})-(\d{1,12}))$"
)


def group_filter(key: str) -> Q:
    """A filter for the notifications behind ``key``; 404 for a key Plaza never made."""
    match = _KEY.match(key)
    if match is None:
        raise ApiError("Record not found", 404)
    single, follow_hour, kind, post_id, hour = match.groups()
    if single is not None:
        return Q(pk=int(single))
    bucket = int(follow_hour if follow_hour is not None else hour)
    start = dt.datetime.fromtimestamp(bucket * 3600, tz=dt.UTC)
    end = start + dt.timedelta(hours=GROUP_HOURS)
    in_window = Q(pk__gte=id_for_time(start), pk__lt=id_for_time(end))
    if follow_hour is not None:
        return in_window & Q(kind=K.FOLLOW)
    plaza_kind = K.LIKE if kind == "favourite" else K.RESHARE
    return in_window & Q(kind=plaza_kind, post_id=int(post_id))


# --- v1 ---------------------------------------------------------------------------------


def _posts_by_id(viewer: Account, items: Sequence[Notification]) -> dict[int, dict[str, Any]]:
    ids = {n.post_id for n in items if n.post_id is not None}
    if not ids:
        return {}
    posts = list(with_related(Post.objects.filter(pk__in=ids)))
    return {int(s["id"]): s for s in statuses(viewer, posts, context="notifications")}


def notification_entities(viewer: Account, items: Sequence[Notification]) -> list[dict[str, Any]]:
    """Notification entities for ``items`` (loaded with their actor), in a fixed number of
    queries."""
    by_post = _posts_by_id(viewer, items)
    out = []
    for n in items:
        if n.post_id is not None and n.post_id not in by_post:
            continue  # its post is behind one of the viewer's "hide" filters
        data: dict[str, Any] = {
            "id": str(n.pk),
            "type": TYPE_OF_KIND[n.kind],
            "group_key": group_key(n),
            "created_at": iso(n.created_at),
            "account": account(n.actor),
        }
        if n.post_id is not None:
            data["status"] = by_post[n.post_id]
        if n.kind == K.REPLY:
            data["plaza"] = {"kind": n.kind}
        if n.filtered:
            data["filtered"] = True
        out.append(data)
    return out


# --- v2 (grouped) -----------------------------------------------------------------------


@dataclass
class Group:
    key: str
    type: str
    items: list[Notification] = field(default_factory=list)

    def entity(self, *, paged: bool) -> dict[str, Any]:
        newest, oldest = self.items[0], self.items[-1]
        actors: list[str] = []
        for n in self.items:
            if str(n.actor_id) not in actors:
                actors.append(str(n.actor_id))
        data: dict[str, Any] = {
            "group_key": self.key,
            "notifications_count": len(self.items),
            "type": self.type,
            "most_recent_notification_id": str(newest.pk),
            "sample_account_ids": actors[:SAMPLE_ACCOUNTS],
        }
        if paged:
            data["page_min_id"] = str(oldest.pk)
            data["page_max_id"] = str(newest.pk)
            data["latest_page_notification_at"] = iso(newest.created_at)
        if newest.post_id is not None:
            data["status_id"] = str(newest.post_id)
        return data


def group(items: Sequence[Notification], grouped_types: Iterable[str]) -> list[Group]:
    """``items`` (newest first) gathered by group key, groups ordered by their newest item."""
    grouped = tuple(grouped_types)
    groups: dict[str, Group] = {}
    for n in items:
        key = group_key(n, grouped)
        if key not in groups:
            groups[key] = Group(key=key, type=TYPE_OF_KIND[n.kind])
        groups[key].items.append(n)
    return list(groups.values())


def grouped_results(
    viewer: Account, groups: Sequence[Group], *, paged: bool = True
) -> dict[str, Any]:
    """The GroupedNotificationsResults entity, in a fixed number of queries."""
    items = [n for g in groups for n in g.items]
    sampled: set[int] = set()
    for g in groups:
        sampled.update(int(i) for i in g.entity(paged=False)["sample_account_ids"])
    accounts: dict[int, Account] = {}
    for n in items:
        if n.actor_id in sampled:
            accounts.setdefault(n.actor_id, n.actor)
    newest_posts = [g.items[0] for g in groups if g.items[0].post_id is not None]
    by_post = _posts_by_id(viewer, newest_posts)
    return {
        "accounts": [account(a) for a in accounts.values()],
        "statuses": list(by_post.values()),
        "notification_groups": [
            g.entity(paged=paged)
            for g in groups
            if g.items[0].post_id is None or g.items[0].post_id in by_post
        ],
    }


# --- the policy and requests ------------------------------------------------------------


def notification_policy(policy: NotificationPolicy, summary: PendingSummary) -> dict[str, Any]:
    """The (v2) NotificationPolicy entity."""
    return {
        **{f: getattr(policy, f) for f in NotificationPolicy.FIELDS},
        "summary": {
            "pending_requests_count": summary.requests,
            "pending_notifications_count": summary.notifications,
        },
    }


# v1 (Mastodon 4.3 before v2): booleans; "drop" reads as filtered.
V1_FIELDS = {
    "filter_not_following": "for_not_following",
    "filter_not_followers": "for_not_followers",
    "filter_new_accounts": "for_new_accounts",
    "filter_private_mentions": "for_private_mentions",
}


def notification_policy_v1(policy: NotificationPolicy, summary: PendingSummary) -> dict[str, Any]:
    """The V1_NotificationPolicy entity."""
    return {
        **{old: getattr(policy, new) != "accept" for old, new in V1_FIELDS.items()},
        "summary": {
            "pending_requests_count": summary.requests,
            "pending_notifications_count": summary.notifications,
        },
    }


def notification_requests(
    viewer: Account, pending: Sequence[PendingRequest]
) -> list[dict[str, Any]]:
    """NotificationRequest entities, in a fixed number of queries (the latest notifications'
    posts, which the requests' query already checked the viewer may see)."""
    by_post = _posts_by_id(viewer, [p.latest for p in pending if p.latest is not None])
    out = []
    for p in pending:
        r = p.request
        data: dict[str, Any] = {
            "id": str(r.pk),
            "created_at": iso(r.created_at),
            "updated_at": iso(r.updated_at),
            "account": account(r.from_account),
            "notifications_count": str(p.count),
        }
        if p.latest is not None and p.latest.post_id in by_post:
            data["last_status"] = by_post[p.latest.post_id]
        out.append(data)
    return out
