"""Discovery: instance information, nodeinfo, well-known documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from accounts.models import Account
from mastodon.api import ApiRequest, absolute_url, endpoint
from mastodon.entities.accounts import account, instance_domain
from plaza import __version__
from posts import polls
from posts.models import Post

MASTODON_API_VERSION = 6
VERSION = f"4.3.0 (compatible; Plaza {__version__})"
MAX_MEDIA = 4


def _limits() -> dict[str, Any]:
    plaza = settings.PLAZA
    return {
        "statuses": {
            "max_characters": plaza.max_post_chars,
            "max_media_attachments": MAX_MEDIA,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": [
                "image/jpeg",
                "image/png",
                "image/gif",
                "image/webp",
                "video/mp4",
                "video/webm",
                "video/quicktime",
                "application/pdf",
            ],
            "image_size_limit": plaza.max_image_bytes,
            "image_matrix_limit": plaza.max_image_pixels,
            "video_size_limit": plaza.max_video_bytes,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8_294_400,
            "description_limit": 1500,
        },
        "polls": {
            "max_options": polls.MAX_OPTIONS,
            "max_characters_per_option": polls.MAX_OPTION_CHARS,
            "min_expiration": polls.MIN_EXPIRES_IN,
            "max_expiration": polls.MAX_EXPIRES_IN,
        },
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 5},
        "translation": {"enabled": False},
        "vapid": {"public_key": ""},
        "urls": {"streaming": _streaming_url()},
    }


def _streaming_url() -> str:
    base = settings.PLAZA.public_url.rstrip("/")
    return base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)


def _contact() -> dict[str, Any]:
    admin = (
        Account.objects.filter(user__is_superuser=True)
        .select_related("user")
        .order_by("created_at")
        .first()
    )
    return {
        "email": admin.user.email if admin else "",
        "account": account(admin) if admin else None,
    }


STATS_SECONDS = 300  # clients ask for the instance on every start; counts may lag a little


def _stats() -> dict[str, int]:
    """Accounts, posts and active accounts, counted at most every few minutes (a count over
    a million posts took 30-40 ms, and clients fetch the instance on every start)."""
    stats = cache.get("instance:stats")
    if stats is None:
        stats = _count()
        cache.set("instance:stats", stats, STATS_SECONDS)
    return dict(stats)


def _count() -> dict[str, int]:
    now = timezone.now()
    active = Account.objects.filter(suspended_at__isnull=True)
    return {
        "user_count": Account.objects.count(),
        "status_count": Post.objects.filter(reshare_of__isnull=True).count(),
        "domain_count": 1,
        "active_month": active.filter(last_posted_at__gte=now - dt.timedelta(days=30)).count(),
        "active_halfyear": active.filter(last_posted_at__gte=now - dt.timedelta(days=180)).count(),
    }


@endpoint("GET", auth="none")
def instance_v1(request: ApiRequest) -> dict[str, Any]:
    limits = _limits()
    return {
        "uri": instance_domain(),
        "title": settings.PLAZA.instance_name,
        "short_description": "A Plaza community: social networking and social media on one graph.",
        "description": "A Plaza community: social networking and social media on one graph.",
        "email": _contact()["email"],
        "version": VERSION,
        "urls": {"streaming_api": limits["urls"]["streaming"]},
        "stats": {k: v for k, v in _stats().items() if k.endswith("_count")},
        "thumbnail": None,
        "languages": ["en"],
        "registrations": settings.PLAZA.registrations_open,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": {k: v for k, v in limits.items() if k != "urls"},
        "contact_account": _contact()["account"],
        "rules": [],
    }


@endpoint("GET", auth="none")
def instance_v2(request: ApiRequest) -> dict[str, Any]:
    limits = _limits()
    active = _stats()["active_month"]
    return {
        "domain": instance_domain(),
        "title": settings.PLAZA.instance_name,
        "version": VERSION,
        "source_url": "https://example.invalid/plaza",
        "description": "A Plaza community: social networking and social media on one graph.",
        "usage": {"users": {"active_month": active}},
        "thumbnail": {
            "url": absolute_url("/static/img/header-missing.png"),
            "blurhash": None,
            "versions": {},
        },
        "icon": [],
        "languages": ["en"],
        "configuration": limits,
        "registrations": {
            "enabled": settings.PLAZA.registrations_open,
            "approval_required": False,
            "message": None,
            "url": None,
        },
        "api_versions": {"mastodon": MASTODON_API_VERSION},
        "contact": _contact(),
        "rules": [],
    }


@endpoint("GET", auth="none")
def instance_extended_description(request: ApiRequest) -> dict[str, Any]:
    return {"updated_at": None, "content": "<p>A Plaza community.</p>"}


@endpoint("GET", auth="none")
def instance_empty_list(request: ApiRequest) -> list[Any]:
    """Lists Plaza truly has nothing in (peers of a non-federating server, its rules)."""
    return []


@endpoint("GET", auth="none")
def custom_emojis(request: ApiRequest) -> list[Any]:
    return []


def nodeinfo_index(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                    "href": absolute_url("/nodeinfo/2.0"),
                },
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "href": absolute_url("/nodeinfo/2.1"),
                },
            ]
        }
    )


def nodeinfo(request: HttpRequest, version: str) -> JsonResponse:
    if version not in ("2.0", "2.1"):
        return JsonResponse({"error": "Unknown nodeinfo version"}, status=404)
    stats = _stats()
    software: dict[str, Any] = {"name": "plaza", "version": __version__}
    if version == "2.1":
        software["repository"] = "https://example.invalid/plaza"
    return JsonResponse(
        {
            "version": version,
            "software": software,
            "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": []},
            "usage": {
                "users": {
                    "total": stats["user_count"],
                    "activeMonth": stats["active_month"],
                    "activeHalfyear": stats["active_halfyear"],
                },
                "localPosts": stats["status_count"],
            },
            "openRegistrations": settings.PLAZA.registrations_open,
            # megalodon accepts servers whose software it knows or whose upstream is mastodon.
            "metadata": {
                "nodeName": settings.PLAZA.instance_name,
                "upstream": {"name": "mastodon", "version": "4.3.0"},
            },
        },
        content_type=f'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{version}#"',
    )


def oauth_authorization_server(request: HttpRequest) -> JsonResponse:
    from mastodon.scopes import ALL_SCOPES

    return JsonResponse(
        {
            "issuer": absolute_url("/"),
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": absolute_url("/oauth/authorize"),
            "token_endpoint": absolute_url("/oauth/token"),
            "revocation_endpoint": absolute_url("/oauth/revoke"),
            "app_registration_endpoint": absolute_url("/api/v1/apps"),
            "scopes_supported": list(ALL_SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


def host_meta(request: HttpRequest) -> HttpResponse:
    template = absolute_url("/.well-known/webfinger") + "?resource={uri}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    return HttpResponse(body, content_type="application/xrd+xml; charset=utf-8")


def webfinger(request: HttpRequest) -> JsonResponse:
    resource = request.GET.get("resource", "")
    name = resource.removeprefix("acct:").lstrip("@")
    username, _, domain = name.partition("@")
    if domain and domain.lower() != instance_domain().lower():
        return JsonResponse({"error": "Record not found"}, status=404)
    acc = Account.objects.filter(username__iexact=username).first() if username else None
    if acc is None:
        return JsonResponse({"error": "Record not found"}, status=404)
    url = absolute_url(f"/@{acc.username}")
    return JsonResponse(
        {
            "subject": f"acct:{acc.username}@{instance_domain()}",
            "aliases": [url],
            "links": [
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": url}
            ],
        },
        content_type="application/jrd+json",
    )
