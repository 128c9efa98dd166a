"""Mastodon API: featured hashtags, endorsement aliases, profile image removal, the profile
directory, languages and ``/health``.

Featured hashtags are Plaza's profile *interests*: the hashtags a person shows on their
profile, which is what Mastodon's featured tags are. A FeaturedTag's ``id`` is the tag name
(interests are names, not rows); clients treat ids as opaque strings.
"""

from __future__ import annotations

from typing import Any

from django.conf import global_settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_GET

from accounts import actions as account_actions
from accounts.models import Account
from mastodon.api import ApiError, ApiRequest, absolute_url, by_method, endpoint
from mastodon.entities.accounts import accounts, credential_account
from mastodon.views.accounts import _get_account, _me, _shown
from mastodon.views.accounts_relations import pin, unpin
from mastodon.views.search import TAG_NAME, tag_entities
from mastodon.views.statuses import _post, _status
from network import queries as network_queries
from plaza.ids import time_of
from posts.queries import hashtag_use, recent_hashtags_of

# --- featured hashtags (profile interests) --------------------------------------------------


def tag_name(raw: str) -> str:
    """A hashtag name as Plaza stores it (lowercase, no ``#``), or a 404 for one that can't be
    a hashtag (as Mastodon answers for ``/api/v1/tags/:name``)."""
    name = raw.strip().lstrip("#").lower()
    if not TAG_NAME.match(name):
        raise ApiError("Record not found", 404)
    return name


def featured_tag_entities(owner: Account, names: list[str]) -> list[dict[str, Any]]:
    """FeaturedTag entities for ``owner``'s featured ``names`` (one query for the counts)."""
    use = hashtag_use(owner, names)
    out = []
    for name in names:
        count, last = use.get(name, (0, 0))
        out.append(
            {
                "id": name,
                "name": name,
                "url": absolute_url(f"/tags/{name}"),
                "statuses_count": count,
                "last_status_at": time_of(last).date().isoformat() if last else None,
            }
        )
    return out


def set_featured(me: Account, name: str, featured: bool) -> None:
    """Add ``name`` to (or remove it from) ``me``'s interests, through the profile action."""
    current = list(me.interests or [])
    if featured == (name in current):
        return
    wanted = [*current, name] if featured else [n for n in current if n != name]
    try:
        account_actions.update_profile(me, interests=wanted)
    except ValidationError as exc:
        raise ApiError(" ".join(exc.messages), 422) from exc


@endpoint("GET", scope="read:accounts")
def featured_tags_list(request: ApiRequest) -> Any:
    me = _me(request)
    return featured_tag_entities(me, list(me.interests or []))


@endpoint("POST", scope="write:accounts")
def featured_tags_create(request: ApiRequest) -> Any:
    me = _me(request)
    raw = request.data.string("name")
    if not raw:
        raise ApiError("name is required", 422)
    name = raw.strip().lstrip("#").lower()
    if not TAG_NAME.match(name):
        raise ApiError("name must be a hashtag: letters, numbers and underscores", 422)
    set_featured(me, name, True)
    return featured_tag_entities(me, [name])[0]


@endpoint("DELETE", scope="write:accounts")
def featured_tags_delete(request: ApiRequest, tag_id: str) -> Any:
    me = _me(request)
    name = tag_id.strip().lstrip("#").lower()
    if name not in (me.interests or []):
        raise ApiError("Record not found", 404)
    set_featured(me, name, False)
    return {}


@endpoint("GET", scope="read:accounts")
def featured_tags_suggestions(request: ApiRequest) -> Any:
    """The hashtags the caller used most lately and doesn't feature yet (Tag entities)."""
    me = _me(request)
    featured = set(me.interests or [])
    names = [n for n in recent_hashtags_of(me, limit=10 + len(featured)) if n not in featured]
    return tag_entities(me, names[:10])


@endpoint("GET", scope="read:accounts", auth="optional")
def account_featured_tags(request: ApiRequest, account_id: str) -> Any:
    owner = _shown(request, _get_account(account_id))
    viewer = request.account
    if viewer is not None and network_queries.is_blocked_either_way(viewer, owner):
        return []
    return featured_tag_entities(owner, list(owner.interests or []))


@endpoint("POST", scope="write:accounts")
def tag_feature(request: ApiRequest, name: str) -> Any:
    me = _me(request)
    name = tag_name(name)
    set_featured(me, name, True)
    return tag_entities(me, [name])[0]


@endpoint("POST", scope="write:accounts")
def tag_unfeature(request: ApiRequest, name: str) -> Any:
    me = _me(request)
    name = tag_name(name)
    set_featured(me, name, False)
    return tag_entities(me, [name])[0]


# --- profile images ----------------------------------------------------------


def _remove_image(request: ApiRequest, field: str) -> Any:
    me = _me(request)
    account_actions.update_profile(
        me, remove_avatar=field == "avatar", remove_header=field == "header"
    )
    return credential_account(me)


@endpoint("DELETE", scope="write:accounts")
def delete_avatar(request: ApiRequest) -> Any:
    return _remove_image(request, "avatar")


@endpoint("DELETE", scope="write:accounts")
def delete_header(request: ApiRequest) -> Any:
    return _remove_image(request, "header")


# --- quote policies ---------------------------------------------------------------------------

QUOTE_POLICY_FIXED = (
    "Plaza's quote policy is fixed: anyone may quote public and unlisted posts, "
    "and only their author may quote the others"
)


@endpoint("PUT", scope="write:statuses")
def interaction_policy(request: ApiRequest, status_id: str) -> Any:
    """Mastodon 4.5's per-post quote policy. Plaza applies one rule to every post, so asking
    for that rule (``public``) answers the status; any other policy is a clear 422."""
    me = _me(request)
    post = _post(request, status_id)
    if post.author_id != me.pk:
        raise ApiError("You can only change the policy of your own posts", 403)
    policy = request.data.string("quote_approval_policy")
    if policy not in (None, "", "public"):
        raise ApiError(QUOTE_POLICY_FIXED, 422)
    return _status(request, post)


@endpoint("POST", scope="write:statuses")
def quote_revoke(request: ApiRequest, status_id: str, quoting_id: str) -> Any:
    me = _me(request)
    post = _post(request, status_id)
    if post.author_id != me.pk:
        raise ApiError("You can only revoke quotes of your own posts", 403)
    raise ApiError("Plaza can't detach a quote from a post yet", 422)


# --- directory, languages, health -----------------------------------------------------------


@endpoint("GET", scope="read:accounts", auth="optional")
def directory(request: ApiRequest) -> Any:
    data = request.data
    limit = data.integer("limit", 40, minimum=1, maximum=80) or 40
    offset = data.integer("offset", 0, minimum=0, maximum=100_000) or 0
    order = data.string("order") or "active"
    if order not in ("active", "new"):
        raise ApiError("order must be active or new", 422)
    data.boolean("local")  # every account is local
    found = network_queries.directory(request.account, order=order, offset=offset, limit=limit)
    return accounts(found)


def _languages() -> list[tuple[str, str]]:
    # ISO 639-1 codes (Mastodon's post languages); Django's list has regional variants too.
    return [(code, name) for code, name in global_settings.LANGUAGES if "-" not in code]


@endpoint("GET", auth="optional")
def instance_languages(request: ApiRequest) -> Any:
    return [{"code": code, "name": str(name)} for code, name in _languages()]


@endpoint("GET", auth="optional")
def translation_languages(request: ApiRequest) -> Any:
    return {}  # Plaza translates nothing: no language pairs is the truth


@require_GET
def health(request: Any) -> HttpResponse:
    """Mastodon's liveness probe: plain ``OK`` (``/healthz`` has the detailed checks)."""
    return HttpResponse("OK", content_type="text/plain")


A = "api/v1/accounts/<str:account_id>"
urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/featured_tags", by_method(get=featured_tags_list, post=featured_tags_create)),
    path("api/v1/featured_tags/suggestions", featured_tags_suggestions),
    path("api/v1/featured_tags/<str:tag_id>", featured_tags_delete),
    path(f"{A}/featured_tags", account_featured_tags),
    path(f"{A}/endorse", pin),
    path(f"{A}/unendorse", unpin),
    path("api/v1/tags/<str:name>/feature", tag_feature),
    path("api/v1/tags/<str:name>/unfeature", tag_unfeature),
    path("api/v1/profile/avatar", delete_avatar),
    path("api/v1/profile/header", delete_header),
    path("api/v1/directory", directory),
    path("api/v1/instance/languages", instance_languages),
    path("api/v1/instance/translation_languages", translation_languages),
    path("api/v1/statuses/<str:status_id>/interaction_policy", interaction_policy),
    path("api/v1/statuses/<str:status_id>/quotes/<str:quoting_id>/revoke", quote_revoke),
    # ("health" is routed in mastodon/urls.py: it is not under api/)
]
