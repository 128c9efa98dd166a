"""Native API: filters."""

from __future__ import annotations

from ninja import Router

from plaza.api import TokenAuth

router: Router = Router(auth=TokenAuth("filters"))
