"""Ninety days of activity: posts, threads, reshares, quotes, media, likes and notifications.

Events are generated in time order in memory, then written with plain INSERTs. Post ids are
snowflakes of their ``created_at``, so keyset pages by id are pages by time, as in production.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db.models import FileField

from accounts.models import AccountKind, Visibility
from demo import images, texts
from demo.bulk import SnowflakeMaker, bulk_insert
from demo.people import Graph, Member
from notifications.models import Notification, NotificationKind
from posts.models import (
    Hashtag,
    Like,
    MediaAttachment,
    MediaKind,
    MediaState,
    Mention,
    Post,
    PostHashtag,
)
from posts.text import render

Tick = Callable[[int], object]
NOTIFY_DAYS = 14
OPEN = (Visibility.PUBLIC, Visibility.UNLISTED)


@dataclass
class Activity:
    posts: list[Post] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    tags: list[tuple[int, str]] = field(default_factory=list)  # (post id, hashtag name)
    media: list[MediaAttachment] = field(default_factory=list)
    likes: list[Like] = field(default_factory=list)


def _times(
    rng: random.Random, count: int, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """Times spread over the window, busier in the day (UTC-ish office hours) and recently."""
    span = (end - start).total_seconds()
    out = []
    for _ in range(count):
        # sqrt skews towards the end of the window: communities grow.
        offset = span * rng.random() ** 0.8
        when = start + dt.timedelta(seconds=offset)
        if rng.random() < 0.6:  # pull most posts into 7:00-22:00
            when = when.replace(hour=rng.randint(7, 21))
        out.append(min(when, end))
    out.sort()
    return out


def _visibility(rng: random.Random, member: Member) -> str:
    if member.account.locked:
        return Visibility.FOLLOWERS if rng.random() < 0.8 else Visibility.PUBLIC
    r = rng.random()
    if r < 0.86:
        return Visibility.PUBLIC
    if r < 0.90:
        return Visibility.UNLISTED
    if r < 0.96:
        return Visibility.FOLLOWERS
    return Visibility.CONNECTIONS


def _save(model_field: str, instance: MediaAttachment, name: str, data: bytes) -> str:
    f = MediaAttachment._meta.get_field(model_field)
    assert isinstance(f, FileField)
    return f.storage.save(f.generate_filename(instance, name), ContentFile(data))


def _attach_images(
    rng: random.Random, post: Post, topic: str, ids: SnowflakeMaker, out: list[MediaAttachment]
) -> None:
    for position in range(rng.choice([1, 1, 1, 2, 3])):
        if rng.random() < 0.5:
            title = rng.choice(
                ["Weekly sign-ups", "Newsletter opens", "Pipeline runtime (min)", "Bags roasted",
                 "Books sold", "Meetup RSVPs", "Applications received", "Active users"]
            )  # fmt: skip
            img = images.chart(rng, title)
        else:
            img = images.abstract_art(rng)
        m = MediaAttachment(
            id=ids(post.created_at),
            account_id=post.author_id,
            post_id=post.pk,
            position=position,
            kind=MediaKind.IMAGE,
            state=MediaState.READY,
            content_type="image/png",
            original_name=f"{topic}-{position + 1}.png",
            size_bytes=len(img.data),
            width=img.width,
            height=img.height,
            blurhash=img.blurhash,
            alt_text=img.alt_text,
            created_at=post.created_at,
        )
        m.file.name = _save("file", m, f"{m.pk}.png", img.data)
        m.thumbnail.name = _save("thumbnail", m, f"{m.pk}.jpg", img.thumbnail)
        out.append(m)


def _attach_document(
    rng: random.Random,
    post: Post,
    title: str,
    author_name: str,
    ids: SnowflakeMaker,
    out: list[MediaAttachment],
) -> None:
    doc = images.document(rng, title, author_name, pages=rng.randint(3, 6))
    m = MediaAttachment(
        id=ids(post.created_at),
        account_id=post.author_id,
        post_id=post.pk,
        position=0,
        kind=MediaKind.DOCUMENT,
        state=MediaState.READY,
        content_type="application/pdf",
        original_name=f"{title}.pdf",
        size_bytes=len(doc.pdf),
        width=doc.width,
        height=doc.height,
        page_count=doc.page_count,
        blurhash=doc.blurhash,
        alt_text=f"{title} — a {doc.page_count}-page PDF by {author_name}.",
        created_at=post.created_at,
    )
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    m.file.name = _save("file", m, f"{slug}.pdf", doc.pdf)
    m.preview.name = _save("preview", m, f"{m.pk}.jpg", doc.preview)
    m.thumbnail.name = m.preview.name
    out.append(m)


def generate(
    rng: random.Random,
    members: list[Member],
    graph: Graph,
    *,
    count: int,
    window_start: dt.datetime,
    now: dt.datetime,
    ids: SnowflakeMaker,
    max_images: int,
    max_documents: int,
    tick: Tick,
) -> Activity:
    """Posts (originals, replies, reshares, quotes) with their mentions, tags and media."""
    act = Activity()
    by_id = {m.id: m for m in members}
    demo = members[0]
    weights = [m.activity for m in members]
    open_posts: list[Post] = []  # public/unlisted, not reshares: what can be replied to/shared
    reshared: set[tuple[int, int]] = set()
    last_text: dict[int, str] = {}
    images_left, docs_left = max_images, max_documents
    recent_cut = now - dt.timedelta(days=10)
    for when in _times(rng, count, window_start, now - dt.timedelta(minutes=5)):
        member = rng.choices(members, weights=weights)[0]
        author = member.account
        following = list(graph.following.get(author.pk, ()))
        r = rng.random()
        post = Post(
            id=ids(when), author_id=author.pk, created_at=when, visibility=Visibility.PUBLIC
        )
        target: Post | None = None
        if open_posts and r >= 0.6:
            window = open_posts[-300:]
            if when > recent_cut and rng.random() < 0.12:
                mine = [p for p in window if p.author_id == demo.id]
                target = mine[-1] if mine else None
            if target is None:
                for _ in range(6):
                    target = rng.choice(window)
                    if target.author_id in graph.following.get(author.pk, ()):
                        break
        mention_pool = [u for u in following if u != author.pk] or [
            m.id for m in rng.sample(members, k=min(3, len(members))) if m.id != author.pk
        ]
        if target is not None and r < 0.82:
            # A reply, sometimes addressed by name.
            parent_author = by_id[target.author_id].account
            extra = by_id[rng.choice(mention_pool)].account.username if mention_pool else None
            text = texts.reply_text(rng, extra if rng.random() < 0.3 else None)
            if parent_author.pk != author.pk and rng.random() < 0.35:
                text = f"@{parent_author.username} {text}"
            post.text = text
            post.in_reply_to_id = target.pk
            post.in_reply_to_account_id = target.author_id
            post.thread_root_id = target.thread_root_id or target.pk
        elif (
            target is not None
            and r < 0.92
            and target.author_id != author.pk
            and (author.pk, target.pk) not in reshared
        ):
            reshared.add((author.pk, target.pk))
            post.reshare_of_id = target.pk
        elif target is not None:
            post.text = texts.quote_text(
                rng, member.topic, by_id[target.author_id].account.username
            )
            post.quote_of_id = target.pk
        else:
            post.visibility = _visibility(rng, member)
            mention: str | None = None
            if mention_pool:
                mention_id = rng.choice(mention_pool)
                if when > recent_cut and author.pk != demo.id and rng.random() < 0.1:
                    mention_id = demo.id
                mention = by_id[mention_id].account.username
            topic = member.topic if rng.random() < 0.8 else rng.choice(list(texts.TOPICS))
            post.text = texts.post_text(rng, topic, mention)
            for _ in range(4):  # don't say the same thing twice in a row
                if last_text.get(author.pk, "")[:24] != post.text[:24]:
                    break
                post.text = texts.post_text(rng, topic, mention)
            last_text[author.pk] = post.text
            if (
                docs_left
                and (author.kind == AccountKind.ORGANIZATION or rng.random() < 0.2)
                and rng.random() < 0.06
            ):
                docs_left -= 1
                title = rng.choice(texts.DOC_TITLES[topic])
                post.text = f"New: “{title}” — a free PDF for anyone working on #{texts.TOPICS[topic][0][0]}. Grab it below."
                _attach_document(rng, post, title, author.display_name, ids, act.media)
            elif images_left > 0 and rng.random() < 0.08:
                before = len(act.media)
                _attach_images(rng, post, topic, ids, act.media)
                images_left -= len(act.media) - before
        if post.text:
            names = {u.lower() for u in render(post.text).mentions}
            known = (
                [
                    m.account
                    for m in members
                    if m.account.username.lower() in names and m.id != author.pk
                ]
                if names
                else []
            )
            rendered = render(post.text, known_mentions={a.username for a in known})
            post.html = rendered.html
            act.mentions += [Mention(post_id=post.pk, account_id=a.pk) for a in known]
            act.tags += [(post.pk, t) for t in rendered.hashtags]
        act.posts.append(post)
        if post.reshare_of_id is None and post.visibility in OPEN:
            open_posts.append(post)
        tick(1)
    _ensure_media(rng, act, members, ids, images_left, docs_left)
    return act


def _ensure_media(
    rng: random.Random,
    act: Activity,
    members: list[Member],
    ids: SnowflakeMaker,
    images_left: int,
    docs_left: int,
) -> None:
    """Small seeds may roll no media at all; give the latest plain posts one of each."""
    kinds = {m.kind for m in act.media}
    by_id = {m.id: m for m in members}
    plain = [
        p for p in reversed(act.posts)
        if p.reshare_of_id is None and p.in_reply_to_id is None and p.quote_of_id is None
        and not any(m.post_id == p.pk for m in act.media)
    ]  # fmt: skip
    if MediaKind.IMAGE not in kinds and images_left > 0 and plain:
        post = plain.pop(0)
        _attach_images(rng, post, by_id[post.author_id].topic, ids, act.media)
    if MediaKind.DOCUMENT not in kinds and docs_left > 0 and plain:
        post = plain.pop(0)
        member = by_id[post.author_id]
        _attach_document(
            rng,
            post,
            texts.DOC_TITLES[member.topic][0],
            member.account.display_name,
            ids,
            act.media,
        )


def likes_and_notifications(
    rng: random.Random,
    members: list[Member],
    graph: Graph,
    act: Activity,
    *,
    now: dt.datetime,
    ids: SnowflakeMaker,
    notifications: list[Notification],
) -> None:
    """Likes from each post's audience (heavy-tailed), then notifications for the last two
    weeks of likes, replies, reshares, quotes and mentions, as the actions send them."""
    by_post = {p.pk: p for p in act.posts}
    all_ids = [m.id for m in members]
    popularity = {m.id: m.weight for m in members}
    top = max(popularity.values())
    for post in act.posts:
        if post.reshare_of_id is not None:
            continue
        author = post.author_id
        if post.visibility == Visibility.CONNECTIONS:
            pool = list(graph.connected.get(author, ()))
        elif post.visibility == Visibility.FOLLOWERS:
            pool = list(graph.audience(author))
        else:
            pool = list(graph.audience(author)) + rng.sample(all_ids, k=min(10, len(all_ids)))
        if not pool:
            continue
        share = rng.paretovariate(2.2) * 0.04 * (0.5 + popularity[author] / top)
        n = min(len(pool), int(len(pool) * share))
        likers = {a for a in rng.sample(pool, k=n) if a != author}
        for liker in likers:
            when = min(post.created_at + dt.timedelta(hours=rng.expovariate(1 / 6)), now)
            act.likes.append(Like(account_id=liker, post_id=post.pk, created_at=when))

    cutoff = now - dt.timedelta(days=NOTIFY_DAYS)

    def note(recipient: int, actor: int, kind: str, post_id: int, when: dt.datetime) -> None:
        if recipient == actor or when < cutoff:
            return
        read = (
            when + dt.timedelta(hours=rng.uniform(1, 30))
            if when < now - dt.timedelta(days=2)
            else None
        )
        notifications.append(
            Notification(
                id=ids(when),
                recipient_id=recipient,
                actor_id=actor,
                kind=kind,
                post_id=post_id,
                read_at=min(read, now) if read else None,
                created_at=when,
            )
        )

    mentioned: dict[int, list[int]] = {}
    for m in act.mentions:
        mentioned.setdefault(m.post_id, []).append(m.account_id)
    for like in act.likes:
        note(
            by_post[like.post_id].author_id,
            like.account_id,
            NotificationKind.LIKE,
            like.post_id,
            like.created_at,
        )
    for post in act.posts:
        replied_to = None
        if post.in_reply_to_id is not None:
            replied_to = by_post[post.in_reply_to_id].author_id
            note(replied_to, post.author_id, NotificationKind.REPLY, post.pk, post.created_at)
        if post.quote_of_id is not None:
            quoted = by_post[post.quote_of_id].author_id
            note(quoted, post.author_id, NotificationKind.QUOTE, post.pk, post.created_at)
        if post.reshare_of_id is not None:
            original = by_post[post.reshare_of_id]
            note(
                original.author_id,
                post.author_id,
                NotificationKind.RESHARE,
                original.pk,
                post.created_at,
            )
        for account in mentioned.get(post.pk, ()):
            if account != replied_to:
                note(account, post.author_id, NotificationKind.MENTION, post.pk, post.created_at)


def store(act: Activity) -> None:
    """Write the posts and everything hanging off them."""
    bulk_insert(act.posts)
    bulk_insert(act.mentions)
    names = sorted({name for _, name in act.tags})
    Hashtag.objects.bulk_create([Hashtag(name=n) for n in names], ignore_conflicts=True)
    tag_ids = dict(Hashtag.objects.filter(name__in=names).values_list("name", "id"))
    unique = sorted(set(act.tags))
    bulk_insert([PostHashtag(post_id=pid, hashtag_id=tag_ids[name]) for pid, name in unique])
    bulk_insert(act.media)
    bulk_insert(act.likes)
