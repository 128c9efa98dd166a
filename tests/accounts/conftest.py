"""Fixtures shared with the Mastodon API tests (an OAuth app and API clients)."""

from tests.mastodon.conftest import api_for, oauth_app  # noqa: F401 (fixtures)
