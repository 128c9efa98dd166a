"""Storage the Mastodon client API needs beyond the domain apps.

:class:`Application` replaces django-oauth-toolkit's default application model: a Mastodon
client registers once (``POST /api/v1/apps``) and then uses the authorization-code,
client-credentials and refresh-token grants with the same credentials, with several redirect
URIs and its own default scopes — the stock model allows one grant type per application.
"""

from __future__ import annotations

from django.db import models
from oauth2_provider.models import AbstractApplication

from accounts.models import Account

# Grants every Mastodon client may use (the password grant was removed in Mastodon 4.4).
MASTODON_GRANTS = (
    AbstractApplication.GRANT_AUTHORIZATION_CODE,
    AbstractApplication.GRANT_CLIENT_CREDENTIALS,
    "refresh_token",
)
OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"


class Application(AbstractApplication):
    website = models.URLField(max_length=500, blank=True)
    scopes = models.CharField(max_length=500, default="read", help_text="space-separated scopes")

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    def allows_grant_type(self, *grant_types: str) -> bool:
        return any(g in MASTODON_GRANTS or g == self.authorization_grant_type for g in grant_types)

    def get_allowed_schemes(self) -> list[str]:
        # Native apps register custom schemes (e.g. "elk://", "org.joinmastodon.android://"),
        # and command-line tools use the out-of-band URN. Allow whatever this app registered.
        schemes = {"http", "https", "urn"}
        for uri in self.redirect_uris.split():
            scheme, sep, _ = uri.partition(":")
            if sep and scheme:
                schemes.add(scheme.lower())
        return sorted(schemes)


class IdempotentRequest(models.Model):
    """Remembers a ``POST /api/v1/statuses`` by its ``Idempotency-Key`` so a retry returns the
    status already created instead of posting twice (Mastodon keeps keys for an hour)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    result_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="idempotent_request_unique")
        ]


class Marker(models.Model):
    """A client's read position in a timeline (``/api/v1/markers``)."""

    TIMELINES = (("home", "home"), ("notifications", "notifications"))
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    timeline = models.CharField(max_length=20, choices=TIMELINES)
    last_read_id = models.BigIntegerField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "timeline"], name="marker_unique")
        ]
