"""Mastodon API: reading accounts — one account, lookup, search, an account's posts,
followers and following, relationships and familiar followers.

The credential endpoints are in :mod:`mastodon.views.accounts_credentials`, relationship
changes and the viewer's own lists (requests, blocks, mutes) in
:mod:`mastodon.views.accounts_relations`; the helpers here are shared by both.

Every read goes through ``network.queries`` / ``posts.queries`` / ``feeds.queries`` and
every write through ``network.actions`` / ``accounts.actions``, so the rules (blocks,
visibility, locked accounts) are the web UI's.

Where Plaza differs from Mastodon:

- An account that blocks the viewer is a 404 for them (Plaza hides both sides of a block);
  an account the viewer blocks is still shown, so clients can offer "unblock". Its posts and
  lists are empty either way, as Mastodon answers.
- Relationship lists page by the relationship row's id (``max_id``; ``since_id``/``min_id``
  bound the newer side); a page holds at most 50 accounts, Plaza's list page size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path

from accounts.models import Account, Visibility
from accounts.queries import get_account_by_username
from mastodon.api import (
    ApiError,
    ApiRequest,
    Paging,
    endpoint,
    paging,
    with_link_header,
)
from mastodon.entities.accounts import (
    account,
    accounts,
    instance_domain,
    relationships_for,
)
from mastodon.entities.statuses import statuses
from network import queries as network_queries
from network.queries import AccountPage
from plaza.ids import is_digits
from posts.models import MediaAttachment, Post, PostHashtag
from posts.queries import pinned_posts, visible_posts, with_related

# Larger ids can't be stored; they can't name anything, so they are "not found".
MAX_ID = 2**63 - 1
MAX_RELATIONSHIP_IDS = 100


# --- helpers ----------------------------------------------------------------------------


def _account_id(raw: str) -> int:
    if not is_digits(raw) or int(raw) > MAX_ID:
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
        if is_digits(raw) and int(raw) <= MAX_ID and int(raw) not in wanted:
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
        statuses(viewer, posts, context="account"),
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
    minus blocks either way and suspended accounts (gone for everyone); exact usernames
    first, then discoverable, then most followed. (The mention autocomplete of clients.)
    """
    qs = (
        Account.objects.filter(
            Q(username__istartswith=term)
            | Q(display_name__istartswith=term)
            | Q(display_name__icontains=f" {term}"),
            suspended_at__isnull=True,
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


A = "api/v1/accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    # Fixed names first: they would otherwise be read as an account id (the credential
    # routes live in mastodon.views.accounts_credentials, included before this module).
    path(f"{A}/relationships", relationships),
    path(f"{A}/familiar_followers", familiar_followers),
    path(f"{A}/search", search),
    path(f"{A}/lookup", lookup),
    path(f"{A}/<str:account_id>", get_account),
    path(f"{A}/<str:account_id>/statuses", account_statuses),
    path(f"{A}/<str:account_id>/followers", followers),
    path(f"{A}/<str:account_id>/following", following),
]
