"""JSON Schemas of Mastodon API entities, written from the attribute tables of the Mastodon
docs (docs.joinmastodon.org/entities/...): each attribute the docs list without "optional" is
required, "nullable" ones may be null, types as documented. Extra attributes (Plaza's ``plaza``
extension, newer Mastodon fields) are allowed. One file per entity: ``<Name>.json``.

Use :func:`assert_entity` in any test::

    from tests.mastodon.schemas import assert_entity
    assert_entity(response.json(), "Status")          # one entity
    assert_entity(response.json(), "Status", many=True)  # a list of them
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

HERE = Path(__file__).resolve().parent


@cache
def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in sorted(HERE.glob("*.json"))
    ]
    return Registry().with_resources(resources)


def entity_names() -> list[str]:
    """Every entity with a schema here."""
    return sorted(path.stem for path in HERE.glob("*.json"))


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((HERE / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry())


def entity_errors(data: Any, name: str, *, many: bool = False) -> list[str]:
    """Readable violations (path: message) of ``data`` against entity ``name``."""
    items = data if many else [data]
    if many and not isinstance(data, list):
        return [f"$: expected a list of {name}, got {type(data).__name__}"]
    errors = []
    for index, item in enumerate(items):
        prefix = f"$[{index}]" if many else "$"
        for error in validator(name).iter_errors(item):
            # "X is not valid under any of the given schemas" (a nullable entity): say why
            # it is not the entity rather than dumping the value.
            while error.context:
                not_null = [e for e in error.context if e.validator_value != "null"]
                error = best_match(not_null or error.context)
            path = "".join(
                f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in error.absolute_path
            )
            errors.append(f"{prefix}{path}: {error.message[:300]}")
    return errors


def assert_entity(data: Any, name: str, *, many: bool = False) -> None:
    """Fail with every violation when ``data`` is not a valid Mastodon ``name`` entity."""
    errors = entity_errors(data, name, many=many)
    assert not errors, f"not a valid {name}{' list' if many else ''}:\n" + "\n".join(errors[:30])
