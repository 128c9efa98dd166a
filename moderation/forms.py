"""Forms of the report page and the moderator decisions."""

from __future__ import annotations

from django import forms

from moderation.actions import MAX_COMMENT, MAX_REASON
from moderation.models import ActionKind, Category

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
    action = forms.ChoiceField(
        label="Decision",
        choices=[
            (ActionKind.REMOVE_CONTENT, "Remove the post or message"),
            (ActionKind.WARN, "Warn the account"),
            (ActionKind.LIMIT, "Limit (silence) the account"),
            (ActionKind.SUSPEND, "Suspend the account"),
            (ActionKind.DISMISS, "Dismiss the report"),
        ],
    )
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log with your name.",
    )


class AccountActionForm(forms.Form):
    action = forms.ChoiceField(label="Action", choices=ACCOUNT_ACTIONS)
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log with your name.",
    )
