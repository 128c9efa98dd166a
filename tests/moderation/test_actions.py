"""Reports and moderator decisions, through the actions: every decision is in the audit log."""

from __future__ import annotations

import pytest

from moderation import actions
from moderation.models import ActionKind, ModerationAction, Report, ReportStatus
from moderation.queries import target_for_account, target_for_post
from notifications.models import Notification, NotificationKind
from plaza.errors import ActionError, NotAllowed, NotFound
from posts.actions import publish
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _report(reporter, post, category="spam", comment=""):
    return actions.report(
        reporter, target_for_post(reporter, post.pk), category=category, comment=comment
    )


def test_report_a_post_and_dedupe_open_reports():
    ana, troll = make_account("ana"), make_account("troll")
    post = publish(troll, text="buy followers now")
    report = _report(ana, post, comment="  obvious spam ")
    assert report.status == ReportStatus.OPEN
    assert (report.target_kind, report.target_id, report.target_account) == (
        "post",
        post.pk,
        troll,
    )
    assert report.snapshot == "buy followers now" and report.comment == "obvious spam"
    # The same reporter and target while open: the same report, nothing new.
    assert _report(ana, post, category="hate").pk == report.pk
    assert Report.objects.count() == 1


def test_report_refuses_bad_input_and_self_reports():
    ana, bob = make_account("ana"), make_account("bob")
    post = publish(ana, text="mine")
    with pytest.raises(ActionError, match="yourself"):
        _report(ana, post)
    with pytest.raises(ActionError) as exc:
        _report(bob, post, category="nonsense")
    assert exc.value.field == "category"
    with pytest.raises(ActionError) as exc:
        _report(bob, post, comment="x" * 1001)
    assert exc.value.field == "comment"
    assert not Report.objects.exists()


def test_cannot_report_a_post_you_cannot_see():
    ana, bob = make_account("ana"), make_account("bob")
    secret = publish(bob, text="followers only", visibility="followers")
    with pytest.raises(NotFound):
        target_for_post(ana, secret.pk)


def test_account_report_keeps_only_the_accounts_visible_posts():
    ana, troll, other = make_account("ana"), make_account("troll"), make_account("other")
    one, two = publish(troll, text="one"), publish(troll, text="two")
    elsewhere = publish(other, text="not troll's")
    target = target_for_account(ana, troll, [one.pk, two.pk, elsewhere.pk])
    assert target.kind == "account" and sorted(target.post_ids) == sorted([one.pk, two.pk])


def test_dismiss_records_the_decision_and_tells_the_reporter(staff):
    ana, troll = make_account("ana"), make_account("troll")
    report = _report(ana, publish(troll, text="meh"))
    entry = actions.resolve(staff, report, ActionKind.DISMISS, "Not against the rules")
    report.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED and report.outcome == "dismiss"
    assert report.resolved_by == staff and report.resolved_at is not None
    assert (entry.moderator, entry.action, entry.reason, entry.report) == (
        staff,
        "dismiss",
        "Not against the rules",
        report,
    )
    notice = Notification.objects.get(recipient=ana)
    assert notice.kind == NotificationKind.REPORT_RESOLVED and notice.actor == staff
    with pytest.raises(ActionError, match="already been decided"):
        actions.resolve(staff, report, ActionKind.WARN, "again")


def test_remove_content_deletes_the_post_keeps_its_text_and_closes_every_report(staff):
    ana, bob, troll = make_account("ana"), make_account("bob"), make_account("troll")
    post = publish(troll, text="hateful words")
    first, second = _report(ana, post, "hate"), _report(bob, post, "hate")
    actions.resolve(staff, first, ActionKind.REMOVE_CONTENT, "Hate speech, rule 2")
    assert not Post.objects.filter(pk=post.pk).exists()
    entry = ModerationAction.objects.get()
    assert entry.action == "remove_content" and entry.details["text"] == "hateful words"
    assert entry.target_account == troll
    for r in (first, second):
        r.refresh_from_db()
        assert r.status == ReportStatus.RESOLVED and r.outcome == "remove_content"
    recipients = set(
        Notification.objects.filter(kind="report_resolved").values_list("recipient", flat=True)
    )
    assert recipients == {ana.pk, bob.pk}


def test_warn_limit_suspend_each_logged(staff):
    ana, troll = make_account("ana"), make_account("troll")
    first, second, third = (_report(ana, publish(troll, text=t)) for t in ("a", "b", "c"))
    actions.resolve(staff, first, ActionKind.WARN, "First warning")
    troll.refresh_from_db()
    assert troll.warnings_count == 1
    assert Notification.objects.filter(recipient=troll, kind="moderation_warning").exists()
    actions.resolve(staff, second, ActionKind.LIMIT, "Keeps spamming")
    troll.refresh_from_db()
    assert troll.limited_at is not None
    actions.resolve(staff, third, ActionKind.SUSPEND, "Third strike")
    troll.refresh_from_db()
    assert troll.suspended_at is not None and not troll.user.is_active
    actions.unsuspend(staff, troll, "Appeal accepted")
    actions.unlimit(staff, troll, "Appeal accepted")
    troll.refresh_from_db()
    assert troll.suspended_at is None and troll.limited_at is None and troll.user.is_active
    log = list(ModerationAction.objects.order_by("id").values_list("action", "moderator", "reason"))
    assert log == [
        ("warn", staff.pk, "First warning"),
        ("limit", staff.pk, "Keeps spamming"),
        ("suspend", staff.pk, "Third strike"),
        ("unsuspend", staff.pk, "Appeal accepted"),
        ("unlimit", staff.pk, "Appeal accepted"),
    ]


def test_decisions_need_a_reason_and_write_nothing_without_one(staff):
    troll = make_account("troll")
    with pytest.raises(ActionError) as exc:
        actions.suspend(staff, troll, "   ")
    assert exc.value.field == "reason"
    troll.refresh_from_db()
    assert troll.suspended_at is None and troll.user.is_active
    assert not ModerationAction.objects.exists()


def test_non_staff_cannot_moderate():
    ana, bob, troll = make_account("ana"), make_account("bob"), make_account("troll")
    report = _report(ana, publish(troll, text="x"))
    with pytest.raises(NotFound):
        actions.resolve(bob, report, ActionKind.DISMISS, "nope")
    with pytest.raises(NotAllowed):
        actions.suspend(bob, troll, "nope")
    with pytest.raises(NotFound):
        actions.remove_content(bob, Post.objects.get(), "nope")
    assert not ModerationAction.objects.exists()


def test_staff_cannot_be_suspended_here_nor_act_on_themselves(staff):
    other = make_account("other")
    other.user.is_staff = True
    other.user.save()
    with pytest.raises(NotAllowed):
        actions.suspend(staff, other, "no")
    with pytest.raises(ActionError):
        actions.warn(staff, staff, "no")
