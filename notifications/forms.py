"""The notification policy form ("Filter notifications from…")."""

from __future__ import annotations

from django import forms

from notifications.models import NotificationPolicy, PolicyAction

CHOICES = [
    (PolicyAction.ACCEPT.value, "Accept: show them in your notifications"),
    (PolicyAction.FILTER.value, "Filter: put them aside in Filtered notifications"),
    (PolicyAction.DROP.value, "Ignore: don't keep them at all"),
]
LABELS = {
    "for_not_following": ("People you don't follow", "Nor are connected to."),
    "for_not_followers": ("People who don't follow you", "Nor are connected to you."),
    "for_new_accounts": ("New accounts", "Accounts created in the past 30 days."),
    "for_private_mentions": (
        "Unsolicited private mentions",
        "Mentions in followers- or connections-only posts from people you don't follow, "
        "unless they answer one of your posts.",
    ),
    "for_limited_accounts": ("Moderated accounts", "Accounts a moderator has limited."),
}


class NotificationPolicyForm(forms.Form):
    """One accept / filter / drop choice per kind of sender."""

    def __init__(self, *args: object, policy: NotificationPolicy, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in NotificationPolicy.FIELDS:
            label, help_text = LABELS[name]
            self.fields[name] = forms.ChoiceField(
                label=label,
                help_text=help_text,
                choices=CHOICES,
                initial=getattr(policy, name),
                widget=forms.Select,
            )
