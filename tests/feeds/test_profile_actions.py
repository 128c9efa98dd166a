"""A profile offers to message and to report the account, except to itself or across a block."""

from __future__ import annotations

import pytest

from network import actions as network
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_profile_has_message_and_report_for_others_only(client):
    ana, ben = make_account("ana_p"), make_account("ben_p")
    client.force_login(ana.user)
    html = client.get("/@ben_p").content.decode()
    assert "/messages/new?to=ben_p" in html
    assert "/report?account=ben_p" in html
    own = client.get("/@ana_p").content.decode()
    assert "/messages/new?to=" not in own
    assert "/report?account=" not in own
    network.block(ana, ben)
    blocked = client.get("/@ben_p").content.decode()
    assert "/messages/new?to=ben_p" not in blocked
