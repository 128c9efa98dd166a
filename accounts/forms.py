"""Web forms for accounts. They check shape only; the rules live in :mod:`accounts.actions`.

A view validates the form, calls the action, and on :class:`ValidationError` hands the
action's field errors back with :func:`add_action_errors` so they show next to the field.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.models import AccountKind, Visibility
from accounts.queries import login_username_for, time_zone_choices
from plaza.languages import choices as language_choices

PROFILE_FIELD_ROWS = 4  # Mastodon's limit (accounts.actions.MAX_PROFILE_FIELDS)


def add_action_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Attach an action's field errors to ``form``; unknown fields become form-wide errors."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        name = field_map.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


class SignupForm(forms.Form):
    """Sign-up: person or organization, name, username, email, password."""

    kind = forms.ChoiceField(
        label="This account is for",
        choices=AccountKind.choices,
        initial=AccountKind.PERSON,
        widget=forms.RadioSelect,
    )
    display_name = forms.CharField(
        label="Name",
        max_length=80,
        required=False,
        help_text="Shown on your profile. You can change it later.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    username = forms.CharField(
        label="Username",
        max_length=30,
        help_text="Letters, numbers and underscores. People will find you at @username.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "pattern": "@?[A-Za-z0-9_]{1,30}",
            }
        ),
    )
    email = forms.EmailField(
        label="Email",
        help_text="Used to sign in and to reset your password. Never shown publicly.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 10 characters. A few unrelated words make a strong password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "minlength": 10}),
    )
    # Filled in by the browser (Intl API) so times look right from the first page.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput)


class LoginForm(AuthenticationForm):
    """Log in with a username (any case, optional ``@``) or an email address."""

    username = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username or email and password don't match. Please try again.",
    }

    def clean(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("username")
        if raw:
            # Keep the typed value for re-display; authenticate with the stored username.
            self.cleaned_data["username"] = login_username_for(raw) or raw
        return super().clean()


class ProfileForm(forms.Form):
    """The public profile; ``interests`` is typed as one comma/space-separated string."""

    display_name = forms.CharField(label="Display name", max_length=80, required=False)
    bio = forms.CharField(
        label="Bio",
        max_length=500,
        required=False,
        help_text="Up to 500 characters. Links are clickable.",
        widget=forms.Textarea(attrs={"rows": 4, "data-counter": "500"}),
    )
    location = forms.CharField(label="Location", max_length=100, required=False)
    website = forms.CharField(
        label="Website",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    interests = forms.CharField(
        label="Interests",
        required=False,
        help_text="Topics you care about, separated by commas or spaces, e.g. design, cycling.",
        widget=forms.TextInput(attrs={"placeholder": "design, cycling, open_source"}),
    )
    avatar = forms.FileField(
        label="Profile picture",
        required=False,
        help_text="JPEG, PNG, WebP or GIF, up to 8 MB. Cropped to a square.",
        widget=forms.FileInput(attrs={"accept": "image/*", "data-preview": "avatar"}),
    )
    header = forms.FileField(
        label="Header image",
        required=False,
        help_text="Shown at the top of your profile, at most 1500 x 500.",
        widget=forms.FileInput(attrs={"accept": "image/*", "data-preview": "header"}),
    )
    avatar_description = forms.CharField(
        label="Describe your profile picture",
        max_length=1500,
        required=False,
        help_text="Alt text: read aloud by screen readers in place of the picture.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Me smiling on a mountain trail"}),
    )
    header_description = forms.CharField(
        label="Describe your header image",
        max_length=1500,
        required=False,
        help_text="Alt text for the header image.",
    )
    remove_avatar = forms.BooleanField(label="Remove profile picture", required=False)
    remove_header = forms.BooleanField(label="Remove header image", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Profile fields: four label/value pairs, shown as a table on the profile.
        for i in range(PROFILE_FIELD_ROWS):
            self.fields[f"field_{i}_name"] = forms.CharField(
                label=f"Label {i + 1}",
                max_length=255,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": "e.g. Pronouns"}),
            )
            self.fields[f"field_{i}_value"] = forms.CharField(
                label=f"Content {i + 1}",
                max_length=255,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": "e.g. they/them or a link"}),
            )

    def field_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The profile-field inputs, one (label, content) pair per row."""
        return [
            (self[f"field_{i}_name"], self[f"field_{i}_value"]) for i in range(PROFILE_FIELD_ROWS)
        ]

    def profile_fields(self) -> list[tuple[str, str]]:
        """The (label, content) pairs typed, in order (blank rows are dropped on save)."""
        data = self.cleaned_data
        return [
            (data.get(f"field_{i}_name") or "", data.get(f"field_{i}_value") or "")
            for i in range(PROFILE_FIELD_ROWS)
        ]

    def clean_interests(self) -> list[str]:
        raw: str = self.cleaned_data.get("interests") or ""
        return [t for t in re.split(r"[\s,]+", raw) if t]


class AccountSettingsForm(forms.Form):
    """Privacy, default visibility and time zone (choices grouped by region)."""

    locked = forms.BooleanField(
        label="Approve new followers",
        required=False,
        help_text="People must ask to follow you, and you choose who sees followers-only posts.",
    )
    discoverable = forms.BooleanField(
        label="Suggest my account to others",
        required=False,
        help_text="Appear in search results and in “who to follow” suggestions.",
    )
    hide_network = forms.BooleanField(
        label="Hide my network",
        required=False,
        help_text="Only you see who you follow, your followers and your connections "
        "(the numbers stay on your profile).",
    )
    default_visibility = forms.ChoiceField(
        label="Default post visibility",
        choices=Visibility.choices,
        help_text="Pre-selected when you write a post. You can change it on each post.",
    )
    default_language = forms.ChoiceField(
        label="Posting language",
        required=False,
        help_text="The language your posts are marked as written in, unless you choose "
        "another when you write one (on the full composer).",
    )
    time_zone = forms.ChoiceField(
        label="Time zone", help_text="Times across Plaza are shown in this zone."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_language"].choices = language_choices()  # type: ignore[attr-defined]
        choices: list[Any] = [("UTC", "UTC")]
        choices.extend(time_zone_choices())
        self.fields["time_zone"].choices = choices  # type: ignore[attr-defined]


class PasswordChangeForm(forms.Form):
    """Current password plus the new one twice; the action checks the rules."""

    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password = forms.CharField(
        label="New password",
        strip=False,
        help_text="At least 10 characters, not too common, not all numbers.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "minlength": 10}),
    )
    new_password_confirm = forms.CharField(
        label="Confirm new password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, confirm = data.get("new_password"), data.get("new_password_confirm")
        if new and confirm and new != confirm:
            self.add_error("new_password_confirm", "The two passwords don't match.")
        return data
