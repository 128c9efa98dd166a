"""Receivers for Django's authentication signals."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

LOGGED_IN_AT_KEY = "plaza_logged_in_at"


@receiver(user_logged_in)
def remember_login_time(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    # OAuth's force_login asks for a log-in "now": a log-in seconds ago counts.
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT_KEY] = time.time()
