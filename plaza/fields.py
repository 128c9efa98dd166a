"""Model fields shared by every app."""

from __future__ import annotations

from typing import Any

from django.db import models

from plaza.ids import new_id


class SnowflakeIdField(models.BigIntegerField):
    """A primary key filled with :func:`plaza.ids.new_id` (time-sortable, 64-bit)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("default", new_id)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key, value in (("primary_key", True), ("default", new_id), ("editable", False)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs
