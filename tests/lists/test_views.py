"""The lists pages: create, edit, members, the list timeline, deletion; others' lists 404."""

from __future__ import annotations

from typing import Any

import pytest

from lists import actions
from lists.models import List, ListMember
from network.actions import follow
from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(client: Any, run_tasks: Any) -> Any:
    ana, bob = make_account("ana"), make_account("bob")
    with run_tasks():
        follow(ana, bob)
    client.force_login(ana.user)
    return ana


def test_create_add_member_read_timeline_delete(client: Any, ana: Any, run_tasks: Any) -> None:
    assert "No lists yet" in client.get("/lists").content.decode()
    response = client.post("/lists", {"title": "Friends", "replies_policy": "list"})
    lst = List.objects.get(owner=ana)
    assert response.status_code == 302 and response["Location"] == f"/lists/{lst.pk}/edit"
    page = client.get(f"/lists/{lst.pk}/edit").content.decode()
    assert "@bob" in page and "Add people you follow" in page
    bob = ana.following_set.get().target
    response = client.post(f"/lists/{lst.pk}/members/add", {"account_id": bob.pk})
    assert response.status_code == 302
    assert ListMember.objects.filter(list=lst, account=bob).exists()
    with run_tasks():
        publish(bob, text="a post for the list")
    page = client.get(f"/lists/{lst.pk}").content.decode()
    assert "a post for the list" in page and "Friends" in page
    assert "Friends" in client.get("/lists").content.decode()
    client.post(
        f"/lists/{lst.pk}/edit", {"title": "Pals", "replies_policy": "none", "exclusive": "on"}
    )
    lst.refresh_from_db()
    assert (lst.title, lst.replies_policy, lst.exclusive) == ("Pals", "none", True)
    client.post(f"/lists/{lst.pk}/members/remove", {"account_id": bob.pk})
    assert not ListMember.objects.exists()
    assert client.post(f"/lists/{lst.pk}/delete").status_code == 302
    assert not List.objects.exists()


def test_bad_input_and_strangers(client: Any, ana: Any) -> None:
    response = client.post("/lists", {"title": "", "replies_policy": "list"})
    assert response.status_code == 422
    assert client.post("/lists", {"title": "x", "replies_policy": "all"}).status_code == 422
    assert not List.objects.exists()
    lst = actions.create_list(ana, "Mine")
    stranger = make_account("zed")
    client.post(f"/lists/{lst.pk}/members/add", {"account_id": stranger.pk})
    assert not ListMember.objects.exists()  # not followed: refused with a message
    client.post(f"/lists/{lst.pk}/members/add", {"account_id": "nope"})
    assert client.get(f"/lists/{lst.pk}?max_id=abc").status_code == 400
    client.force_login(stranger.user)
    for url in (f"/lists/{lst.pk}", f"/lists/{lst.pk}/edit", "/lists/99999999999999999999"):
        assert client.get(url).status_code == 404
    assert client.post(f"/lists/{lst.pk}/delete").status_code == 404
    assert List.objects.filter(pk=lst.pk).exists()


def test_logged_out_goes_to_login(client: Any) -> None:
    assert client.get("/lists").status_code == 302


def test_timeline_pages(client: Any, ana: Any, run_tasks: Any) -> None:
    bob = ana.following_set.get().target
    lst = actions.create_list(ana, "Bob")
    actions.add_members(ana, lst, [bob])
    with run_tasks():
        for i in range(25):
            publish(bob, text=f"post {i}")
    page = client.get(f"/lists/{lst.pk}").content.decode()
    assert "post 24" in page and "post 4" not in page and "max_id=" in page
    more = client.get(
        f"/lists/{lst.pk}?max_id=" + page.split("max_id=")[1].split('"')[0],
        headers={"HX-Request": "true"},
    )
    assert "post 4" in more.content.decode() and "<html" not in more.content.decode()
