"""Model instances from hand-written statements, built as the ORM builds them.

Some statements run on every page: the viewer's user and account, a feed's authors and
media, an API request's token, the group page's staff. Through the ORM each one was
compiled again on every request (and ``Model.objects.raw`` set itself up again: column
lookups, converters), which cost more CPU than the database spent running it — 0.3-1 ms
apiece on PostgreSQL. Here such a statement is written by hand, with :func:`columns` for
each model's column list, run on a plain cursor, and every row is cut into instances::

    sql = (
        f"SELECT {columns(User, 'u')}, {columns(Account, 'a')} FROM accounts_user u "
        "LEFT OUTER JOIN accounts_account a ON a.user_id = u.id WHERE u.id = %s"
    )
    for user, account in fetch(sql, [pk], User, Account): ...

Values are read exactly as the ORM reads them: each column goes through the converters
Django's compiler would apply (the backend's — SQLite's booleans and datetimes — and the
field's own ``from_db_value``, e.g. JSON), looked up once per model and database vendor. A
model joined with LEFT OUTER JOIN that matched nothing comes back as None. Columns after
the models' come back as they are (``SELECT {columns(Post, 'p')}, 0 AS pinned``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

M = TypeVar("M", bound=Model)

_Converter = Callable[[Any, Any, Any], Any]


class _Shape:
    """One model's columns on one database: names, attnames and converters."""

    def __init__(self, model: type[Model], vendor_alias: str) -> None:
        connection = connections[vendor_alias]
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self.pk_at = self.fields.index(model._meta.pk)
        # (position, converters, expression): what SQLCompiler.get_converters gives a Col.
        self.converters: list[tuple[int, list[_Converter], Any]] = []
        for i, field in enumerate(self.fields):
            col = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((i, found, col))


_shapes: dict[tuple[type[Model], str], _Shape] = {}


def _shape(model: type[Model]) -> _Shape:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    shape = _shapes.get((model, vendor))
    if shape is None:
        shape = _shapes[(model, vendor)] = _Shape(model, DEFAULT_DB_ALIAS)
    return shape


def columns(model: type[Model], alias: str) -> str:
    """``alias."col1", alias."col2", ...``: every concrete column of ``model``, in the order
    :func:`fetch` reads them."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in _shape(model).fields)


def fetch(sql: str, params: Sequence[Any], *models: type[Model]) -> list[tuple[Any, ...]]:
    """Run ``sql`` and cut each row into one instance of each of ``models`` (their columns
    first, in order, as :func:`columns` lists them), then any further columns as they are."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    shapes = [(model, _shape(model)) for model in models]
    found: list[tuple[Any, ...]] = []
    for row in rows:
        start = 0
        out: list[Any] = []
        for model, shape in shapes:
            end = start + shape.width
            if (
                row[start + shape.pk_at] is None
            ):  # no primary key: a LEFT OUTER JOIN that matched nothing
                out.append(None)
                start = end
                continue
            values = list(row[start:end])
            for i, converters, expression in shape.converters:
                value = values[i]
                for convert in converters:
                    value = convert(value, expression, connection)
                values[i] = value
            out.append(model.from_db(DEFAULT_DB_ALIAS, shape.attnames, values))
            start = end
        out.extend(row[start:])
        found.append(tuple(out))
    return found


def instances(model: type[M], sql: str, params: Sequence[Any]) -> list[M]:
    """:func:`fetch` for one model: ``sql`` selects ``columns(model, alias)``."""
    return [row[0] for row in fetch(sql, params, model)]


def one_of(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """``column`` is one of ``values``, as a condition and its parameters: on PostgreSQL one
    array parameter (``column = ANY(%s)``), so the statement's text is the same however many
    values there are and it is prepared once (see ``plaza/settings.py``); elsewhere
    ``column IN (%s, %s, ...)``. ``values`` must not be empty."""
    if not values:
        raise ValueError("one_of() needs at least one value")
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def cache_related(obj: Model, name: str, value: Model | None) -> None:
    """Store ``value`` as ``obj``'s forward relation ``name`` (a foreign key or one-to-one
    field), where ``select_related`` stores it: reading ``obj.<name>`` asks nothing."""
    obj._state.fields_cache[name] = value
