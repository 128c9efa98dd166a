"""Small factory functions with keyword defaults. They write through actions where one exists."""

from __future__ import annotations

import itertools
from typing import Any

from accounts.models import Account, AccountKind, User

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_account(
    username: str | None = None,
    *,
    kind: str = AccountKind.PERSON,
    locked: bool = False,
    password: str = PASSWORD,
    **fields: Any,
) -> Account:
    """A user with their account, able to log in with ``password``."""
    n = next(_seq)
    username = username or f"user{n}"
    user = User.objects.create_user(
        username=username, email=f"{username}@example.test", password=password
    )
    return Account.objects.create(
        user=user,
        username=username,
        kind=kind,
        locked=locked,
        display_name=fields.pop("display_name", username.title()),
        **fields,
    )
