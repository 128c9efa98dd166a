"""The only write path for lists: create, rename/configure, delete, add and remove members."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from accounts.models import Account
from lists.models import List, ListMember, RepliesPolicy
from network.models import Follow
from plaza.errors import ActionError, NotFound

MAX_LISTS = 50  # per owner
MAX_MEMBERS = 500  # per list: list timelines read their members' posts directly
MAX_TITLE = 100


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ActionError("A list needs a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ActionError(f"A list title has at most {MAX_TITLE} characters.", field="title")
    return title


def _policy(value: str) -> str:
    if value not in RepliesPolicy.values:
        raise ActionError("replies_policy must be followed, list or none.", field="replies_policy")
    return value


def _own(owner: Account, lst: List) -> None:
    if lst.owner_id != owner.pk:
        raise NotFound("This list does not exist.")


def create_list(
    owner: Account,
    title: str,
    *,
    replies_policy: str = RepliesPolicy.LIST,
    exclusive: bool = False,
) -> List:
    """A new, empty list of ``owner``'s; at most :data:`MAX_LISTS` per account."""
    title, policy = _title(title), _policy(replies_policy)
    with transaction.atomic():
        # Lock the owner's row so two concurrent creations can't both pass the limit.
        Account.objects.select_for_update().filter(pk=owner.pk).first()
        if List.objects.filter(owner=owner).count() >= MAX_LISTS:
            raise ActionError(f"You can have at most {MAX_LISTS} lists.")
        return List.objects.create(
            owner=owner, title=title, replies_policy=policy, exclusive=exclusive
        )


def update_list(
    owner: Account,
    lst: List,
    *,
    title: str | None = None,
    replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> List:
    """Change the title and options given (None: unchanged)."""
    _own(owner, lst)
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = _title(title)
    if replies_policy is not None:
        changes["replies_policy"] = _policy(replies_policy)
    if exclusive is not None:
        changes["exclusive"] = exclusive
    if changes:
        List.objects.filter(pk=lst.pk).update(**changes)
        for key, value in changes.items():
            setattr(lst, key, value)
    return lst


def delete_list(owner: Account, lst: List) -> None:
    """Delete the list (the accounts in it are not touched)."""
    _own(owner, lst)
    lst.delete()


def add_members(owner: Account, lst: List, accounts: Sequence[Account | int]) -> None:
    """Add accounts ``owner`` follows to the list; all or nothing. Already there: no error."""
    _own(owner, lst)
    ids = list(dict.fromkeys(a if isinstance(a, int) else a.pk for a in accounts))
    if not ids:
        return
    follows = dict(
        Follow.objects.filter(follower=owner, target_id__in=ids).values_list("target_id", "pk")
    )
    missing = [i for i in ids if i not in follows]
    if missing:
        # Mastodon's rule: a list holds only accounts you follow.
        raise ActionError("You can only add accounts you follow to a list.", field="account_ids")
    with transaction.atomic():
        List.objects.select_for_update().filter(pk=lst.pk).first()
        present = set(
            ListMember.objects.filter(list=lst, account_id__in=ids).values_list(
                "account_id", flat=True
            )
        )
        new = [i for i in ids if i not in present]
        if ListMember.objects.filter(list=lst).count() + len(new) > MAX_MEMBERS:
            raise ActionError(f"A list holds at most {MAX_MEMBERS} accounts.")
        try:
            ListMember.objects.bulk_create(
                [ListMember(list=lst, account_id=i, follow_id=follows[i]) for i in new],
                ignore_conflicts=True,
            )
        except IntegrityError:  # the follow went away meanwhile
            raise ActionError("You can only add accounts you follow to a list.") from None


def remove_members(owner: Account, lst: List, accounts: Sequence[Account | int]) -> None:
    """Take accounts out of the list. Accounts not in it: no error."""
    _own(owner, lst)
    ids = [a if isinstance(a, int) else a.pk for a in accounts]
    ListMember.objects.filter(list=lst, account_id__in=ids).delete()
