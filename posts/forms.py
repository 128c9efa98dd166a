"""Forms of the post pages. They only parse input; limits are checked by the actions."""

from __future__ import annotations

from django import forms

from accounts.models import Visibility
from plaza.errors import ActionError

VISIBILITY_HELP = {
    Visibility.PUBLIC: "Anyone, and listed in public feeds",
    Visibility.UNLISTED: "Anyone with the link, not in public feeds",
    Visibility.FOLLOWERS: "Your followers and connections",
    Visibility.CONNECTIONS: "Only your connections",
    Visibility.DIRECT: "A private message to the people you mention (in Messages)",
}

# From most to least open: a reply defaults to the narrower of the author's default and
# the visibility of the post it answers, so a private conversation stays private.
VISIBILITY_ORDER = [
    Visibility.PUBLIC,
    Visibility.UNLISTED,
    Visibility.FOLLOWERS,
    Visibility.CONNECTIONS,
    Visibility.DIRECT,
]


def narrower(a: str, b: str) -> str:
    """The more private of two visibilities."""
    order = [str(v) for v in VISIBILITY_ORDER]
    return a if order.index(a) >= order.index(b) else b


class ComposeForm(forms.Form):
    # No max_length here: the action checks the limit and the error keeps what was typed.
    text = forms.CharField(
        label="What's happening?",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "What's happening?"}),
    )
    content_warning = forms.CharField(
        label="Content warning",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Spoilers, sensitive topic…"}),
    )
    # Optional: an empty value means the author's default visibility.
    visibility = forms.ChoiceField(
        label="Who can see this", choices=Visibility.choices, required=False
    )
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quote_of = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class EditForm(forms.Form):
    text = forms.CharField(
        label="Text", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    content_warning = forms.CharField(label="Content warning", required=False)


def add_action_error(form: forms.Form, exc: ActionError) -> None:
    """Show an action's error on its field, or above the form when it has none."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
