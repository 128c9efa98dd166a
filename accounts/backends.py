"""Authentication backend that loads a user's account with the user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class AccountModelBackend(ModelBackend):
    """Django's model backend, but ``request.user.account`` costs no extra query: every
    logged-in page needs the account (the viewer), so it comes in the same SELECT."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("account").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
