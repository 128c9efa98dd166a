"""Reads about accounts. Profiles are public, so most reads need no viewer."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.db.models import Q

from accounts.models import Account, User


def get_account_by_username(username: str) -> Account | None:
    """The account called ``username`` (ignoring case and a leading ``@``), or ``None``."""
    return (
        Account.objects.select_related("user")
        .filter(username__iexact=username.strip().lstrip("@"))
        .first()
    )


def login_username_for(identifier: str) -> str | None:
    """The stored username of the login named by ``identifier`` (username or email, any case).

    People type ``@Ada``, ``ada`` or ``ada@example.com``; authentication wants the exact
    stored username.
    """
    identifier = identifier.strip().lstrip("@")
    if not identifier:
        return None
    field = Q(email__iexact=identifier) if "@" in identifier else Q(username__iexact=identifier)
    return User.objects.filter(field).values_list("username", flat=True).first()


@cache
def available_time_zones() -> frozenset[str]:
    """Every IANA time zone name this system knows."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Time zones grouped by region (``Europe``, ``America`` …) for a ``<select>``."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(available_time_zones()):
        region, _, city = name.partition("/")
        if not city:
            region, city = "Other", name
        if region in ("Etc", "SystemV", "US", "Canada", "Brazil", "Mexico", "Chile"):
            region = "Other"
        groups.setdefault(region, []).append((name, name.replace("_", " ")))
    return sorted(groups.items(), key=lambda kv: (kv[0] == "Other", kv[0]))
