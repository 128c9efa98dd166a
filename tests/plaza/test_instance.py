"""Instance-wide pieces: health check, snowflake ids, settings."""

from __future__ import annotations

import datetime as dt

import pytest

from plaza import ids

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_tasks(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "tasks": "ok"}


def test_healthz_says_503_when_the_database_is_gone(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")


def test_ids_increase_and_encode_their_time():
    made = [ids.new_id() for _ in range(5000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    when = ids.time_of(made[-1])
    assert abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 5


def test_id_bounds_for_a_time_bracket_ids_made_then():
    moment = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    low, high = ids.id_for_time(moment), ids.id_for_time(moment, upper=True)
    assert low < high
    assert ids.time_of(low) == moment
    assert ids.time_of(high) == moment
