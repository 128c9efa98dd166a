"""Native API fixtures (schema-checked client) shared with tests/api."""

from tests.api.conftest import api_for, oauth_app

__all__ = ["api_for", "oauth_app"]
