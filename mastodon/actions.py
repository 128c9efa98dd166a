"""Writes for API clients: registering applications, issuing tokens, signing up through an app."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, get_access_token_model, set_token_value

from accounts import actions as account_actions
from accounts.models import Account, User
from mastodon import scopes as scope_rules
from mastodon.models import Application
from plaza.errors import ActionError


def _check_scopes(scopes: str) -> set[str]:
    parsed = scope_rules.parse(scopes)
    bad = scope_rules.unknown(parsed)
    if bad:
        raise ActionError(f"Unknown scope: {', '.join(sorted(bad))}", field="scopes")
    return parsed or {"read"}


def _clean_app_fields(
    name: str, redirect_uris: Iterable[str], scopes: str, website: str
) -> tuple[str, list[str], set[str], str]:
    name = name.strip()
    if not name:
        raise ActionError("client_name can't be blank", field="client_name")
    if len(name) > 255:
        raise ActionError("client_name is too long (at most 255 characters)", field="client_name")
    uris = [u.strip() for u in redirect_uris if u.strip()]
    if not uris:
        raise ActionError("redirect_uris can't be blank", field="redirect_uris")
    for uri in uris:
        scheme, sep, rest = uri.partition(":")
        if not sep or not scheme or not rest or any(c.isspace() for c in uri) or "#" in uri:
            raise ActionError(
                f"redirect_uris must be absolute URIs without a fragment: {uri!r}",
                field="redirect_uris",
            )
    if len(" ".join(uris)) > 2000:
        raise ActionError("redirect_uris are too long", field="redirect_uris")
    parsed = _check_scopes(scopes)
    website = website.strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            raise ActionError("website must be an http(s) URL", field="website")
        if len(website) > 500:
            raise ActionError("website is too long (at most 500 characters)", field="website")
    return name, uris, parsed, website


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
    name, uris, parsed, website = _clean_app_fields(name, redirect_uris, scopes, website)
    if client_id is not None and (
        not client_id.strip() or len(client_id) > 100 or any(c.isspace() for c in client_id)
    ):
        raise ActionError("client_id must be 1-100 characters without spaces", field="client_id")
    if client_id and Application.objects.filter(client_id=client_id).exists():
        raise ActionError("An application with this client_id exists", field="client_id")
    secret = client_secret or secrets.token_urlsafe(32)
    app = Application(
        name=name,
        redirect_uris=" ".join(uris),
        scopes=" ".join(sorted(parsed)),
        website=website,
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


def update_app(
    app: Application,
    *,
    name: str,
    redirect_uris: Iterable[str],
    scopes: str = "read",
    website: str = "",
    client_secret: str | None = None,
) -> Application:
    """Change a registered client (admin command). A new ``client_secret`` replaces the old
    one; without it the secret stays as it is."""
    name, uris, parsed, website = _clean_app_fields(name, redirect_uris, scopes, website)
    app.name = name
    app.redirect_uris = " ".join(uris)
    app.scopes = " ".join(sorted(parsed))
    app.website = website
    if client_secret:
        app.client_secret = client_secret  # hashed again on save (hash_client_secret)
        app.hash_client_secret = True
    app.save()
    return app


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
    if token is not None and (not token.strip() or len(token) > 255 or token != token.strip()):
        raise ActionError("The token must be 1-255 characters without spaces", field="token")
    lifetime = int(str(settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"]))
    expires = timezone.now() + (expires_in or dt.timedelta(seconds=lifetime))
    model = get_access_token_model()
    with transaction.atomic():
        if token is not None:
            # An operator-chosen value (fixed test tokens): issuing it again replaces it.
            checksum = hashlib.sha256(raw.encode()).hexdigest()
            model.objects.filter(token_checksum=checksum).delete()
        row = model(
            user=user, application=application, scope=" ".join(sorted(parsed)), expires=expires
        )
        set_token_value(row, raw)
        row.save()
    row._plaza_raw = raw
    return row, raw


def token_entity(token: AccessToken) -> dict[str, Any]:
    """Mastodon's Token entity for a token issued without the token endpoint (registration).
    The raw value must be on ``token._plaza_raw`` (set by :func:`issue_token`)."""
    return {
        "access_token": getattr(token, "_plaza_raw", token.token),
        "token_type": "Bearer",
        "scope": token.scope,
        "created_at": int(token.created.timestamp()),
    }


def sign_up_with_app(
    application: Application,
    *,
    username: str,
    email: str,
    password: str,
    locale: str = "",
    reason: str = "",
) -> tuple[Account, AccessToken]:
    """Register a person on behalf of an app (``POST /api/v1/accounts``) and issue them a
    token with the app's scopes. Validation is :func:`accounts.actions.register`'s; on any
    error nothing is written. ``locale`` and ``reason`` are accepted for Mastodon
    compatibility (Plaza has neither localized mail nor approval-based sign-up)."""
    with transaction.atomic():
        account = account_actions.register(username=username, email=email, password=password)
        token, raw = issue_token(account.user, application, scopes=application.scopes)
    token._plaza_raw = raw
    return account, token


def create_user(
    *,
    username: str,
    email: str,
    password: str | None = None,
    admin: bool = False,
    locked: bool = False,
    check_password: bool = True,
) -> tuple[Account, str]:
    """Create a person from the command line (``manage.py plaza_user create``). Returns the
    account and the password in clear (generated when ``password`` is None).

    Username and email go through :func:`accounts.actions.register`'s rules; the password
    too unless ``check_password`` is False (automation that needs a fixed, weak password on
    a test server). ``admin`` makes the login staff and superuser (the Django admin)."""
    generated = password is None
    raw = password if password is not None else secrets.token_urlsafe(18)
    if not generated and not raw:
        raise ValidationError({"password": ["The password can't be blank."]})
    with transaction.atomic():
        account = account_actions.register(
            username=username,
            email=email,
            # A placeholder that passes the validators; the real one is set below.
            password=raw if check_password or generated else secrets.token_urlsafe(24),
        )
        user = account.user
        if not check_password and not generated:
            user.set_password(raw)
        if admin:
            user.is_staff = True
            user.is_superuser = True
        user.save()
        if locked:
            account_actions.update_settings(account, locked=True)
    return account, raw
