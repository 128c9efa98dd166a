"""Forms for relationship actions that take input (only the connection note, so far)."""

from __future__ import annotations

from django import forms

NOTE_MAX_LENGTH = 300


class ConnectForm(forms.Form):
    """A connection request, with an optional note to say who you are or why you connect."""

    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        label="Add a note",
        help_text="Optional — say how you know each other (300 characters at most).",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
    )
