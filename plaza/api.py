"""Plaza's native API: django-ninja under ``/api/plaza/v1/``, documented by its OpenAPI schema.

It speaks for what Mastodon has no words for (connections, organizations...) and reaches every
capability of the web UI. Each app has a router in its own ``api.py``; this module holds what
they share:

- :class:`TokenAuth` — the same OAuth bearer tokens as the Mastodon API
  (:func:`mastodon.api.authenticate`), with Mastodon's scopes: ``read:<area>`` for reads,
  ``write:<area>`` for changes (``read``/``write`` cover every area).
- errors, always ``{"error": "..."}``: no or bad token 401, a scope the token lacks 403,
  :class:`plaza.errors.ActionError` and subclasses with their own status (422/403/404),
  input that does not match the schema 422.
- small helpers: :func:`viewer_of`, :func:`parse_id`, :func:`page_key`, :data:`ERRORS`.

The docs page (Swagger UI) is served from the ``swagger-ui-dist`` npm package installed at
set-up time (``/static/vendor/...``): nothing is loaded from a CDN.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils.html import escape, json_script
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import field_validator

from accounts.models import Account
from mastodon import scopes as scope_rules
from mastodon.api import authenticate
from plaza.errors import ActionError, NotFound

API_PREFIX = "/api/plaza/v1/"
MAX_ID = 2**63 - 1
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ErrorOut(Schema):
    """Every error the API answers: a sentence meant for people."""

    error: str


# The error statuses every operation may answer; documented so clients (and the schema
# checks in the tests) know the shape of each.
ERRORS: dict[frozenset[int], type[Schema]] = {frozenset({400, 401, 403, 404, 422}): ErrorOut}


class InputSchema(Schema):
    """Base of request bodies: strings must be storable text (no NUL, no lone surrogates)."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                if "\x00" in text:
                    raise ValueError("must not contain NUL characters")
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError("must be valid Unicode text")
        return value


# --- authentication -------------------------------------------------------------------------


class Anonymous:
    """``request.auth`` on an optional-auth operation called without a token (truthy, so
    ninja accepts it as authenticated)."""

    user = None
    scope = ""


ANONYMOUS = Anonymous()


class TokenAuth(HttpBearer):
    """Bearer token auth with Mastodon scopes for one ``area`` (``statuses``, ``follows``...).

    Reads need ``read:<area>``, changes ``write:<area>``. With ``optional=True`` a request
    without any token goes through as :data:`ANONYMOUS` (public reads); a token that is
    present but wrong is still a 401.
    """

    def __init__(self, area: str, *, optional: bool = False) -> None:
        super().__init__()
        self.area = area
        self.optional = optional

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if not header:
            return ANONYMOUS if self.optional else None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            raise AuthenticationError()
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = authenticate(token)
        if found is None:
            raise AuthenticationError()
        user = found.user
        if user is None or not hasattr(user, "account"):
            # App-only tokens (client_credentials) have nobody to act as.
            raise HttpError(403, "This method requires a token of a user")
        if not user.is_active:
            raise HttpError(403, "Your login is currently disabled")
        required = f"{'read' if request.method in SAFE_METHODS else 'write'}:{self.area}"
        if not scope_rules.covers(scope_rules.parse(found.scope), required):
            raise HttpError(403, f"This action is outside the authorized scopes ({required})")
        return found


def viewer_of(request: HttpRequest) -> Account | None:
    """The account calling (None on an anonymous public read)."""
    token = getattr(request, "auth", None)
    user = getattr(token, "user", None)
    return getattr(user, "account", None) if user is not None else None


def account_of(request: HttpRequest) -> Account:
    """The account calling an operation that requires a user token."""
    account = viewer_of(request)
    if account is None:  # only reachable if an operation forgot its auth
        raise AuthenticationError()
    return account


_DIGITS = re.compile(r"^[0-9]{1,19}$")


def parse_id(value: str | int, *, what: str = "record") -> int:
    """An id from a path: a string of digits. Anything else cannot name a record: 404."""
    text = str(value)
    if not _DIGITS.match(text) or int(text) > MAX_ID:
        raise NotFound(f"No such {what}.")
    return int(text)


def page_key(value: str | None, name: str = "max_id") -> int | None:
    """A keyset page key from the query string; a malformed one is a 422."""
    if value is None or value == "":
        return None
    if not _DIGITS.match(value) or int(value) > MAX_ID:
        raise ActionError(f"{name} must be an id (a string of digits).", field=name)
    return int(value)


# --- request bodies -------------------------------------------------------------------------


class BodyParser(Parser):
    """JSON bodies, and for POST also form bodies (``key=value``, ``key[]=a&key[]=b``): many
    clients send forms, and a bodiless POST from a form library must not be a parse error."""

    def parse_body(self, request: HttpRequest) -> Any:
        if request.method == "POST" and request.content_type in FORM_TYPES:
            return {
                key.removesuffix("[]"): values if key.endswith("[]") else values[-1]
                for key, values in request.POST.lists()
            }
        return super().parse_body(request)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


# --- docs -----------------------------------------------------------------------------------


class OfflineSwagger(DocsBase):
    """Swagger UI from the ``swagger-ui-dist`` npm package served under ``/static/vendor/``."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "dom_id": "#swagger-ui",
            "deepLinking": True,
            "layout": "BaseLayout",
            "persistAuthorization": True,
        }
        css = static("vendor/swagger-ui-dist/swagger-ui.css")
        bundle = static("vendor/swagger-ui-dist/swagger-ui-bundle.js")
        # The settings travel as JSON in a data element (json_script), never inside code.
        html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(api.title)} — API documentation</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui"></div>
{json_script(settings, "swagger-settings")}
<script src="{bundle}"></script>
<script>
const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
window.ui = SwaggerUIBundle(settings);
</script>
</body>
</html>
"""
        return HttpResponse(html)


# --- the API --------------------------------------------------------------------------------

api = NinjaAPI(
    title="Plaza API",
    version="1",
    description=(
        "Plaza's native API. Authenticate with the same OAuth 2 bearer tokens as the "
        "Mastodon-compatible API (`Authorization: Bearer <token>`); reads need a `read` "
        "scope and changes a `write` scope (or their granular forms such as `read:follows`). "
        "Ids are strings of digits; lists are keyset-paginated with `max_id` and `limit` and "
        'answer `next_max_id` (null on the last page). Errors are `{"error": "..."}`.'
    ),
    urls_namespace="plaza-api",
    docs=OfflineSwagger(),
    parser=BodyParser(),
    docs_url="/docs",
)


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"error": message}, status=status)


@api.exception_handler(ActionError)
def _action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    response = _error(request, exc.message, exc.status)
    # Rate limits (plaza.ratelimit) say when to come back: X-RateLimit-* headers.
    for header, value in getattr(exc, "headers", {}).items():
        response[header] = value
    return response


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # ninja raises a bare AuthenticationError when no token came at all.
    response = _error(request, "The access token is missing or invalid", 401)
    response["WWW-Authenticate"] = 'Bearer realm="Plaza"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, str(exc), exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, str(exc) or "Not found.", 404)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        message = "; ".join(
            f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
        )
    else:
        message = " ".join(exc.messages)
    return _error(request, message, 422)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    parts = []
    for item in exc.errors[:5]:
        # loc is ("body", "payload", "text") or ("query", "limit"): keep the field's name.
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "form")]
        loc = [p for p in loc if p != "payload"]
        name = ".".join(loc) or "input"
        parts.append(f"{name}: {item.get('msg', 'invalid')}")
    return _error(request, "; ".join(parts) or "Invalid input.", 422)


# Routers import the helpers above, so they are imported (and mounted) after them.
from accounts.api import router as accounts_router  # noqa: E402
from feeds.api import router as feeds_router  # noqa: E402
from filters.api import router as filters_router  # noqa: E402
from groups.api import router as groups_router  # noqa: E402
from lists.api import router as lists_router  # noqa: E402
from messaging.api import router as messaging_router  # noqa: E402
from moderation.api import router as moderation_router  # noqa: E402
from network.api import router as network_router  # noqa: E402
from notifications.api import router as notifications_router  # noqa: E402
from posts.api import router as posts_router  # noqa: E402
from search.api import router as search_router  # noqa: E402

api.add_router("", accounts_router, tags=["accounts"])
api.add_router("", network_router, tags=["network"])
api.add_router("", posts_router, tags=["posts"])
api.add_router("", feeds_router, tags=["feeds"])
api.add_router("", notifications_router, tags=["notifications"])
api.add_router("", search_router, tags=["search"])
api.add_router("", messaging_router, tags=["messages"])
api.add_router("", moderation_router, tags=["moderation"])
api.add_router("", groups_router, tags=["groups"])
api.add_router("", filters_router, tags=["filters"])
api.add_router("", lists_router, tags=["lists"])
