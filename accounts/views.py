"""Sign-up, log in/out, password, profile and settings pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import actions
from accounts.forms import (
    AccountSettingsForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    SignupForm,
    add_action_errors,
)
from accounts.models import Account, User
from plaza import ratelimit
from plaza.errors import RateLimited


def _post_data(request: HttpRequest) -> Any:
    # An empty POST must still bind the form, so that it reports every missing field.
    return request.POST if request.method == "POST" else None


def _account_of(request: HttpRequest) -> Account:
    user = request.user
    assert isinstance(user, User)  # guaranteed by @login_required
    account = getattr(user, "account", None)
    if account is None:
        # Logins made with `createsuperuser` have no public account of their own.
        raise Http404("This login has no Plaza account.")
    return account


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create a person or organization account, log in, and continue to the profile editor."""
    if request.user.is_authenticated:
        return redirect("accounts:edit_profile")
    if not settings.PLAZA.registrations_open:
        return render(request, "accounts/signup_closed.html", status=403)
    form = SignupForm(_post_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ratelimit.hit("signup", request)
            account = actions.register(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                kind=data["kind"],
                display_name=data["display_name"],
                time_zone=data["time_zone"] or "UTC",
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        except RateLimited as exc:
            form.add_error(None, exc.message)
        else:
            login(request, account.user, backend="accounts.backends.AccountModelBackend")
            messages.success(
                request, f"Welcome to Plaza, {account.name}! Add a photo and a short bio."
            )
            return redirect("accounts:edit_profile")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


class LoginView(auth_views.LoginView):
    """Django's login view (so django-axes sees every attempt) with our form and template."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        # A suspended login is inactive, so authentication fails like a wrong password; with
        # the right password, say why instead (as Mastodon does).
        user = User.objects.filter(
            username=form.cleaned_data.get("username") or "",
            is_active=False,
            account__suspended_at__isnull=False,
        ).first()
        if user is not None and user.check_password(form.data.get("password") or ""):
            form.errors.clear()
            form.add_error(None, SUSPENDED_MESSAGE)
        return super().form_invalid(form)


SUSPENDED_MESSAGE = (
    "This account has been suspended by the moderators for breaking the rules. "
    "You can no longer log in."
)


class LogoutView(auth_views.LogoutView):
    """POST-only log-out (Django 5 refuses GET) that says goodbye."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have logged out. See you soon!")
        return response


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    """Edit display name, bio, avatar, header, location, website, profile fields and
    interests."""
    account = _account_of(request)
    initial = {
        "display_name": account.display_name,
        "bio": account.bio,
        "location": account.location,
        "website": account.website,
        "interests": ", ".join(account.interests or []),
        "avatar_description": account.avatar_description,
        "header_description": account.header_description,
    }
    for i, field in enumerate(account.fields or []):
        initial[f"field_{i}_name"], initial[f"field_{i}_value"] = field["name"], field["value"]
    form = ProfileForm(_post_data(request), request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_profile(
                account,
                display_name=data["display_name"],
                bio=data["bio"],
                location=data["location"],
                website=data["website"],
                interests=data["interests"],
                avatar=data["avatar"] or None,
                header=data["header"] or None,
                remove_avatar=data["remove_avatar"],
                remove_header=data["remove_header"],
                fields=form.profile_fields(),
                avatar_description=data["avatar_description"],
                header_description=data["header_description"],
            )
        except ValidationError as exc:
            account.refresh_from_db()
            add_action_errors(form, exc)
        else:
            messages.success(request, "Your profile has been updated.")
            return redirect("accounts:edit_profile")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "accounts/edit_profile.html",
        {"form": form, "account": account, "section": "profile"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    """Privacy (locked, discoverable, hidden network), default post visibility, time zone."""
    account = _account_of(request)
    initial = {
        "locked": account.locked,
        "discoverable": account.discoverable,
        "hide_network": account.hide_network,
        "default_visibility": account.default_visibility,
        "default_language": account.default_language,
        "time_zone": account.user.time_zone,
    }
    form = AccountSettingsForm(_post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_settings(account, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, "Your settings have been saved.")
            return redirect("accounts:settings")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "account": account, "section": "account"},
        status=status,
    )


@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password, keeping this session logged in (other sessions are logged out)."""
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(_post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(
                user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "Your password has been changed.")
            return redirect("accounts:password_change")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "account": getattr(user, "account", None), "section": "password"},
        status=status,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email; the answer never reveals whether the email exists."""

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """The “check your email” page."""

    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed one-time link."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """Confirmation with a link to log in."""

    template_name = "registration/password_reset_complete.html"
