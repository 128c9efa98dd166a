"""Background work for groups: telling members who follow a group closely about new posts."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from groups.models import Membership, MemberState
from network.models import Block, Mute
from notifications.models import Notification, NotificationKind
from plaza import events
from posts.models import Post


@db_task(retries=3, retry_delay=5)
def notify_close_followers(post_id: int) -> int:
    """A new thread in a group: a ``group_post`` notification for each active member who
    follows the group closely (not the author, nobody blocking or muting them). One query to
    find them, one bulk insert. Replies don't notify (they notify the people concerned)."""
    post = Post.objects.filter(pk=post_id).only("author_id", "group_id", "in_reply_to_id").first()
    if post is None or post.group_id is None or post.in_reply_to_id is not None:
        return 0
    author = post.author_id
    recipients = list(
        Membership.objects.filter(
            group_id=post.group_id, state=MemberState.ACTIVE, follow_closely=True
        )
        .exclude(account_id=author)
        .exclude(account_id__in=Block.objects.filter(target_id=author).values("account_id"))
        .exclude(account_id__in=Block.objects.filter(account_id=author).values("target_id"))
        .exclude(
            account_id__in=Mute.objects.filter(target_id=author, notifications=True).values(
                "account_id"
            )
        )
        .values_list("account_id", flat=True)
    )
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=r,
                actor_id=author,
                kind=NotificationKind.GROUP_POST,
                post_id=post_id,
                group_id=post.group_id,
            )
            for r in recipients
        ]
    )
    events.notifications_created(created)
    return len(created)
