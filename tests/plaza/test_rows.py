"""plaza.rows: hand-written statements give the instances the ORM gives, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.db.models import Model
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import AccountModelBackend
from accounts.models import Account, User
from groups.actions import create_group
from groups.models import Group, GroupVisibility, Membership
from groups.queries import get_group_for
from plaza import rows
from posts.actions import publish
from posts.models import MediaAttachment, MediaKind, MediaState, Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _same(found: Model, expected: Model) -> None:
    """Every concrete field equal, of the same type, and the instance marked as loaded."""
    assert type(found) is type(expected)
    for field in expected._meta.concrete_fields:
        mine, theirs = getattr(found, field.attname), getattr(expected, field.attname)
        assert mine == theirs, field.attname
        assert type(mine) is type(theirs), field.attname
    assert found._state.adding is False and found._state.db == "default"


def _one(model: type[Model], pk: Any) -> Model:
    sql = f"SELECT {rows.columns(model, 't')} FROM {model._meta.db_table} t WHERE t.id = %s"
    (found,) = rows.instances(model, sql, [pk])
    return found


def test_instances_match_the_orm_field_by_field() -> None:
    alice = make_account("alice", interests=["cats", "hiking"], locked=True)
    Account.objects.filter(pk=alice.pk).update(
        limited_at=timezone.now(), fields=[{"name": "web", "value": "https://a.test"}]
    )
    User.objects.filter(pk=alice.user_id).update(last_login=timezone.now(), is_staff=True)
    group = create_group(
        alice, name="Cats", handle="Cat_Lovers", topics=["cats"], questions=["Why?"],
        visibility=GroupVisibility.PRIVATE,
    )  # fmt: skip
    Membership.objects.filter(group=group).update(follow_closely=True)
    media = MediaAttachment.objects.create(
        account=alice, kind=MediaKind.IMAGE, state=MediaState.READY, content_type="image/png",
        focus_x=0.25, focus_y=-0.5, width=640, height=480, size_bytes=2**40,
    )  # fmt: skip
    post = publish(alice, text="Hello #cats", media=[media], content_warning="cw")
    membership = Membership.objects.get(group=group)
    for model, pk in [
        (Account, alice.pk), (User, alice.user_id), (Group, group.pk),
        (Membership, membership.pk), (MediaAttachment, media.pk), (Post, post.pk),
    ]:  # fmt: skip
        _same(_one(model, pk), model._default_manager.get(pk=pk))


def test_a_left_join_that_matched_nothing_is_none_and_extra_columns_come_as_they_are() -> None:
    lone = User.objects.create_user(username="lone", password="x")
    alice = make_account("alice")
    sql = (
        f"SELECT {rows.columns(User, 'u')}, {rows.columns(Account, 'a')}, 7 AS extra "
        "FROM accounts_user u LEFT OUTER JOIN accounts_account a ON a.user_id = u.id "
        "WHERE u.id IN (%s, %s) ORDER BY u.id"
    )
    found = rows.fetch(sql, [lone.pk, alice.user_id], User, Account)
    assert [(u.pk, a and a.pk, extra) for u, a, extra in found] == [
        (lone.pk, None, 7),
        (alice.user_id, alice.pk, 7),
    ]


def test_cache_related_is_what_select_related_stores() -> None:
    alice = make_account("alice")
    group = create_group(alice, name="Cats", handle="cats")
    found = _one(Group, group.pk)
    assert isinstance(found, Group)
    rows.cache_related(found, "owner", alice)
    with CaptureQueriesContext(connection) as queries:
        assert found.owner is alice
    assert len(queries) == 0


def test_the_session_user_comes_with_its_account_in_one_query() -> None:
    alice = make_account("alice")
    backend = AccountModelBackend()
    with CaptureQueriesContext(connection) as queries:
        user = backend.get_user(str(alice.user_id))
        assert user is not None and user.account.pk == alice.pk
        assert user.account.user is user
    assert len(queries) == 1
    _same(user, User.objects.get(pk=alice.user_id))


def test_the_session_user_without_account_or_inactive_or_unknown() -> None:
    lone = User.objects.create_user(username="lone", password="x")
    backend = AccountModelBackend()
    user = backend.get_user(lone.pk)
    assert user is not None
    with CaptureQueriesContext(connection) as queries:
        assert not hasattr(user, "account")
    assert len(queries) == 0
    User.objects.filter(pk=lone.pk).update(is_active=False)
    assert backend.get_user(lone.pk) is None
    assert backend.get_user(10**12) is None
    assert backend.get_user("not a number") is None
    assert backend.get_user(None) is None


def test_a_signed_in_request_sees_its_user_and_account(client: Any) -> None:
    alice = make_account("alice")
    client.force_login(alice.user)
    request = RequestFactory().get("/")
    request.session = client.session
    user = get_user(request)
    assert user.pk == alice.user_id and user.account.pk == alice.pk


def test_groups_are_found_by_handle_whatever_its_case_with_their_owner() -> None:
    alice = make_account("alice")
    create_group(alice, name="Cats", handle="Cat_Lovers")
    for handle in ("Cat_Lovers", "cat_lovers", "CAT_LOVERS"):
        with CaptureQueriesContext(connection) as queries:
            group = get_group_for(alice, handle)
            assert group.owner.pk == alice.pk
        assert len(queries) == 1
    assert isinstance(get_group_for(alice, "cat_lovers", owner=False), Group)
    from plaza.errors import NotFound

    for missing in ("cat%", "cat_lover", "Cat_Lovers2", ""):
        with pytest.raises(NotFound):
            get_group_for(alice, missing)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_postgresql_prepares_a_statement_run_repeatedly_with_server_side_parameters() -> None:
    from django.conf import settings

    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True
    alice = make_account("alice")
    sql = f"SELECT {rows.columns(Account, 'a')} FROM accounts_account a WHERE a.id = %s"
    for _ in range(7):
        (found,) = rows.instances(Account, sql, [alice.pk])
    _same(found, Account.objects.get(pk=alice.pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any("FROM accounts_account a WHERE a.id = $1" in s for s in prepared), prepared


def test_one_of_finds_the_rows_whatever_the_number_of_values() -> None:
    accounts = [make_account(f"user_{i}") for i in range(3)]
    for chosen in (accounts[:1], accounts, accounts[1:]):
        condition, params = rows.one_of("a.id", [a.pk for a in chosen])
        sql = f"SELECT {rows.columns(Account, 'a')} FROM accounts_account a WHERE {condition}"
        assert {a.pk for a in rows.instances(Account, sql, params)} == {a.pk for a in chosen}
    with pytest.raises(ValueError):
        rows.one_of("a.id", [])
