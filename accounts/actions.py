"""The write path for people and organizations: sign-up, profile, settings, password.

Every function validates all of its input first and raises :class:`ValidationError` with a
dict of field errors (``{"username": [...], "email": [...]}``) so that forms and APIs can show
each message next to the field it is about. Nothing is written unless everything is valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction

from accounts.bio import render_bio, render_field_value
from accounts.models import Account, AccountKind, User, Visibility
from accounts.profile_images import process_avatar, process_header
from accounts.queries import available_time_zones
from plaza.errors import ActionError
from plaza.languages import clean_language

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,30}$")
INTEREST_RE = re.compile(r"^[^\W_][\w]{0,49}$")
MAX_INTERESTS = 20
MAX_PROFILE_FIELDS = 4  # as in Mastodon
MAX_FIELD_LENGTH = 255
# Names that would be confusing on a profile URL or impersonate the instance itself.
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "api",
        "about",
        "help",
        "login",
        "logout",
        "moderator",
        "plaza",
        "root",
        "settings",
        "signup",
        "staff",
        "support",
        "system",
    }
)
FieldErrors = dict[str, list[str]]


def register(
    *,
    username: str,
    email: str,
    password: str,
    kind: str = AccountKind.PERSON,
    display_name: str = "",
    time_zone: str = "UTC",
) -> Account:
    """Create a login and its account in one transaction and return the account.

    ``username`` must match ``^[A-Za-z0-9_]{1,30}$`` and be unique ignoring case; ``email``
    must be valid and unique ignoring case; ``password`` must pass the configured Django
    password validators. Raises :class:`ValidationError` with field errors otherwise.
    """
    username = username.strip().lstrip("@")
    email = User.objects.normalize_email(email.strip())
    display_name = display_name.strip()
    errors: FieldErrors = {}

    if not username:
        errors["username"] = ["Choose a username."]
    elif not USERNAME_RE.match(username):
        errors["username"] = [
            "Usernames are up to 30 letters, numbers and underscores (no spaces or dots)."
        ]
    elif username.lower() in RESERVED_USERNAMES:
        errors["username"] = ["That username is reserved. Please choose another."]
    elif Account.objects.filter(username__iexact=username).exists() or (
        User.objects.filter(username__iexact=username).exists()
    ):
        errors["username"] = [f"@{username} is already taken."]

    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = ["An account with this email already exists. Try logging in."]

    if kind not in AccountKind.values:
        errors["kind"] = ["Choose a person or an organization."]
    if len(display_name) > 80:
        errors["display_name"] = ["Display names are at most 80 characters."]
    if time_zone not in available_time_zones():
        time_zone = "UTC"  # a hint from the browser; never worth refusing a sign-up over

    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)

    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, email=email, password=password, time_zone=time_zone
            )
            return Account.objects.create(
                user=user, username=username, kind=kind, display_name=display_name
            )
    except IntegrityError:
        # Two sign-ups raced for the same name or email between the checks and the insert.
        raise ValidationError({"username": [f"@{username} is already taken."]})


def update_profile(
    account: Account,
    *,
    display_name: str | None = None,
    bio: str | None = None,
    location: str | None = None,
    website: str | None = None,
    interests: Iterable[str] | None = None,
    avatar: IO[bytes] | None = None,
    header: IO[bytes] | None = None,
    remove_avatar: bool = False,
    remove_header: bool = False,
    fields: Sequence[tuple[str, str]] | None = None,
    avatar_description: str | None = None,
    header_description: str | None = None,
) -> Account:
    """Change the public profile of ``account``; arguments left as ``None`` stay unchanged.

    ``avatar_description``/``header_description`` are the images' alt text (1,500 characters).
    ``fields`` replaces the profile fields: (name, value) pairs in order, blank pairs
    dropped, at most :data:`MAX_PROFILE_FIELDS`, each part at most 255 characters.

    The bio is stored as typed and rendered once to ``bio_html`` (escaped, URLs linked,
    sanitized with nh3). ``avatar``/``header`` are uploaded files: they are sniffed, checked
    (8 MB, 40 megapixels) and re-encoded without metadata; the avatar is cropped to 400x400
    and the header to at most 1500x500. Old image files are deleted after the commit.
    """
    errors: FieldErrors = {}
    changes: dict[str, Any] = {}

    for field, value, limit in (
        ("display_name", display_name, 80),
        ("bio", bio, 500),
        ("location", location, 100),
        ("avatar_description", avatar_description, 1500),
        ("header_description", header_description, 1500),
    ):
        if value is None:
            continue
        value = value.strip()
        if len(value) > limit:
            errors[field] = [f"Keep this to {limit} characters or fewer (it has {len(value)})."]
        changes[field] = value

    if website is not None:
        website = website.strip()
        if website and not re.match(r"^https?://", website, re.IGNORECASE):
            website = f"https://{website}"
        if website:
            try:
                URLValidator(schemes=["http", "https"])(website)
            except ValidationError:
                errors["website"] = ["Enter a web address like https://example.com."]
            if len(website) > 200:
                errors["website"] = ["Web addresses are at most 200 characters."]
        changes["website"] = website

    if interests is not None:
        try:
            changes["interests"] = normalize_interests(interests)
        except ValidationError as exc:
            errors["interests"] = list(exc.messages)

    if fields is not None:
        try:
            changes["fields"] = clean_profile_fields(fields)
        except ValidationError as exc:
            errors["fields"] = list(exc.messages)

    images: dict[str, Any] = {}
    for field, upload, process in (
        ("avatar", avatar, process_avatar),
        ("header", header, process_header),
    ):
        if upload is None:
            continue
        try:
            images[field] = process(upload, account_id=account.id).content
        except ValidationError as exc:
            errors[field] = list(exc.messages)

    if errors:
        raise ValidationError(errors)

    if "bio" in changes:
        changes["bio_html"] = render_bio(changes["bio"])

    old_files = []
    with transaction.atomic():
        for field, value in changes.items():
            setattr(account, field, value)
        for field, remove, described in (
            ("avatar", remove_avatar, avatar_description is not None),
            ("header", remove_header, header_description is not None),
        ):
            current = getattr(account, field)
            if field in images or (remove and current):
                if not described:  # the old alt text described the old picture
                    setattr(account, f"{field}_description", "")
                if current:
                    old_files.append((current.storage, current.name))
                if field in images:
                    current.save(images[field].name, images[field], save=False)
                else:
                    setattr(account, field, "")
        account.save()

        def _delete_old() -> None:
            for storage, name in old_files:
                storage.delete(name)

        transaction.on_commit(_delete_old)
    return account


def clean_profile_fields(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """Profile fields as stored: stripped, blank pairs dropped, values rendered to HTML.

    Raises :class:`ValidationError` for more than four fields, a value without a name, or a
    part longer than 255 characters (Mastodon's limits).
    """
    cleaned: list[dict[str, str]] = []
    for name, value in pairs:
        name, value = (name or "").strip(), (value or "").strip()
        if not name and not value:
            continue
        if not name:
            raise ValidationError("Every profile field needs a label.")
        if len(name) > MAX_FIELD_LENGTH or len(value) > MAX_FIELD_LENGTH:
            raise ValidationError(
                f"Profile field labels and values are at most {MAX_FIELD_LENGTH} characters."
            )
        cleaned.append({"name": name, "value": value, "value_html": render_field_value(value)})
    if len(cleaned) > MAX_PROFILE_FIELDS:
        raise ValidationError(f"A profile has at most {MAX_PROFILE_FIELDS} fields.")
    return cleaned


def normalize_interests(values: Iterable[str]) -> list[str]:
    """Lowercase tag names without ``#``, de-duplicated in order; at most 20 of them.

    Raises :class:`ValidationError` naming the first tag that is not a hashtag-like word.
    """
    seen: list[str] = []
    for raw in values:
        tag = raw.strip().lstrip("#").lower()
        if not tag:
            continue
        if not INTEREST_RE.match(tag):
            raise ValidationError(
                f"“{raw.strip()}” can't be an interest: use letters, numbers and underscores, "
                "up to 50 characters."
            )
        if tag not in seen:
            seen.append(tag)
    if len(seen) > MAX_INTERESTS:
        raise ValidationError(f"Choose at most {MAX_INTERESTS} interests (you have {len(seen)}).")
    return seen


def update_settings(
    account: Account,
    *,
    locked: bool | None = None,
    discoverable: bool | None = None,
    hide_network: bool | None = None,
    default_visibility: str | None = None,
    default_language: str | None = None,
    time_zone: str | None = None,
) -> Account:
    """Change privacy and preferences of ``account`` (and its login's time zone).

    Arguments left as ``None`` stay unchanged. ``default_visibility`` must be one of
    :class:`Visibility`; ``default_language`` an ISO 639 code (``plaza.languages``, "" for
    none); ``time_zone`` an IANA zone name such as ``Europe/Paris``.
    """
    errors: FieldErrors = {}
    if default_visibility is not None and default_visibility not in Visibility.values:
        errors["default_visibility"] = ["Choose one of the listed visibilities."]
    if default_language is not None:
        try:
            default_language = clean_language(default_language)
        except ActionError as exc:
            errors["default_language"] = [exc.message]
    if time_zone is not None and time_zone not in available_time_zones():
        errors["time_zone"] = ["Choose a time zone from the list."]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        account_fields = []
        for field, value in (
            ("locked", locked),
            ("discoverable", discoverable),
            ("hide_network", hide_network),
            ("default_visibility", default_visibility),
            ("default_language", default_language),
        ):
            if value is not None:
                setattr(account, field, value)
                account_fields.append(field)
        if account_fields:
            account.save(update_fields=account_fields)
        if time_zone is not None:
            account.user.time_zone = time_zone
            account.user.save(update_fields=["time_zone"])
    return account


def change_password(user: User, *, old_password: str, new_password: str) -> None:
    """Replace the password of ``user`` after checking the current one.

    Raises :class:`ValidationError` on ``old_password`` when it is wrong and on
    ``new_password`` when the configured validators refuse it. The caller keeps the current
    session alive with :func:`django.contrib.auth.update_session_auth_hash`.
    """
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["Your current password isn't right."]})
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)})
    user.set_password(new_password)
    user.save(update_fields=["password"])
