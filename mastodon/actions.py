"""Writes for API clients: registering applications and issuing tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, get_access_token_model, set_token_value

from accounts.models import User
from mastodon import scopes as scope_rules
from mastodon.models import Application
from plaza.errors import ActionError


def _check_scopes(scopes: str) -> set[str]:
    parsed = scope_rules.parse(scopes)
    bad = scope_rules.unknown(parsed)
    if bad:
        raise ActionError(f"Unknown scope: {', '.join(sorted(bad))}", field="scopes")
    return parsed or {"read"}


def register_app(
    *,
    name: str,
    redirect_uris: Iterable[str],
    scopes: str = "read",
    website: str = "",
    client_id: str | None = None,
    client_secret: str | None = None,
) -> tuple[Application, str]:
    """Register an API client. Returns the application and its secret in clear (the stored
    secret is hashed, so this is the only time it can be shown)."""
    name = name.strip()
    if not name:
        raise ActionError("client_name can't be blank", field="client_name")
    if len(name) > 255:
        raise ActionError("client_name is too long", field="client_name")
    uris = [u.strip() for u in redirect_uris if u.strip()]
    if not uris:
        raise ActionError("redirect_uris can't be blank", field="redirect_uris")
    for uri in uris:
        scheme, sep, rest = uri.partition(":")
        if not sep or not scheme or not rest or any(c.isspace() for c in uri):
            raise ActionError(
                f"redirect_uris must be absolute URIs: {uri!r}", field="redirect_uris"
            )
    parsed = _check_scopes(scopes)
    secret = client_secret or secrets.token_urlsafe(32)
    app = Application(
        name=name,
        redirect_uris=" ".join(uris),
        scopes=" ".join(sorted(parsed)),
        website=website[:500],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=False,
    )
    if client_id:
        app.client_id = client_id
    app.save()
    return app, secret


def issue_token(
    user: User | None,
    application: Application,
    *,
    scopes: str,
    token: str | None = None,
    expires_in: dt.timedelta | None = None,
) -> tuple[AccessToken, str]:
    """Issue an access token without a browser (admin commands, tests). Returns the token
    row and the token in clear."""
    parsed = _check_scopes(scopes)
    registered = scope_rules.parse(application.scopes)
    outside = {s for s in parsed if not scope_rules.covers(registered, s)}
    if outside:
        raise ActionError(
            f"Scopes not registered for this application: {', '.join(sorted(outside))}",
            field="scopes",
        )
    raw = token or secrets.token_urlsafe(32)
    lifetime = int(str(settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"]))
    expires = timezone.now() + (expires_in or dt.timedelta(seconds=lifetime))
    model = get_access_token_model()
    with transaction.atomic():
        row = model(
            user=user, application=application, scope=" ".join(sorted(parsed)), expires=expires
        )
        set_token_value(row, raw)
        row.save()
    return row, raw
