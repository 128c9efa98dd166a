"""Forms of the report page and the moderator decisions."""

from __future__ import annotations

from typing import Any

from django import forms

from moderation.actions import MAX_COMMENT, MAX_REASON
from moderation.models import ActionKind, Category, TargetKind

ACCOUNT_ACTIONS = [
    (ActionKind.WARN, "Warn"),
    (ActionKind.LIMIT, "Limit (silence)"),
    (ActionKind.UNLIMIT, "Lift limit"),
    (ActionKind.SUSPEND, "Suspend"),
    (ActionKind.UNSUSPEND, "Lift suspension"),
]


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label="What's wrong?", choices=Category.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Anything moderators should know",
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only moderators see this. The person you report is not told who reported.",
    )


class ResolveForm(forms.Form):
    action = forms.ChoiceField(label="Decision")
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log with your name.",
    )

    def __init__(
        self, *args: Any, target_kind: str = TargetKind.POST, allowed: list[str], **kwargs: Any
    ) -> None:
        """``allowed``: the decisions the moderator may take on this report
        (:func:`moderation.queries.allowed_resolutions`, the rule the API applies too)."""
        super().__init__(*args, **kwargs)
        who = "the group's owner" if target_kind == TargetKind.GROUP else "the account"
        labels = {
            ActionKind.REMOVE_CONTENT: (
                "Remove the message" if target_kind == TargetKind.MESSAGE else "Remove the post"
            ),
            ActionKind.WARN: f"Warn {who}",
            ActionKind.LIMIT: f"Limit (silence) {who}",
            ActionKind.SUSPEND: f"Suspend {who}",
            ActionKind.DISMISS: "Dismiss the report",
        }
        choices = [(action, labels[ActionKind(action)]) for action in allowed]
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class AccountActionForm(forms.Form):
    action = forms.ChoiceField(label="Action", choices=ACCOUNT_ACTIONS)
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log with your name.",
    )
