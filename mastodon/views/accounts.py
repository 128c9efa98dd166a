"""Mastodon API: accounts, relationships, follow requests, blocks, mutes, endorsements,
suggestions and preferences.

Every read goes through ``network.queries`` / ``posts.queries`` / ``feeds.queries`` and
every write through ``network.actions`` / ``accounts.actions``, so the rules (blocks,
visibility, locked accounts) are the web UI's.

Where Plaza differs from Mastodon:

- An account that blocks the viewer is a 404 for them (Plaza hides both sides of a block);
  an account the viewer blocks is still shown, so clients can offer "unblock". Its posts and
  lists are empty either way, as Mastodon answers.
- Mutes have no expiry in Plaza: ``duration`` is accepted and ignored (the mute is
  indefinite). Follow ``languages[]`` is accepted and ignored.
- At most four profile fields, as in Mastodon; only a website and a location are kept.
- Suggestions can't be dismissed yet (no model for it): ``DELETE /api/v1/suggestions/:id``
  answers ``{}`` as Mastodon does, and the account may be suggested again.
- Relationship lists page by the relationship row's id (``max_id``; ``since_id``/``min_id``
  bound the newer side); a page holds at most 50 accounts, Plaza's list page size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path

from accounts import actions as account_actions
from accounts.models import Account, Visibility
from accounts.queries import get_account_by_username
from feeds.queries import suggested_accounts
from mastodon.api import (
    ApiError,
    ApiRequest,
    InputData,
    Paging,
    endpoint,
    paging,
    with_link_header,
)
from mastodon.entities.accounts import (
    MASTODON_VISIBILITY,
    account,
    accounts,
    credential_account,
    instance_domain,
    relationships_for,
)
from mastodon.entities.statuses import statuses
from network import actions as network_actions
from network import queries as network_queries
from network.queries import AccountPage
from plaza import ratelimit
from posts.models import MediaAttachment, Post, PostHashtag
from posts.queries import pinned_posts, visible_posts, with_related

# Larger ids can't be stored; they can't name anything, so they are "not found".
MAX_ID = 2**63 - 1
# Mastodon's ``source[privacy]`` values (and Plaza's own) → Plaza visibility.
PRIVACY_TO_VISIBILITY: dict[str, Visibility] = {
    "public": Visibility.PUBLIC,
    "unlisted": Visibility.UNLISTED,
    "private": Visibility.FOLLOWERS,
    "followers": Visibility.FOLLOWERS,
    "connections": Visibility.CONNECTIONS,
}
WEBSITE_FIELD_NAMES = {"website", "web", "site", "homepage", "home page", "home", "url", "blog"}
LOCATION_FIELD_NAMES = {"location", "city", "place", "based in", "lives in", "where", "from"}
MAX_RELATIONSHIP_IDS = 100
MAX_PROFILE_FIELDS = 4  # Mastodon's limit


# --- helpers ----------------------------------------------------------------------------


def _account_id(raw: str) -> int:
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise Http404
    return int(raw)


def _get_account(raw_id: str) -> Account:
    """The account with id ``raw_id``, or a 404 (also for ids that aren't numbers)."""
    found = Account.objects.filter(pk=_account_id(raw_id)).first()
    if found is None:
        raise Http404
    return found


def _shown(request: ApiRequest, target: Account) -> Account:
    """``target``, unless it blocks the viewer (then it is not there for them)."""
    viewer = request.account
    if viewer is not None and network_queries.blocker_ids(viewer).filter(account=target).exists():
        raise Http404
    return target


def _me(request: ApiRequest) -> Account:
    assert request.account is not None  # endpoints with auth="user"
    return request.account


def _paging(request: ApiRequest, default: int, maximum: int) -> Paging:
    p = paging(request, default=default, maximum=maximum)
    # Bounds past the largest storable id mean "no bound" (max) or "nothing newer" (min).
    return Paging(
        max_id=None if p.max_id is not None and p.max_id > MAX_ID else p.max_id,
        since_id=min(p.since_id, MAX_ID) if p.since_id is not None else None,
        min_id=min(p.min_id, MAX_ID) if p.min_id is not None else None,
        limit=p.limit,
    )


def _numeric_ids(values: list[str]) -> list[int]:
    """Distinct account ids from ``id[]``, in order, at most 100; ids that can't name an
    account are skipped (Mastodon answers for the accounts that exist)."""
    wanted: list[int] = []
    for raw in values:
        raw = raw.strip()
        if raw.isdigit() and int(raw) <= MAX_ID and int(raw) not in wanted:
            wanted.append(int(raw))
    return wanted[:MAX_RELATIONSHIP_IDS]


def _relationship(viewer: Account, target: Account) -> dict[str, Any]:
    return relationships_for(viewer, [target])[0]


def _empty_list(request: ApiRequest) -> JsonResponse:
    return with_link_header(request, [], next_max_id=None, prev_min_id=None)


def _account_list(request: ApiRequest, p: Paging, page: AccountPage) -> JsonResponse:
    """Accounts of a relationship list, with Link headers keyed by the relationship row."""
    rows = page.rows
    newer_than = p.min_id if p.min_id is not None else p.since_id
    if newer_than is not None:
        rows = [r for r in rows if r.key > newer_than]
    return with_link_header(
        request,
        accounts(r.account for r in rows),
        next_max_id=page.next_max_id if rows else None,
        prev_min_id=rows[0].key if rows else None,
    )


# --- credentials ------------------------------------------------------------------------


@endpoint("GET", scope="profile")
def verify_credentials(request: ApiRequest) -> Any:
    return credential_account(_me(request))


def _profile_fields(data: InputData) -> list[tuple[str, str]] | None:
    """``fields_attributes`` as (name, value) pairs in the order sent; None when absent.

    Clients send a JSON object keyed by index, a JSON list, or form keys like
    ``fields_attributes[0][name]`` (or ``fields_attributes[][name]``).
    """
    raw = data.raw("fields_attributes")
    items: list[Any] = []
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, dict):
        items = list(raw.values())
    else:
        nested = data.object("fields_attributes")
        if not nested and raw is None:
            return None
        grouped: dict[str, dict[str, Any]] = {}
        for key, value in nested.items():
            match = re.fullmatch(r"([^\]]*)\]\[(name|value)", key)
            if match:
                grouped.setdefault(match[1], {})[match[2]] = value
        for index, pair in grouped.items():
            names, values = pair.get("name", ""), pair.get("value", "")
            if index == "" and isinstance(names, list):  # fields_attributes[][name]=...
                values = values if isinstance(values, list) else [values]
                items += [{"name": n, "value": v} for n, v in zip(names, values, strict=False)]
            else:
                items.append(pair)
    fields = []
    for item in items:
        if not isinstance(item, dict):
            raise ApiError("fields_attributes must hold objects with name and value", 422)
        name, value = item.get("name", ""), item.get("value", "")
        if isinstance(name, list):
            name = name[0] if name else ""
        if isinstance(value, list):
            value = value[0] if value else ""
        if not isinstance(name, str) or not isinstance(value, str):
            raise ApiError("Profile field names and values must be strings", 422)
        fields.append((name.strip(), value.strip()))
    if len([f for f in fields if f != ("", "")]) > MAX_PROFILE_FIELDS:
        raise ApiError(f"A profile has at most {MAX_PROFILE_FIELDS} fields", 422)
    return fields


def _website_and_location(fields: list[tuple[str, str]]) -> tuple[str, str]:
    """Plaza's profile has a website and a location; other fields have nowhere to go."""
    website = location = None
    for name, value in fields:
        key = name.lower().rstrip(":")
        if key in WEBSITE_FIELD_NAMES and website is None:
            website = value
        elif key in LOCATION_FIELD_NAMES and location is None:
            location = value
    if website is None:
        urls = [v for _, v in fields if re.match(r"^https?://\S+$", v, re.IGNORECASE)]
        website = urls[0] if urls else None
    return website or "", location or ""


def _upload(data: InputData, key: str) -> Any:
    upload = data.files.get(key)
    if upload is None and data.has(key) and data.string(key):
        raise ApiError(f"{key} must be an uploaded image file (multipart/form-data)", 422)
    return upload


@endpoint("PATCH", "PUT", "POST", scope="write:accounts")
def update_credentials(request: ApiRequest) -> Any:
    me = _me(request)
    data = request.data
    source = data.object("source")
    # Read and check every input before anything is written.
    profile: dict[str, Any] = {
        "display_name": data.string("display_name"),
        "bio": data.string("note"),
        "avatar": _upload(data, "avatar"),
        "header": _upload(data, "header"),
    }
    fields = _profile_fields(data)
    if fields is not None:
        profile["website"], profile["location"] = _website_and_location(fields)
    settings: dict[str, Any] = {
        "locked": data.boolean("locked"),
        "discoverable": data.boolean("discoverable"),
    }
    privacy = source.get("privacy")
    if privacy not in (None, ""):
        if not isinstance(privacy, str) or privacy not in PRIVACY_TO_VISIBILITY:
            raise ApiError("source[privacy] must be public, unlisted or private", 422)
        settings["default_visibility"] = PRIVACY_TO_VISIBILITY[privacy]
    # Plaza has no per-account default for these yet; they are checked, then not stored.
    InputData(source).boolean("sensitive")
    InputData(source).string("language")
    data.boolean("bot")
    with transaction.atomic():
        account_actions.update_profile(me, **profile)
        account_actions.update_settings(me, **settings)
    return credential_account(me)


@endpoint("GET", scope="read:accounts")
def preferences(request: ApiRequest) -> Any:
    me = _me(request)
    visibility = Visibility(me.default_visibility)
    return {
        "posting:default:visibility": MASTODON_VISIBILITY[visibility],
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
        "plaza:posting:default:visibility": visibility.value,
    }


# --- accounts ---------------------------------------------------------------------------


@endpoint("GET", scope="read:accounts", auth="optional")
def get_account(request: ApiRequest, account_id: str) -> Any:
    return account(_shown(request, _get_account(account_id)))


@endpoint("GET", scope="read:accounts", auth="optional")
def accounts_index(request: ApiRequest) -> Any:
    """``GET /api/v1/accounts?id[]=…``: the accounts that exist (and don't block the viewer),
    in the order asked. Not routed here: ``api/v1/accounts`` belongs to registration (POST)
    in ``mastodon.views.apps``, which can hand GET requests to this view."""
    wanted = _numeric_ids(request.data.array("id"))
    qs = Account.objects.filter(pk__in=wanted)
    if request.account is not None:
        qs = qs.exclude(pk__in=network_queries.blocker_ids(request.account))
    found = {a.pk: a for a in qs}
    return [account(found[i]) for i in wanted if i in found]


@endpoint("GET", scope="read:accounts", auth="optional")
def lookup(request: ApiRequest) -> Any:
    acct = (request.data.string("acct") or "").strip().lstrip("@")
    username, _, domain = acct.partition("@")
    if not username or (domain and domain.lower() != instance_domain().lower()):
        raise Http404
    found = get_account_by_username(username)
    if found is None:
        raise Http404
    return account(_shown(request, found))


def _range(qs: QuerySet[Post], p: Paging) -> list[Post]:
    """One keyset page of ``qs``, newest first (``min_id`` alone reads up from it)."""
    if p.max_id is not None:
        qs = qs.filter(pk__lt=p.max_id)
    for bound in (p.since_id, p.min_id):
        if bound is not None:
            qs = qs.filter(pk__gt=bound)
    ascending = p.min_id is not None and p.max_id is None
    found = list(with_related(qs.order_by("id" if ascending else "-id"))[: p.limit])
    if ascending:
        found.reverse()
    return found


@endpoint("GET", scope="read:statuses", auth="optional")
def account_statuses(request: ApiRequest, account_id: str) -> Any:
    author = _get_account(account_id)
    viewer = request.account
    data = request.data
    p = _paging(request, 20, 40)
    if viewer is not None and network_queries.is_blocked_either_way(viewer, author):
        return _empty_list(request)
    # The same rule as the profile page: what the viewer may see, never direct messages.
    if data.boolean("pinned", False):
        qs = pinned_posts(viewer, author)
    else:
        qs = visible_posts(viewer).filter(author=author)
    qs = qs.exclude(visibility=Visibility.DIRECT)
    if data.boolean("only_media", False):
        qs = qs.filter(Exists(MediaAttachment.objects.filter(post=OuterRef("pk"))))
    if data.boolean("exclude_replies", False):
        qs = qs.filter(Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=author))
    if data.boolean("exclude_reblogs", False):
        qs = qs.filter(reshare_of__isnull=True)
    tag = (data.string("tagged") or "").strip().lstrip("#").lower()
    if tag:
        tagged = PostHashtag.objects.filter(post=OuterRef("pk"), hashtag__name=tag)
        qs = qs.filter(Exists(tagged))
    posts = _range(qs, p)
    return with_link_header(
        request,
        statuses(viewer, posts),
        next_max_id=posts[-1].pk if len(posts) == p.limit else None,
        prev_min_id=posts[0].pk if posts else None,
    )


PageFetch = Callable[..., AccountPage]


def _lists_of(request: ApiRequest, account_id: str, fetch: PageFetch) -> HttpResponse:
    target = _get_account(account_id)
    viewer = request.account
    p = _paging(request, 40, 80)
    hidden = viewer is not None and (
        viewer.pk != target.pk and network_queries.is_blocked_either_way(viewer, target)
    )
    if hidden or not network_queries.can_see_lists(viewer, target):
        return _empty_list(request)
    return _account_list(request, p, fetch(viewer, target, max_id=p.max_id, limit=p.limit))


@endpoint("GET", scope="read:accounts", auth="optional")
def followers(request: ApiRequest, account_id: str) -> Any:
    return _lists_of(request, account_id, network_queries.followers_page)


@endpoint("GET", scope="read:accounts", auth="optional")
def following(request: ApiRequest, account_id: str) -> Any:
    return _lists_of(request, account_id, network_queries.following_page)


@endpoint("GET", scope="read:lists")
def account_lists(request: ApiRequest, account_id: str) -> Any:
    _get_account(account_id)
    return []  # Plaza has no lists yet


@endpoint("GET", scope="read:follows")
def relationships(request: ApiRequest) -> Any:
    me = _me(request)
    wanted = _numeric_ids(request.data.array("id"))
    existing = set(Account.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    return relationships_for(me, [i for i in wanted if i in existing])


@endpoint("GET", scope="read:follows")
def familiar_followers(request: ApiRequest) -> Any:
    me = _me(request)
    wanted = _numeric_ids(request.data.array("id"))
    found = network_queries.familiar_followers(me, wanted)
    return [{"id": str(i), "accounts": accounts(found[i])} for i in wanted]


def search_accounts(
    viewer: Account, term: str, *, following_only: bool = False
) -> QuerySet[Account]:
    """Accounts whose username or display name (or a word of it) starts with ``term``,
    minus blocks either way; exact usernames first, then discoverable, then most followed.

    TODO(lead): belongs in accounts.queries so v2 search can share it.
    """
    qs = (
        Account.objects.filter(
            Q(username__istartswith=term)
            | Q(display_name__istartswith=term)
            | Q(display_name__icontains=f" {term}")
        )
        .exclude(pk__in=network_queries.blocked_ids(viewer))
        .exclude(pk__in=network_queries.blocker_ids(viewer))
    )
    if following_only:
        qs = qs.filter(pk__in=network_queries.following_ids(viewer))
    rank = Case(
        When(username__iexact=term, then=Value(0)),
        When(discoverable=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank).order_by("rank", "-followers_count", "id")


@endpoint("GET", scope="read:accounts")
def search(request: ApiRequest) -> Any:
    me = _me(request)
    data = request.data
    q = data.string("q")
    if q is None:
        raise ApiError("q is required", 400)
    limit = data.integer("limit", 40, minimum=1, maximum=80) or 40
    offset = data.integer("offset", 0, minimum=0) or 0
    data.boolean("resolve")  # nothing remote to resolve: checked, then ignored
    username, _, domain = q.strip().lstrip("@").partition("@")
    term = username.strip()
    if not term or (domain and domain.lower() != instance_domain().lower()):
        return []
    found = search_accounts(me, term, following_only=bool(data.boolean("following", False)))
    return accounts(found[offset : offset + limit])


# --- relationship actions ---------------------------------------------------------------


@endpoint("POST", scope="write:follows")
def follow(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    data = request.data
    data.array("languages")  # no per-language filtering in Plaza: accepted, ignored
    # Options not sent keep their current value on an existing follow (as in Mastodon).
    current = network_queries.relationship_details(me, [target])[target.pk]
    ratelimit.hit("follow", me)
    network_actions.follow(
        me,
        target,
        show_reshares=bool(data.boolean("reblogs", current.show_reshares)),
        notify_posts=bool(data.boolean("notify", current.notify)),
    )
    return _relationship(me, target)


@endpoint("POST", scope="write:follows")
def unfollow(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.unfollow(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:follows")
def remove_from_followers(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.remove_follower(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:blocks")
def block(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.block(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:blocks")
def unblock(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.unblock(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:mutes")
def mute(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    notifications = request.data.boolean("notifications", True)
    # Plaza mutes don't expire: a duration is checked, then the mute is indefinite.
    # TODO(lead): network.Mute needs an expires_at for timed mutes (Mastodon's duration).
    request.data.integer("duration", 0, minimum=0)
    network_actions.mute(me, target, notifications=bool(notifications))
    return _relationship(me, target)


@endpoint("POST", scope="write:mutes")
def unmute(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.unmute(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:accounts")
def pin(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.endorse(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:accounts")
def unpin(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.unendorse(me, target)
    return _relationship(me, target)


# --- the viewer's own lists -------------------------------------------------------------


def _my_list(request: ApiRequest, fetch: PageFetch) -> JsonResponse:
    p = _paging(request, 40, 80)
    return _account_list(request, p, fetch(_me(request), max_id=p.max_id, limit=p.limit))


@endpoint("GET", scope="read:follows")
def follow_requests(request: ApiRequest) -> Any:
    return _my_list(request, network_queries.received_follow_requests_page)


@endpoint("POST", scope="write:follows")
def authorize_follow_request(request: ApiRequest, account_id: str) -> Any:
    me, requester = _me(request), _get_account(account_id)
    network_actions.approve_follow_request(me, requester)
    return _relationship(me, requester)


@endpoint("POST", scope="write:follows")
def reject_follow_request(request: ApiRequest, account_id: str) -> Any:
    me, requester = _me(request), _get_account(account_id)
    network_actions.reject_follow_request(me, requester)
    return _relationship(me, requester)


@endpoint("GET", scope="read:blocks")
def blocks(request: ApiRequest) -> Any:
    return _my_list(request, network_queries.blocks_page)


@endpoint("GET", scope="read:mutes")
def mutes(request: ApiRequest) -> Any:
    return _my_list(request, network_queries.mutes_page)


@endpoint("GET", scope="read:accounts")
def endorsements(request: ApiRequest) -> Any:
    return _my_list(request, network_queries.endorsements_page)


# --- suggestions ------------------------------------------------------------------------


@endpoint("GET", scope="read")
def suggestions_v2(request: ApiRequest) -> Any:
    limit = request.data.integer("limit", 40, minimum=1, maximum=80) or 40
    # suggested_accounts ranks discoverable accounts by followers: Mastodon's "most_followed".
    return [
        {"source": "global", "sources": ["most_followed"], "account": account(a)}
        for a in suggested_accounts(_me(request), limit=limit)
    ]


@endpoint("GET", scope="read")
def suggestions_v1(request: ApiRequest) -> Any:
    limit = request.data.integer("limit", 40, minimum=1, maximum=80) or 40
    return accounts(suggested_accounts(_me(request), limit=limit))


@endpoint("DELETE", scope="read")
def dismiss_suggestion(request: ApiRequest, account_id: str) -> Any:
    # Mastodon answers {} even for unknown ids; Plaza has no dismissals to store yet.
    return {}


A = "api/v1/accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    # Fixed names first: they would otherwise be read as an account id.
    path(f"{A}/verify_credentials", verify_credentials),
    path(f"{A}/update_credentials", update_credentials),
    path(f"{A}/relationships", relationships),
    path(f"{A}/familiar_followers", familiar_followers),
    path(f"{A}/search", search),
    path(f"{A}/lookup", lookup),
    path(f"{A}/<str:account_id>", get_account),
    path(f"{A}/<str:account_id>/statuses", account_statuses),
    path(f"{A}/<str:account_id>/followers", followers),
    path(f"{A}/<str:account_id>/following", following),
    path(f"{A}/<str:account_id>/lists", account_lists),
    path(f"{A}/<str:account_id>/follow", follow),
    path(f"{A}/<str:account_id>/unfollow", unfollow),
    path(f"{A}/<str:account_id>/remove_from_followers", remove_from_followers),
    path(f"{A}/<str:account_id>/block", block),
    path(f"{A}/<str:account_id>/unblock", unblock),
    path(f"{A}/<str:account_id>/mute", mute),
    path(f"{A}/<str:account_id>/unmute", unmute),
    path(f"{A}/<str:account_id>/pin", pin),
    path(f"{A}/<str:account_id>/unpin", unpin),
    path("api/v1/preferences", preferences),
    path("api/v1/follow_requests", follow_requests),
    path("api/v1/follow_requests/<str:account_id>/authorize", authorize_follow_request),
    path("api/v1/follow_requests/<str:account_id>/reject", reject_follow_request),
    path("api/v1/blocks", blocks),
    path("api/v1/mutes", mutes),
    path("api/v1/endorsements", endorsements),
    path("api/v2/suggestions", suggestions_v2),
    path("api/v1/suggestions", suggestions_v1),
    path("api/v1/suggestions/<str:account_id>", dismiss_suggestion),
]
