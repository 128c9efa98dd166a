"""OAuth 2 for Mastodon clients, on django-oauth-toolkit.

What Mastodon clients need on top of the stock views (see shared/CLIENTS.md):

- token and revoke requests as JSON bodies as well as forms (Elk posts JSON);
- the out-of-band redirect ``urn:ietf:wg:oauth:2.0:oob``, which shows the code on a page;
- ``force_login``, and OAuth pages that don't sever a log-in popup from its opener (COOP);
- one application using the code, client-credentials and refresh grants (see models).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as oauth_views
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2 import Server
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256

from accounts.signals import LOGGED_IN_AT_KEY
from mastodon import scopes as scope_rules
from mastodon.models import OOB_REDIRECT_URI

JSON_BODY_PATHS = ("/oauth/token", "/oauth/revoke")
log = logging.getLogger(__name__)


class PlazaOAuthServer(Server):
    """oauthlib's server with PKCE limited to S256, as Mastodon does: the ``plain`` method
    (also what a challenge without a method means) protects nothing against an observer
    of the authorization request."""

    def __init__(self, request_validator: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request_validator, *args, **kwargs)
        grant = self.grant_types.get("authorization_code")
        if grant is not None:
            grant._code_challenge_methods = {"S256": code_challenge_method_s256}


class PlazaOAuth2Validator(OAuth2Validator):
    """Scope rules of Mastodon: requested scopes must be known and allowed by the app."""

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        requested = scope_rules.parse(" ".join(scopes))
        if scope_rules.unknown(requested):
            return False
        registered = scope_rules.parse(getattr(client, "scopes", "read"))
        return all(scope_rules.covers(registered, s) for s in requested)

    def get_default_scopes(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> list[str]:
        return ["read"]


class JsonOAuthBodyMiddleware:
    """Let token and revoke requests come as JSON: turn the JSON body into form data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and request.path in JSON_BODY_PATHS
            and request.content_type == "application/json"
        ):
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                return JsonResponse(
                    {"error": "invalid_request", "error_description": "Malformed JSON"}, status=400
                )
            if not isinstance(data, dict):
                return JsonResponse(
                    {"error": "invalid_request", "error_description": "Expected a JSON object"},
                    status=400,
                )
            form = QueryDict(mutable=True)
            for key, value in data.items():
                if isinstance(value, list):
                    form.setlist(key, [str(v) for v in value])
                elif value is not None:
                    form[key] = (
                        value
                        if isinstance(value, str)
                        else json.dumps(value)
                        if isinstance(value, dict)
                        else str(value)
                    )
            request.POST = form  # type: ignore[assignment]
            # oauthlib reads the urlencoded body too; keep it consistent with POST.
            request._body = form.urlencode().encode()
            request.META["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        response = self.get_response(request)
        if request.path.startswith("/oauth/") or _is_oauth_login(request):
            # A client's log-in popup must keep its opener (Phanpy, Elk): no COOP isolation.
            response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response


class ApiTrailingSlashMiddleware:
    """Answer ``/api/v1/instance/`` like ``/api/v1/instance``, as Mastodon (Rails) does.

    Mastodon.py requests some paths with a trailing slash; a 404 there sends its version
    check into endless recursion. Plaza's native API (``/api/plaza/``) has its own routes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if len(path) > 1 and path.endswith("/") and path.startswith(("/api/v1/", "/api/v2/")):
            request.path_info = path.rstrip("/")
            request.path = request.path[: len(request.path) - (len(path) - len(request.path_info))]
        return self.get_response(request)


def _is_oauth_login(request: HttpRequest) -> bool:
    return request.path == "/login" and "/oauth/authorize" in request.GET.get("next", "")


# What each scope lets an application do, in words for the consent page:
# (scope prefix, icon, title, detail, sensitive).
_SCOPE_WORDS: tuple[tuple[str, str, str, str, bool], ...] = (
    (
        "read",
        "eye",
        "Read your account",
        "Your timelines, profile, follows, lists, "
        "notifications and bookmarks, and posts you can see",
        False,
    ),
    (
        "write",
        "compose",
        "Act for you",
        "Post, edit and delete, like and reshare, upload media, change your profile and settings",
        True,
    ),
    ("follow", "users", "Manage relationships", "Follow, unfollow, block and mute", True),
    (
        "push",
        "bell",
        "Send you notifications",
        "Receive push notifications for your account",
        False,
    ),
    ("profile", "user", "See your profile", "Only your basic profile information", False),
    ("admin:read", "settings", "Read moderation data", "Reports and accounts on this server", True),
    ("admin:write", "alert", "Moderate this server", "Act on reports and accounts", True),
)


def describe_scopes(scopes: list[str]) -> list[dict[str, Any]]:
    """The consent page's list: one entry per top-level area, granular scopes named under
    it (``read:statuses`` → "Read your account: statuses")."""
    items: list[dict[str, Any]] = []
    requested = sorted(set(scopes))
    for prefix, icon, title, detail, sensitive in _SCOPE_WORDS:
        whole = prefix in requested
        parts = [
            s[len(prefix) + 1 :]
            for s in requested
            if s.startswith(prefix + ":") and s.count(":") == prefix.count(":") + 1
        ]
        if not whole and not parts:
            continue
        items.append(
            {
                "scope": prefix,
                "icon": icon,
                "title": title,
                "detail": detail
                if whole
                else "Only: " + ", ".join(p.replace("_", " ") for p in parts),
                "sensitive": sensitive,
                "scopes": [prefix] if whole else [f"{prefix}:{p}" for p in parts],
            }
        )
    return items


FRESH_LOGIN_SECONDS = 120


def _just_logged_in(request: HttpRequest) -> bool:
    """Whether the person logged in moments ago (so ``force_login`` is already satisfied:
    an anonymous visitor is sent to log in first, then comes back with the same URL)."""
    logged_in_at = request.session.get(LOGGED_IN_AT_KEY)
    return logged_in_at is not None and time.time() - float(logged_in_at) < FRESH_LOGIN_SECONDS


class AuthorizeView(oauth_views.AuthorizationView):
    """The consent page, with Mastodon's ``force_login`` and the out-of-band code page."""

    template_name = "mastodon/authorize.html"
    server_class = PlazaOAuthServer

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("force_login") in ("true", "1", "True") and not _just_logged_in(request):
            # Log out, then come back here (without force_login) after logging in again.
            query = {k: v for k, v in request.GET.items() if k != "force_login"}
            logout(request)
            target = f"{request.path}?{urlencode(query)}"
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
        if "+" in request.GET.get("scope", ""):
            # Some clients join scopes with a literal "+"; oauthlib splits on spaces only.
            params = request.GET.copy()
            params["scope"] = " ".join(sorted(scope_rules.parse(request.GET["scope"])))
            request.GET = params  # type: ignore[assignment]
            request.META["QUERY_STRING"] = params.urlencode()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["scope_items"] = describe_scopes(list(kwargs.get("scopes") or []))
        redirect_uri = str(kwargs.get("redirect_uri") or "")
        context["redirect_host"] = (
            "" if redirect_uri.startswith(OOB_REDIRECT_URI) else urlsplit(redirect_uri).netloc
        )
        return context

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        if redirect_to.startswith(OOB_REDIRECT_URI):
            params = parse_qs(urlsplit(redirect_to).query)
            code = (params.get("code") or [""])[0]
            error = (params.get("error") or [""])[0]
            return render(
                self.request,
                "mastodon/oob.html",
                {"code": code, "error": error, "application": application},
                status=200 if code else 400,
            )
        return super().redirect(redirect_to, application)


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(oauth_views.TokenView):
    """``POST /oauth/token``: errors in the OAuth shape (``error``, ``error_description``),
    and Mastodon's ``created_at`` (epoch seconds) in every token response."""

    server_class = PlazaOAuthServer

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = super().post(request, *args, **kwargs)
        except Exception:  # never a 500 for a token request, whatever oauthlib trips over
            log.exception("token request failed")
            return JsonResponse(
                {"error": "invalid_request", "error_description": "Malformed token request"},
                status=400,
            )
        if response.status_code == 200:
            try:
                body = json.loads(response.content)
            except ValueError:
                return response
            if isinstance(body, dict) and "access_token" in body:
                body.setdefault("created_at", int(time.time()))
                response.content = json.dumps(body).encode()
        return response


@method_decorator(csrf_exempt, name="dispatch")
class RevokeView(oauth_views.RevokeTokenView):
    """``POST /oauth/revoke``: 200 ``{}`` for a well-formed request (RFC 7009; Mastodon
    answers an empty object), OAuth errors as JSON."""

    server_class = PlazaOAuthServer

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = super().post(request, *args, **kwargs)
        except Exception:
            log.exception("revoke request failed")
            return JsonResponse(
                {"error": "invalid_request", "error_description": "Malformed revoke request"},
                status=400,
            )
        if response.status_code == 200 and not response.content.strip():
            return JsonResponse({})
        return response
