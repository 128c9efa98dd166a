"""Posts, their media, and what people do with them (likes, reshares, bookmarks, pins).

A reshare is itself a :class:`Post` with ``reshare_of`` set and no text of its own, so feeds
are simply lists of posts ordered by id. A quote is a post with text and ``quote_of`` set.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, Visibility
from plaza.fields import SnowflakeIdField


class Hashtag(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="lowercase, without '#'")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class GroupKind(models.TextChoices):
    """What a post in a group is (blank for posts outside groups)."""

    DISCUSSION = "discussion", "Discussion"
    QUESTION = "question", "Question"
    ANNOUNCEMENT = "announcement", "Announcement"


class Post(models.Model):
    id = SnowflakeIdField()
    author = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(blank=True, help_text="source as typed")
    html = models.TextField(blank=True, help_text="rendered and sanitized")
    content_warning = models.CharField(max_length=500, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    in_reply_to_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The first post of the thread; equal to ``self`` for a thread's first post.
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reshare_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reshares"
    )
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    mentions = models.ManyToManyField(Account, through="Mention", related_name="mentioned_in")
    hashtags = models.ManyToManyField(Hashtag, through="PostHashtag", related_name="posts")
    replies_count = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveIntegerField(default=0)
    reshares_count = models.PositiveIntegerField(default=0)
    quotes_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # The language the post is written in (an ISO 639 code, plaza.languages; "" unknown).
    language = models.CharField(max_length=8, blank=True, default="", db_default="")
    # Posts in a group: who reads them is the group's rule (see groups.models).
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    group_kind = models.CharField(max_length=16, choices=GroupKind.choices, blank=True)
    # A question marked answered by its asker.
    answered_at = models.DateTimeField(null=True, blank=True)
    # Whether a Poll hangs off this post: feeds load polls only for the posts that have one,
    # so a page without polls costs no query for them.
    has_poll = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            models.Index(fields=["group", "-id"], name="post_group_idx"),
            # A group's feed lists its threads (first posts): without this SQLite walks the
            # in_reply_to index (mostly NULLs) over the whole table.
            models.Index(
                fields=["group", "-id"],
                condition=Q(group__isnull=False, in_reply_to__isnull=True),
                name="post_group_thread_idx",
            ),
            models.Index(fields=["author", "-id"], name="post_author_idx"),
            models.Index(fields=["visibility", "-id"], name="post_visibility_idx"),
            models.Index(fields=["thread_root", "id"], name="post_thread_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reshare_of__isnull=True) | Q(text=""), name="reshare_has_no_text"
            ),
            models.UniqueConstraint(
                fields=["author", "reshare_of"],
                condition=Q(reshare_of__isnull=False),
                name="one_reshare_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.id} by {self.author_id}"

    @property
    def is_reshare(self) -> bool:
        return self.reshare_of_id is not None

    @property
    def is_broadcast(self) -> bool:
        """A post to the author's audience, not a reply to someone else (METRICS.md)."""
        return self.reshare_of_id is None and (
            self.in_reply_to_account_id is None or self.in_reply_to_account_id == self.author_id
        )


class PostEdit(models.Model):
    """A previous version of a post, kept so edits have a visible history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    content_warning = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(help_text="when this version was current from")

    class Meta:
        ordering = ["id"]


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    account = models.ForeignKey(Account, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="mention_unique")]
        indexes = [models.Index(fields=["account", "-post"], name="mention_account_idx")]


class PostHashtag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "hashtag"], name="post_hashtag_unique")
        ]
        indexes = [models.Index(fields=["hashtag", "-post"], name="post_hashtag_feed_idx")]


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    DOCUMENT = "document", "Document"


class MediaState(models.TextChoices):
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class MediaAttachment(models.Model):
    """An uploaded image, video or PDF document. Uploaded first, attached to a post later."""

    id = SnowflakeIdField()
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=MediaKind.choices)
    state = models.CharField(
        max_length=16, choices=MediaState.choices, default=MediaState.PROCESSING
    )
    file = models.FileField(upload_to="media/%Y/%m/")
    thumbnail = models.ImageField(upload_to="thumbs/%Y/%m/", blank=True)
    # A still image for videos and the first page of documents.
    preview = models.ImageField(upload_to="previews/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    blurhash = models.CharField(max_length=100, blank=True)
    alt_text = models.TextField(max_length=1500, blank=True)
    # Focal point (Mastodon's ``focus``): -1..1 from left to right and bottom to top; crops
    # keep it in view. None: the centre.
    focus_x = models.FloatField(null=True, blank=True)
    focus_y = models.FloatField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["post", "position"], name="media_post_idx")]

    @property
    def object_position(self) -> str:
        """CSS ``object-position`` that keeps the focal point in view when a card crops the
        image ("50.0% 50.0%": the centre). Focus y runs bottom (-1) to top (1), CSS down."""
        x = 0.0 if self.focus_x is None else self.focus_x
        y = 0.0 if self.focus_y is None else self.focus_y
        return f"{(x + 1) * 50:.1f}% {(1 - y) * 50:.1f}%"


class Like(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="like_unique")]
        indexes = [models.Index(fields=["post", "-id"], name="like_post_idx")]


class Bookmark(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="bookmark_unique")]


class Pin(models.Model):
    """A post its author pinned to the top of their profile."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pins")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="pin_unique")]


class Poll(models.Model):
    """A poll on a post (one per post; its id is the post's). Counters are kept by
    :mod:`posts.polls` with F() updates; ``ended_at`` is set once the end has been announced
    (the author and the voters notified)."""

    post = models.OneToOneField(
        Post, primary_key=True, on_delete=models.CASCADE, related_name="poll"
    )
    expires_at = models.DateTimeField()
    multiple = models.BooleanField(default=False)
    # Per-option counts stay hidden from everyone until the poll ends (Mastodon's hide_totals).
    hide_totals = models.BooleanField(default=False)
    votes_count = models.PositiveIntegerField(default=0)
    voters_count = models.PositiveIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The periodic sweep: polls past their end that were not announced yet.
            models.Index(
                fields=["expires_at"], condition=Q(ended_at__isnull=True), name="poll_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"poll on post {self.post_id}"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def show_totals(self) -> bool:
        """Whether per-option counts may be shown (always, or once it has ended)."""
        return not self.hide_totals or self.expired

    @property
    def option_list(self) -> list[PollOption]:
        """The options in order: as loaded with the post (posts.queries), else one query."""
        loaded = self.__dict__.get("_loaded_options")
        if loaded is None:
            loaded = self.__dict__["_loaded_options"] = list(self.options.order_by("position"))
        return loaded

    def percent(self, option: PollOption) -> int:
        """An option's share, rounded: of the voters for a multiple-choice poll (the shares
        then add up to more than 100), of the votes otherwise (as Mastodon's clients draw it)."""
        total = self.voters_count if self.multiple else self.votes_count
        return round(option.votes_count * 100 / total) if total else 0


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=50)
    votes_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="poll_option_position")
        ]

    def __str__(self) -> str:
        return self.title


class PollVote(models.Model):
    """One choice of one voter. A ballot of a multiple-choice poll is several rows;
    ``choice_number`` 0 marks each ballot's first, so "one ballot per account and poll" is a
    unique index even for multiple choice (two racing ballots can't both get in)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    choice_number = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "account"], name="poll_vote_unique"),
            models.UniqueConstraint(
                fields=["poll", "account"],
                condition=Q(choice_number=0),
                name="poll_one_ballot",
            ),
        ]
        indexes = [models.Index(fields=["account", "poll"], name="poll_vote_account_idx")]
