"""Moderation: reports people send, and the audit log of what moderators did about them.

A :class:`Report` names its target by kind and id (``post``/``account``/``group``/``message``)
rather than by foreign key: the reported post may be removed by the very decision it asks
for, and the report (with a snapshot of what was reported) must outlive it. The account
responsible is kept as ``target_account`` so a moderator sees every report about someone.

Every moderator decision is one :class:`ModerationAction` row — who, what, to whom, why and
when — written by :mod:`moderation.actions` in the same transaction as the decision itself.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from plaza.fields import SnowflakeIdField


class TargetKind(models.TextChoices):
    POST = "post", "Post"
    ACCOUNT = "account", "Account"
    GROUP = "group", "Group"
    MESSAGE = "message", "Message"


class Category(models.TextChoices):
    SPAM = "spam", "Spam"
    HARASSMENT = "harassment", "Harassment or bullying"
    HATE = "hate", "Hate speech"
    VIOLENCE = "violence", "Violence or threats"
    MISINFORMATION = "misinformation", "Misinformation"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


class ActionKind(models.TextChoices):
    REMOVE_CONTENT = "remove_content", "Remove content"
    WARN = "warn", "Warn"
    LIMIT = "limit", "Limit"
    UNLIMIT = "unlimit", "Lift limit"
    SUSPEND = "suspend", "Suspend"
    UNSUSPEND = "unsuspend", "Lift suspension"
    DISMISS = "dismiss", "Dismiss report"
    # A group's moderators, from the group's own pages (groups/audit.py).
    GROUP_BAN = "group_ban", "Ban from group"
    GROUP_UNBAN = "group_unban", "Lift group ban"
    GROUP_REMOVE = "group_remove", "Remove from group"


class Report(models.Model):
    id = SnowflakeIdField()
    reporter = models.ForeignKey(
        Account, null=True, on_delete=models.SET_NULL, related_name="reports_sent"
    )
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    target_id = models.BigIntegerField()
    target_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_about"
    )
    # The group the reported content lives in: its moderators may handle the report.
    group_id = models.BigIntegerField(null=True, blank=True)
    # Posts attached as evidence (a Mastodon report may carry several).
    post_ids = models.JSONField(default=list, blank=True)
    # What was reported, as it read when reported (the post may be edited or removed later).
    snapshot = models.TextField(blank=True)
    # What surrounded the reported content, as the reporter saw it: for a message, its
    # conversation and the few messages before it (``{"conversation_id", "messages": [...]}``);
    # for a group, its handle and name. Shown to staff only, on the report's page.
    context = models.JSONField(default=dict, blank=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    comment = models.TextField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=ActionKind.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One open report per reporter and target: reporting twice adds nothing.
            models.UniqueConstraint(
                fields=["reporter", "target_kind", "target_id"],
                condition=models.Q(status="open"),
                name="report_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="report_queue_idx"),
            models.Index(fields=["target_kind", "target_id"], name="report_target_idx"),
            models.Index(fields=["group_id", "status", "-id"], name="report_group_queue_idx"),
            # "My reports": a reporter's own reports, newest first.
            models.Index(fields=["reporter", "-id"], name="report_mine_idx"),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.category}, {self.target_kind} {self.target_id})"


class ModerationAction(models.Model):
    """One entry of the audit log."""

    id = SnowflakeIdField()
    moderator = models.ForeignKey(
        Account, null=True, on_delete=models.SET_NULL, related_name="moderation_actions"
    )
    action = models.CharField(max_length=16, choices=ActionKind.choices)
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    target_id = models.BigIntegerField()
    target_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group_id = models.BigIntegerField(null=True, blank=True)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    reason = models.TextField(max_length=1000)
    # What the action removed or changed, kept for the record (e.g. a removed post's text).
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["target_account", "-id"], name="modaction_account_idx"),
            models.Index(fields=["group_id", "-id"], name="modaction_group_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_kind} {self.target_id}"
