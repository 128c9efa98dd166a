"""Writes to the full-text index (the only ones): posts, accounts and groups.

Posts are indexed by a task queued on commit when they are published or edited
(:mod:`search.signals`), removed in the same transaction as their deletion; accounts and
groups are re-indexed in the transaction that saves them (one row, and people expect to find
a profile or a group the moment it exists). ``rebuild`` re-creates everything in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, transaction

from accounts.models import Account
from posts.models import Hashtag, MediaAttachment, Post, PostHashtag
from search.backends import AccountDoc, GroupDoc, PostDoc, backend, normalise, words

BATCH = 1000


def tag_token(name: str) -> str:
    """A hashtag as one index word: ``data_eng`` → ``dataeng`` (as the query parser does)."""
    return "".join(words(name))


def _post_docs(posts: Sequence[Post]) -> list[PostDoc]:
    """Documents for ``posts`` (reshares have no text and are skipped): one query for their
    hashtags and media, and one for their authors unless they were loaded with them
    (``select_related("author")``)."""
    posts = [p for p in posts if p.reshare_of_id is None]
    if not posts:
        return []
    ids = [p.pk for p in posts]
    tags: dict[int, list[str]] = {}
    with_media: set[int] = set()
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ph.post_id, h.name FROM {q(PostHashtag._meta.db_table)} ph "
            f"JOIN {q(Hashtag._meta.db_table)} h ON h.id = ph.hashtag_id "
            f"WHERE ph.post_id IN ({marks}) UNION ALL "
            f"SELECT DISTINCT post_id, NULL FROM {q(MediaAttachment._meta.db_table)} "
            f"WHERE post_id IN ({marks})",
            [*ids, *ids],
        )
        for post_id, name in cursor.fetchall():
            if name is None:
                with_media.add(post_id)  # a row of the media half
            else:
                tags.setdefault(post_id, []).append(tag_token(name))
    loaded = {p.author_id: p.author for p in posts if Post.author.is_cached(p)}
    missing = {p.author_id for p in posts} - set(loaded)
    authors = Account.objects.only("username", "display_name").in_bulk(missing) if missing else {}
    authors.update(loaded)
    docs = []
    for p in posts:
        author = authors.get(p.author_id)
        docs.append(
            PostDoc(
                id=p.pk,
                author_id=p.author_id,
                body=normalise(f"{p.content_warning} {p.text}"),
                author=normalise(f"{author.username} {author.display_name}") if author else "",
                tags=" ".join(tags.get(p.pk, [])),
                has_media=p.pk in with_media,
                group_id=getattr(p, "group_id", None),
            )
        )
    return docs


def index_posts(post_ids: Sequence[int], *, posts: Sequence[Post] | None = None) -> int:
    """(Re-)index these posts as they are now; ids of deleted posts are removed. Idempotent.

    ``posts``: these very posts, just loaded by the caller (best with their authors,
    ``select_related("author")``): not read again."""
    if posts is None:
        posts = list(Post.objects.select_related("author").filter(pk__in=list(post_ids)))
    docs = _post_docs(posts)
    engine = backend()
    gone = set(post_ids) - {d.id for d in docs}
    if not gone and len(docs) == 1 and connection.vendor == "postgresql":
        engine.upsert_posts(docs)  # one statement: no transaction of its own needed
        return 1
    with transaction.atomic():
        engine.delete_posts(sorted(gone))
        engine.upsert_posts(docs)
    return len(docs)


def unindex_posts(post_ids: Sequence[int]) -> None:
    """Remove posts from the index (they are being deleted)."""
    backend().delete_posts(list(post_ids))


def account_doc(account: Account) -> AccountDoc:
    return AccountDoc(
        id=account.pk,
        username=normalise(account.username),
        name=normalise(account.display_name),
        bio=normalise(account.bio),
    )


def index_accounts(accounts: Sequence[Account]) -> None:
    """(Re-)index these accounts' names and bios."""
    backend().upsert_accounts([account_doc(a) for a in accounts])


def unindex_accounts(account_ids: Sequence[int]) -> None:
    backend().delete_accounts(list(account_ids))


def group_doc(group: Any) -> GroupDoc:
    """A group's document: name, handle, description and topic tags (as one word each)."""
    topics = group.topics if isinstance(group.topics, list) else []
    return GroupDoc(
        id=group.pk,
        name=normalise(group.name),
        handle=normalise(group.handle),
        description=normalise(group.description),
        topics=" ".join(tag_token(str(t)) for t in topics),
    )


def index_groups(groups: Sequence[Any]) -> None:
    """(Re-)index these groups (any visibility: who may find them is decided at read time)."""
    backend().upsert_groups([group_doc(g) for g in groups])


def unindex_groups(group_ids: Sequence[int]) -> None:
    backend().delete_groups(list(group_ids))


def _group_model() -> Any:
    try:
        from groups.models import Group
    except ImportError:  # pragma: no cover - groups not installed
        return None
    return Group


def rebuild_groups(
    progress: Callable[[str, int], None] | None = None, *, batch: int = BATCH
) -> int:
    """Index every group again (groups are few: thousands). Returns how many."""
    group_model = _group_model()
    if group_model is None:
        return 0
    done = 0
    last = 0
    while True:
        groups = list(group_model.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not groups:
            break
        with transaction.atomic():
            index_groups(groups)
        last = groups[-1].pk
        done += len(groups)
        if progress:
            progress("groups", len(groups))
    return done


def rebuild(progress: Callable[[str, int], None] | None = None, *, batch: int = BATCH) -> dict:
    """Empty the index and index every account, group and post again, in id order, ``batch``
    rows per transaction, then optimize it (statistics, merged segments). ``progress(kind,
    n)`` is called after each batch with its size."""
    engine = backend()
    engine.clear()
    counts = {"accounts": 0, "groups": 0, "posts": 0}
    last = 0
    while True:
        accounts = list(Account.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not accounts:
            break
        with transaction.atomic():
            index_accounts(accounts)
        last = accounts[-1].pk
        counts["accounts"] += len(accounts)
        if progress:
            progress("accounts", len(accounts))
    counts["groups"] = rebuild_groups(progress, batch=batch)
    last = 0
    while True:
        posts = list(Post.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not posts:
            break
        docs = _post_docs(posts)
        with transaction.atomic():
            engine.upsert_posts(docs)
        last = posts[-1].pk
        counts["posts"] += len(docs)
        if progress:
            progress("posts", len(posts))
    engine.optimize()
    return counts
