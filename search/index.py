"""Writes to the full-text index (the only ones): posts and accounts.

Posts are indexed by a task queued on commit when they are published or edited
(:mod:`search.signals`), removed in the same transaction as their deletion; accounts are
re-indexed in the transaction that saves them (one row, and people expect to find a profile
the moment it exists). ``rebuild`` re-creates everything in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction

from accounts.models import Account
from posts.models import MediaAttachment, Post, PostHashtag
from search.backends import AccountDoc, PostDoc, backend, normalise, words

BATCH = 1000


def tag_token(name: str) -> str:
    """A hashtag as one index word: ``data_eng`` → ``dataeng`` (as the query parser does)."""
    return "".join(words(name))


def _post_docs(posts: Sequence[Post]) -> list[PostDoc]:
    """Documents for ``posts`` (reshares have no text and are skipped): three queries."""
    posts = [p for p in posts if p.reshare_of_id is None]
    if not posts:
        return []
    ids = [p.pk for p in posts]
    tags: dict[int, list[str]] = {}
    for post_id, name in PostHashtag.objects.filter(post_id__in=ids).values_list(
        "post_id", "hashtag__name"
    ):
        tags.setdefault(post_id, []).append(tag_token(name))
    with_media = set(
        MediaAttachment.objects.filter(post_id__in=ids).values_list("post_id", flat=True)
    )
    authors = Account.objects.only("username", "display_name").in_bulk({p.author_id for p in posts})
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
            )
        )
    return docs


def index_posts(post_ids: Sequence[int]) -> int:
    """(Re-)index these posts as they are now; ids of deleted posts are removed. Idempotent."""
    posts = list(Post.objects.filter(pk__in=list(post_ids)))
    docs = _post_docs(posts)
    engine = backend()
    with transaction.atomic():
        gone = set(post_ids) - {d.id for d in docs}
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


def rebuild(progress: Callable[[str, int], None] | None = None, *, batch: int = BATCH) -> dict:
    """Empty the index and index every account and post again, in id order, ``batch`` rows
    per transaction. ``progress(kind, n)`` is called after each batch with its size."""
    engine = backend()
    engine.clear()
    counts = {"accounts": 0, "posts": 0}
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
    return counts
