"""Forms of the lists pages."""

from __future__ import annotations

from django import forms

from lists.actions import MAX_TITLE
from lists.models import RepliesPolicy


class ListForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE, label="Name")
    replies_policy = forms.ChoiceField(
        choices=RepliesPolicy.choices,
        initial=RepliesPolicy.LIST,
        label="Show replies",
        help_text="Which replies by the people in this list appear in its timeline.",
    )
    exclusive = forms.BooleanField(
        required=False,
        label="Hide these people's posts from Home",
        help_text="Their posts show up only here, not in your home feed.",
    )
