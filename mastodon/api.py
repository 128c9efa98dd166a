"""The plumbing every Mastodon API endpoint shares: token auth, scopes, input, errors, paging.

An endpoint is a plain function decorated with :func:`endpoint`::

    @endpoint("GET", scope="read:statuses", auth="optional")
    def status(request: ApiRequest, status_id: str) -> Any:
        post = get_post_for(request.account, status_id)
        return entities.status(request.account, post)

It returns JSON-able data (or an ``HttpResponse``); :class:`plaza.errors.ActionError` and its
subclasses become ``{"error": message}`` with their status, a missing object a 404, malformed
input a 400 or 422 — never a 500.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_access_token_model

from accounts.models import Account
from mastodon import scopes as scope_rules
from plaza import rows
from plaza.errors import ActionError
from plaza.ids import is_digits

Auth = Literal["user", "optional", "app", "none"]
MAX_ID = 2**63 - 1
# Compact output without the cycle check (entities are plain trees): a page of 40 statuses
# is ~100 kB of JSON, and this is a fifth less time encoding it.
JSON_DUMPS: dict[str, Any] = {
    "ensure_ascii": False,
    "separators": (",", ":"),
    "check_circular": False,
}


class ApiRequest(HttpRequest):
    """What an endpoint receives: the request plus who is calling and what they sent."""

    account: Account | None
    token: Any
    data: InputData


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with ``status``."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


class InputData:
    """Parameters from the query string, a form, a multipart body or JSON, read one way.

    Clients send arrays as ``media_ids[]=1&media_ids[]=2`` (forms) or JSON lists, and
    booleans as ``true``/``1``/``on``; the getters normalise all of these.
    """

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> None:
        self._values = values
        self.files = files or {}

    @classmethod
    def from_request(cls, request: HttpRequest) -> InputData:
        merged: dict[str, Any] = {}
        for key, values in request.GET.lists():
            merged[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
        # Rails reads a JSON body on any method; Mastodon.py sends one with some GETs
        # (familiar_followers), so a GET's JSON body counts too.
        json_get = request.method == "GET" and request.content_type == "application/json"
        if request.method in ("POST", "PUT", "PATCH", "DELETE") or json_get:
            if request.content_type == "application/json":
                try:
                    body = json.loads(request.body or b"{}")
                except ValueError:
                    raise ApiError("Malformed JSON body", 400)
                if not isinstance(body, dict):
                    raise ApiError("Expected a JSON object", 400)
                merged.update(body)
            else:
                if request.method != "POST":
                    # Django only parses POST bodies; PUT/PATCH forms are read here.
                    request.method, original = "POST", request.method
                    try:
                        form, files = request.POST, request.FILES
                    finally:
                        request.method = original
                else:
                    form, files = request.POST, request.FILES
                for key, values in form.lists():
                    merged[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
                return cls(merged, files)
        return cls(merged, request.FILES if request.method == "POST" else None)

    def raw(self, key: str) -> Any:
        """The value as sent (string, list or nested object), for parameters with their own
        shape such as ``fields_attributes``."""
        return self._raw(key)

    def _raw(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        return self._values.get(f"{key}[]")

    def has(self, key: str) -> bool:
        return key in self._values or f"{key}[]" in self._values

    def string(
        self, key: str, default: str | None = None, *, max_length: int | None = None
    ) -> str | None:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, list):
            value = value[0] if value else ""
        if not isinstance(value, (str, int, float)):
            raise ApiError(f"{key} must be a string", 422)
        text = str(value)
        if max_length is not None and len(text) > max_length:
            raise ApiError(f"{key} is too long (at most {max_length} characters)", 422)
        return text

    def boolean(self, key: str, default: bool | None = None) -> bool | None:
        value = self._raw(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "on", "yes"):
            return True
        if text in ("false", "0", "off", "no"):
            return False
        raise ApiError(f"{key} must be a boolean", 422)

    def integer(
        self,
        key: str,
        default: int | None = None,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self._raw(key)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ApiError(f"{key} must be an integer", 422)
        if minimum is not None and number < minimum:
            number = minimum
        if maximum is not None and number > maximum:
            number = maximum
        return number

    def identifier(self, key: str) -> int | None:
        """An id parameter; ids travel as strings of digits."""
        value = self._raw(key)
        if value is None or value == "":
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ApiError(f"{key} must be an id", 422)
        if number < 0:
            raise ApiError(f"{key} must be an id", 422)
        # Ids are signed 64-bit in the database; anything larger is past every id there is.
        return min(number, MAX_ID)

    def array(self, key: str) -> list[str]:
        value = self._raw(key)
        if value is None:
            return []
        if isinstance(value, list):
            return [str(v) for v in value]
        if isinstance(value, dict):  # form arrays like media_ids[0]=...
            return [str(v) for v in value.values()]
        return [str(value)]

    def nested(self, key: str) -> InputData | None:
        """A nested object read like the top level: JSON ``{"poll": {"options": [...]}}`` or
        form ``poll[options][]=...&poll[expires_in]=300``; None when absent. Any other value
        (a plain string) is a 422."""
        value = self._values.get(key)
        if isinstance(value, dict):
            return InputData(value)
        if value not in (None, ""):
            raise ApiError(f"{key} must be an object", 422)
        prefix = f"{key}["
        inner = {
            name[len(prefix) :].replace("]", "", 1): v
            for name, v in self._values.items()
            if name.startswith(prefix)
        }
        return InputData(inner) if inner else None

    def object(self, key: str) -> dict[str, Any]:
        """A nested object: JSON ``{"a": 1}`` or form ``key[a]=1``."""
        value = self._values.get(key)
        if isinstance(value, dict):
            return value
        prefix = f"{key}["
        nested: dict[str, Any] = {}
        for name, v in self._values.items():
            if name.startswith(prefix) and name.endswith("]"):
                nested[name[len(prefix) : -1]] = v
        return nested


def _bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def authenticate(raw_token: str | None) -> Any:
    """The live access token for ``raw_token`` (with user, account and app loaded), or None."""
    if not raw_token:
        return None
    checksum = hashlib.sha256(raw_token.encode()).hexdigest()
    token = _TokenLookup.fetch(checksum)
    if token is None or (token.expires is not None and token.expires <= timezone.now()):
        return None
    return token


class _TokenLookup:
    """``AccessToken.objects.select_related("user__account", "application")
    .get(token_checksum=...)`` as one hand-written, parametrised statement.

    Every API request looks its token up. The ORM spent ~0.4 ms compiling the four-table
    join and ~0.5 ms building the objects, ten times what the database spent. The statement
    is written once per database vendor from the models' tables and columns and read with
    :func:`plaza.rows.fetch`; the related objects are attached through their descriptors, so
    the token comes back with ``user``, ``user.account`` and ``application`` loaded as
    ``select_related`` loads them (no query when they are read).
    """

    _by_vendor: dict[str, str] = {}

    @classmethod
    def _sql(cls) -> str:
        connection = connections[DEFAULT_DB_ALIAS]
        sql = cls._by_vendor.get(connection.vendor)
        if sql is not None:
            return sql
        Token = get_access_token_model()
        user_field = Token._meta.get_field("user")
        app_field = Token._meta.get_field("application")
        User, Application = user_field.related_model, app_field.related_model
        account_field = Account._meta.get_field("user")
        q = connection.ops.quote_name

        def col(alias: str, column: str) -> str:
            return f"{q(alias)}.{q(column)}"

        user_pk, app_pk = User._meta.pk.column, Application._meta.pk.column
        # LEFT joins, as select_related makes them: app-only tokens have no user, and a
        # user may have no account.
        tables = [
            (Token, "t", ""),
            (User, "u", f"{col('u', user_pk)} = {col('t', user_field.column)}"),
            (Account, "a", f"{col('a', account_field.column)} = {col('u', user_pk)}"),
            (Application, "p", f"{col('p', app_pk)} = {col('t', app_field.column)}"),
        ]
        joins = [f"{q(Token._meta.db_table)} {q('t')}"]
        for model, alias, on in tables[1:]:
            joins.append(f"LEFT OUTER JOIN {q(model._meta.db_table)} {q(alias)} ON {on}")
        selected = ", ".join(rows.columns(model, q(alias)) for model, alias, _ in tables)
        checksum = Token._meta.get_field("token_checksum").column
        sql = f"SELECT {selected} FROM {' '.join(joins)} WHERE {col('t', checksum)} = %s"
        cls._by_vendor[connection.vendor] = sql
        return sql

    @classmethod
    def fetch(cls, checksum: str) -> Any:
        Token = get_access_token_model()
        User = Token._meta.get_field("user").related_model
        Application = Token._meta.get_field("application").related_model
        found = rows.fetch(cls._sql(), [checksum], Token, User, Account, Application)
        if not found:
            return None
        token, user, account, application = found[0]
        # Assigning through the descriptors caches the related objects both ways (the
        # one-to-one sets ``user.account`` too), as select_related does.
        token.user = user
        token.application = application
        if account is not None:
            account.user = user
        elif user is not None:
            # No account: remember that, so ``hasattr(user, "account")`` asks nothing.
            Account._meta.get_field("user").remote_field.set_cached_value(user, None)
        return token


def endpoint(
    *methods: str,
    scope: str | None = None,
    auth: Auth = "user",
) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """Make ``view`` a Mastodon API endpoint (see the module docstring).

    ``auth``: "user" needs a user token, "app" any valid token (app or user), "optional"
    reads the token when there is one, "none" ignores it. ``scope`` is checked whenever a
    token is present.
    """

    allowed = {m.upper() for m in methods} or {"GET"}

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = error("Method not allowed", 405)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            api_request: ApiRequest = request  # type: ignore[assignment]
            raw = _bearer(request)
            token = authenticate(raw) if auth != "none" else None
            if raw and token is None and auth != "none":
                return error("The access token is invalid", 401)
            if auth in ("user", "app") and token is None:
                return error("The access token is invalid", 401)
            if auth == "user" and (
                token is None or token.user is None or not hasattr(token.user, "account")
            ):
                return error("This method requires an authenticated user", 422)
            if token is not None and scope is not None:
                granted = scope_rules.parse(token.scope)
                if not scope_rules.covers(granted, scope):
                    return error("This action is outside the authorized scopes", 403)
            if token is not None and token.user is not None and not token.user.is_active:
                return error("Your login is currently disabled", 403)
            api_request.token = token
            api_request.account = (
                getattr(token.user, "account", None) if token and token.user else None
            )
            try:
                api_request.data = InputData.from_request(request)
                result = view(api_request, *args, **kwargs)
            except ApiError as exc:
                return error(exc.message, exc.status)
            except ActionError as exc:
                response = error(exc.message, exc.status)
                # Rate limits (plaza.ratelimit) say when to come back: X-RateLimit-* headers.
                for header, value in getattr(exc, "headers", {}).items():
                    response[header] = value
                return response
            except Http404:
                return error("Record not found", 404)
            except ValidationError as exc:
                return error("; ".join(exc.messages), 422)
            if isinstance(result, HttpResponse):
                return result
            return JsonResponse(result, safe=False, json_dumps_params=JSON_DUMPS)

        return wrapper

    return decorate


def by_method(**handlers: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """One URL, one endpoint per HTTP method (each with its own scope)."""

    @csrf_exempt
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = handlers.get((request.method or "GET").lower())
        if handler is None:
            response = error("Method not allowed", 405)
            response["Allow"] = ", ".join(sorted(m.upper() for m in handlers))
            return response
        return handler(request, *args, **kwargs)

    return view


# --- paging -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paging:
    max_id: int | None
    since_id: int | None
    min_id: int | None
    limit: int


def paging(request: ApiRequest, *, default: int = 20, maximum: int = 40) -> Paging:
    """``max_id``/``since_id``/``min_id``/``limit`` from the query string, checked."""
    data = request.data
    return Paging(
        max_id=data.identifier("max_id"),
        since_id=data.identifier("since_id"),
        min_id=data.identifier("min_id"),
        limit=data.integer("limit", default, minimum=1, maximum=maximum) or default,
    )


def with_link_header(
    request: HttpRequest,
    response_data: Any,
    *,
    next_max_id: int | str | None,
    prev_min_id: int | str | None,
    extra: Mapping[str, str] | None = None,
) -> JsonResponse:
    """A JSON response with Mastodon's ``Link: <…>; rel="next", <…>; rel="prev"`` header."""
    response = JsonResponse(response_data, safe=False, json_dumps_params=JSON_DUMPS)
    links: list[str] = []
    base = absolute_url(request.path)
    params: QueryDict = request.GET.copy()
    for key in ("max_id", "since_id", "min_id"):
        params.pop(key, None)
    for key, value in (extra or {}).items():
        params[key] = value
    if next_max_id is not None:
        q = params.copy()
        q["max_id"] = str(next_max_id)
        links.append(f'<{base}?{q.urlencode()}>; rel="next"')
    if prev_min_id is not None:
        q = params.copy()
        q["min_id"] = str(prev_min_id)
        links.append(f'<{base}?{q.urlencode()}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    return response


_public_base: tuple[Any, str] = (None, "")


def absolute_url(path: str) -> str:
    """``path`` on the configured public address (never the internal host name)."""
    global _public_base
    if path.startswith(("http://", "https://")):
        return path
    # Called for every avatar, media file and status link of a page (hundreds a request):
    # read the setting once per settings object instead of through two lazy lookups each time.
    plaza = settings.PLAZA
    if _public_base[0] is not plaza:
        _public_base = (plaza, plaza.public_url.rstrip("/"))
    return _public_base[1] + "/" + path.lstrip("/")


def ids_of(values: Iterable[Any]) -> list[int]:
    """Ids from a list parameter (``id[]``, ``media_ids[]``): ASCII digits within the id
    range, else 422 (a 20-digit number would overflow the database's integers: a 500)."""
    out: list[int] = []
    for v in values:
        text = str(v)
        if not is_digits(text) or len(text) > 19 or int(text) > MAX_ID:
            raise ApiError("ids must be numeric", 422)
        out.append(int(text))
    return out
