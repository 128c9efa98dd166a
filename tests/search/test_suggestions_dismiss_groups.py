"""Dismissing a group suggestion needs a group the person may know exists."""

from __future__ import annotations

import pytest

from groups.actions import create_group
from groups.models import GroupVisibility, JoinPolicy
from plaza.errors import ActionError
from search.actions import dismiss_suggestion
from search.models import DismissedSuggestion
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_only_known_groups_can_be_dismissed() -> None:
    owner, ana = make_account("owner"), make_account("ana")
    listed = create_group(owner, name="Open", handle="open_group")
    secret = create_group(
        owner, name="Hidden", handle="hidden_group",
        visibility=GroupVisibility.SECRET, join_policy=JoinPolicy.INVITE,
    )  # fmt: skip
    dismiss_suggestion(ana, "group", listed.pk)
    dismiss_suggestion(ana, "group", listed.pk)  # idempotent
    for target in (secret.pk, 10**15):
        with pytest.raises(ActionError):
            dismiss_suggestion(ana, "group", target)
    assert list(DismissedSuggestion.objects.values_list("target_id", flat=True)) == [listed.pk]
    dismiss_suggestion(owner, "group", secret.pk)  # its members know it
