"""Web pages of posts: composer, thread, edit and history, bookmarks, who liked/reshared, and
the small POST actions of a post card (each a plain form with an htmx partial on top)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Account, User
from messaging import queries as messaging_queries
from messaging.models import Message
from notifications import actions as notification_actions
from notifications.queries import muted_threads
from plaza.errors import ActionError, NotAllowed, NotFound
from posts import actions, composer, polls
from posts.forms import EditForm, add_action_error
from posts.models import Post
from posts.queries import (
    PostCard,
    bookmarked_posts,
    cards,
    edit_history,
    get_post_for,
    liked_by,
    reshared_by,
    thread,
    visible_posts,
    with_related,
)

MAX_INDENT = 6


# --- helpers ----------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> Account | None:
    user = request.user
    return user.account if isinstance(user, User) and user.is_authenticated else None


def _account(request: HttpRequest) -> Account:
    account = _viewer(request)
    assert account is not None  # guaranteed by @login_required
    return account


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _post_or_404(viewer: Account | None, post_id: Any) -> Post:
    try:
        return get_post_for(viewer, post_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _card(viewer: Account | None, post_id: int) -> PostCard | None:
    posts = list(with_related(visible_posts(viewer).filter(pk=post_id)))
    return cards(viewer, posts)[0] if posts else None


def thread_url(post: Post) -> str:
    return reverse("posts:detail", args=[post.author.username, post.pk])


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """``next`` from the form or query when it points back into this site, else ``fallback``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _max_id(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("max_id", ""))
    except ValueError:
        return None


# --- composer -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    """The full-page composer; also where the inline composers post to."""
    viewer = _account(request)
    try:
        if request.method == "POST":
            state, post = composer.submit(viewer, request)
        else:
            state = composer.start(
                viewer,
                reply_to=request.GET.get("reply_to"),
                quote=request.GET.get("quote"),
                next_url=request.GET.get("next", ""),
            )
            post = None
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if isinstance(post, Message):
        return _sent_direct(request, viewer, post)
    if post is not None:
        messages.success(request, "Your post is live.")
        return redirect(_safe_next(request, thread_url(post)))
    status = 422 if state.has_errors else 200
    return render(request, "posts/compose.html", {"composer": state}, status=status)


def _sent_direct(request: HttpRequest, viewer: Account, message: Message) -> HttpResponse:
    """After a "direct" submission: to the conversation, with a notice saying where it went."""
    view = messaging_queries.get_conversation_for(viewer, message.conversation_id)
    note = f"Sent as a private message to {view.title}."
    if any(p.is_pending for p in view.participants if p.account_id != viewer.pk):
        note += " It waits in their message requests until they accept."
    messages.success(request, note)
    return redirect(reverse("messaging:thread", args=[message.conversation_id]))


# --- thread, history, lists -----------------------------------------------------------------------


def detail(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    """A post with the replies above and below it that the viewer may see."""
    viewer = _viewer(request)
    post = _post_or_404(viewer, post_id)
    if post.reshare_of_id:
        assert post.reshare_of is not None
        return redirect(thread_url(post.reshare_of))
    if post.author.username.lower() != username.lower():
        return redirect(thread_url(post))
    ancestors, descendants = thread(viewer, post)
    focus = list(with_related(visible_posts(viewer).filter(pk=post.pk)))
    all_cards = cards(viewer, [*ancestors, *focus, *descendants])
    n = len(ancestors)
    replies = [
        (card, min(getattr(p, "thread_depth", 1), MAX_INDENT))
        for card, p in zip(all_cards[n + 1 :], descendants, strict=True)
    ]
    reply_composer = None
    if viewer is not None:
        reply_composer = composer.Composer(
            visibility=composer.narrower(viewer.default_visibility, post.visibility),
            next=request.get_full_path(),
            reply_to=all_cards[n],
            text=f"@{post.author.username} " if post.author_id != viewer.pk else "",
        )
    return render(
        request,
        "posts/detail.html",
        {
            "ancestors": all_cards[:n],
            "focus": all_cards[n],
            "replies": replies,
            "composer": reply_composer,
            "thread_muted": bool(muted_threads(viewer, [post])),
        },
    )


def history(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    """Every earlier version of a post, newest first, with when it was current."""
    viewer = _viewer(request)
    post = _post_or_404(viewer, post_id)
    if post.reshare_of_id:
        raise Http404("A reshare has no history.")
    return render(request, "posts/history.html", {"post": post, "versions": edit_history(post)})


def _account_list(request: HttpRequest, username: str, post_id: int, which: str) -> HttpResponse:
    viewer = _viewer(request)
    post = _post_or_404(viewer, post_id)
    original = post.reshare_of if post.reshare_of_id else post
    assert original is not None
    load = liked_by if which == "likes" else reshared_by
    page = load(viewer, original, max_id=_max_id(request))
    next_url = f"{request.path}?max_id={page.next_max_id}" if page.next_max_id else ""
    context = {"post": original, "accounts": page.items, "next_url": next_url, "which": which}
    if _is_htmx(request) and "max_id" in request.GET:
        return render(request, "posts/_account_page.html", context)
    return render(request, "posts/accounts.html", context)


def liked_by_view(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    """Accounts that liked a post."""
    return _account_list(request, username, post_id, "likes")


def reshared_by_view(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    """Accounts that reshared a post."""
    return _account_list(request, username, post_id, "reshares")


@login_required
def bookmarks(request: HttpRequest) -> HttpResponse:
    """The viewer's saved posts, newest bookmark first."""
    viewer = _account(request)
    page = bookmarked_posts(viewer, max_id=_max_id(request))
    next_url = f"{request.path}?max_id={page.next_max_id}" if page.next_max_id else ""
    context = {"cards": cards(viewer, page.items), "next_url": next_url}
    if _is_htmx(request) and "max_id" in request.GET:
        return render(request, "posts/_card_page.html", context)
    return render(request, "posts/bookmarks.html", context)


# --- editing ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    """Change the text or content warning of one's own post."""
    viewer = _account(request)
    post = _post_or_404(viewer, post_id)
    if post.author_id != viewer.pk or post.reshare_of_id:
        raise PermissionDenied("You can only edit your own posts.")
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                actions.edit(
                    viewer,
                    post,
                    text=form.cleaned_data["text"],
                    content_warning=form.cleaned_data["content_warning"],
                )
            except ActionError as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, "Your post was updated.")
                return redirect(thread_url(post))
    else:
        form = EditForm(initial={"text": post.text, "content_warning": post.content_warning})
    status = 422 if form.errors else 200
    return render(request, "posts/edit.html", {"form": form, "post": post}, status=status)


# --- card actions ---------------------------------------------------------------------------------


def _card_action(
    request: HttpRequest, post_id: int, do: Callable[[Account, Post], object]
) -> HttpResponse:
    """Run ``do`` on a post and answer with the re-rendered card (htmx) or a redirect back."""
    viewer = _account(request)
    post = _post_or_404(viewer, post_id)
    error = ""
    try:
        do(viewer, post)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except NotAllowed as exc:
        if not _is_htmx(request):
            raise PermissionDenied(exc.message) from exc
        error = exc.message
    except ActionError as exc:
        error = exc.message
        if not _is_htmx(request):
            messages.error(request, error)
    next_url = _safe_next(request, thread_url(post.reshare_of or post))
    if not _is_htmx(request):
        return redirect(next_url)
    # The card in the list may have been the viewer's own reshare, gone after an unreshare:
    # then show the original in its place.
    card = _card(viewer, post.pk) or _card(viewer, post.reshare_of_id or post.pk)
    context = {"card": card, "next_url": next_url, "error": error}
    return render(request, "posts/_post_response.html", context)


def _make_action(do: Callable[[Account, Post], object], doc: str) -> Callable[..., HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, post_id: int) -> HttpResponse:
        return _card_action(request, post_id, do)

    view.__doc__ = doc
    return view


like = _make_action(actions.like, "Like a post.")
unlike = _make_action(actions.unlike, "Take back a like.")
reshare = _make_action(actions.reshare, "Reshare a post to one's followers.")
unreshare = _make_action(actions.unreshare, "Undo a reshare.")
bookmark = _make_action(actions.bookmark, "Save a post to one's bookmarks.")
unbookmark = _make_action(actions.unbookmark, "Remove a post from one's bookmarks.")
pin = _make_action(actions.pin, "Pin one's own post to one's profile.")
unpin = _make_action(actions.unpin, "Unpin a post from one's profile.")
mute_thread = _make_action(
    notification_actions.mute_thread, "Stop notifications from a post's conversation."
)
unmute_thread = _make_action(
    notification_actions.unmute_thread, "Notifications from a post's conversation again."
)


@login_required
@require_POST
def vote(request: HttpRequest, post_id: int) -> HttpResponse:
    """Vote in a post's poll (``choice``: one option index, several for multiple choice);
    the card comes back with the results."""
    raw = request.POST.getlist("choice")

    def cast(viewer: Account, post: Post) -> object:
        try:
            choices = [int(c) for c in raw]
        except ValueError:
            raise ActionError("That is not one of this poll's options.")
        return polls.vote(viewer, post, choices)

    return _card_action(request, post_id, cast)


@login_required
@require_POST
def delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """Delete one's own post; back to where the viewer was, unless that was the post itself."""
    viewer = _account(request)
    post = _post_or_404(viewer, post_id)
    own_page = thread_url(post)
    try:
        actions.delete(viewer, post)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    fallback = f"/@{viewer.username}"
    next_url = _safe_next(request, fallback)
    if next_url.split("?")[0].rstrip("/") == own_page:
        next_url = fallback
    if _is_htmx(request):
        response = HttpResponse("")
        if request.headers.get("HX-Current-URL", "").split("?")[0].endswith(own_page):
            response["HX-Redirect"] = next_url
        return response
    messages.success(request, "Your post was deleted.")
    return redirect(next_url)
