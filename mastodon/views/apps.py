"""Mastodon API: registering client applications, and signing up through one.

- ``POST /api/v1/apps`` (no token): an Application entity with its client credentials;
- ``GET /api/v1/apps/verify_credentials`` (any token): the token's application;
- ``POST /api/v1/accounts`` (a token with ``write:accounts``, usually an app token from the
  client-credentials grant): register a person and answer with a Token entity for them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import URLPattern, URLResolver, path

from mastodon import actions
from mastodon.api import ApiError, ApiRequest, by_method, endpoint, error
from mastodon.models import Application
from mastodon.views.accounts import accounts_index
from plaza import ratelimit


def application_entity(app: Application, *, secret: str | None = None) -> dict[str, Any]:
    """Mastodon's Application entity; ``secret`` adds the client credentials (only right
    after registration: the stored secret is hashed)."""
    uris = app.redirect_uris.split()
    data: dict[str, Any] = {
        "id": str(app.pk),
        "name": app.name,
        "website": app.website or None,
        "scopes": sorted(app.scopes.split()),
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }
    if secret is not None:
        data["client_id"] = app.client_id
        data["client_secret"] = secret
        data["client_secret_expires_at"] = 0
    return data


def _redirect_uris(request: ApiRequest) -> list[str]:
    data = request.data
    if not data.has("redirect_uris") and data.has("redirect_uri"):
        raw = data.array("redirect_uri")  # some old clients use the singular name
    else:
        raw = data.array("redirect_uris")
    uris: list[str] = []
    for value in raw:
        uris.extend(value.split())  # one string may hold several, space/newline separated
    return uris


@endpoint("POST", auth="none")
def create_app(request: ApiRequest) -> Any:
    data = request.data
    scopes = data.array("scopes")
    app, secret = actions.register_app(
        name=data.string("client_name", "") or "",
        redirect_uris=_redirect_uris(request),
        scopes=" ".join(scopes) or "read",
        website=data.string("website", "") or "",
    )
    return application_entity(app, secret=secret)


@endpoint("GET", auth="app")
def verify_app_credentials(request: ApiRequest) -> Any:
    return application_entity(request.token.application)


# --- registration -------------------------------------------------------------------------

# Mastodon's machine-readable validation error codes, chosen from our messages' meaning.
_CODE_HINTS = (
    ("taken", "ERR_TAKEN"),
    ("already exists", "ERR_TAKEN"),
    ("reserved", "ERR_RESERVED"),
    ("too short", "ERR_TOO_SHORT"),
    ("too long", "ERR_TOO_LONG"),
    ("at most", "ERR_TOO_LONG"),
)


def _error_code(message: str) -> str:
    lowered = message.lower()
    for hint, code in _CODE_HINTS:
        if hint in lowered:
            return code
    return "ERR_INVALID"


def _validation_failed(details: dict[str, list[tuple[str, str]]]) -> JsonResponse:
    """Mastodon's 422: a readable summary plus ``details`` with a code per field error."""
    summary = ", ".join(
        f"{field.capitalize()} {message}" for field, errs in details.items() for _, message in errs
    )
    body = {
        "error": f"Validation failed: {summary}",
        "details": {
            field: [{"error": code, "description": message} for code, message in errs]
            for field, errs in details.items()
        },
    }
    return JsonResponse(body, status=422)


def registrations_open() -> bool:
    """Whether anyone may sign up (``PLAZA_REGISTRATIONS_OPEN``, open unless configured)."""
    return bool(getattr(settings.PLAZA, "registrations_open", True))


@endpoint("POST", scope="write:accounts", auth="app")
def register_account(request: ApiRequest) -> Any:
    if not registrations_open():
        return error("Registrations are closed on this server", 403)
    data = request.data
    fields = {
        "username": data.string("username", "", max_length=200) or "",
        "email": data.string("email", "", max_length=254) or "",
        "password": data.string("password", "", max_length=1000) or "",
    }
    details: dict[str, list[tuple[str, str]]] = {}
    for name, value in fields.items():
        if not value.strip():
            details[name] = [("ERR_BLANK", "can't be blank")]
    if not data.boolean("agreement", False):
        details["agreement"] = [("ERR_ACCEPTED", "must be accepted")]
    if details:
        return _validation_failed(details)
    ratelimit.hit("signup", request)
    try:
        _account, token = actions.sign_up_with_app(
            request.token.application,
            username=fields["username"],
            email=fields["email"],
            password=fields["password"],
            locale=data.string("locale", "") or "",
            reason=data.string("reason", "", max_length=1000) or "",
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise ApiError("; ".join(exc.messages), 422)
        for name, messages in exc.message_dict.items():
            details[name] = [(_error_code(m), m) for m in messages]
        return _validation_failed(details)
    return actions.token_entity(token)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/apps", create_app),
    path("api/v1/apps/verify_credentials", verify_app_credentials),
    # GET lists accounts by id (accounts module), POST registers a new one.
    path("api/v1/accounts", by_method(get=accounts_index, post=register_account)),
]
