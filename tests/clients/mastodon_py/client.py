"""Scenarios that drive Plaza through Mastodon.py, unmodified, as a real application would.

Run by ``tests/clients/test_mastodon_py.py`` in a separate virtualenv (Mastodon.py's import name
``mastodon`` is also our Django app's), from outside the repository:

    python client.py SCENARIO < config.json

The config (JSON on stdin) names the server and its provisioned users and tokens. The script
prints one JSON object: ``{"ok": true, "result": {...}}`` or ``{"ok": false, "error": "...",
"traceback": "..."}`` — the test asserts on it. Only the standard library, Mastodon.py and
requests (its own dependency) are used here.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import secrets
import struct
import sys
import threading
import time
import traceback
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

# Imported by name at run time: statically, "mastodon" would resolve to Plaza's own app.
_mastodon_py = importlib.import_module("mastodon")
Mastodon: Any = _mastodon_py.Mastodon
StreamListener: Any = _mastodon_py.StreamListener
MastodonError: Any = _mastodon_py.MastodonError

SCOPES = ["read", "write", "follow", "push"]
OOB = "urn:ietf:wg:oauth:2.0:oob"
# Never contacted: the code is read from the Location header, as a native app's handler would.
REDIRECT = "http://127.0.0.1:9/mastodon-py/callback"

SCENARIOS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def scenario(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], Any]:
    SCENARIOS[fn.__name__] = fn
    return fn


# --- helpers ----------------------------------------------------------------------------------


def api(config: dict[str, Any], user: str) -> Any:
    """A client logged in with the provisioned token of ``user`` (e.g. "alice")."""
    return Mastodon(
        access_token=config["users"][user]["token"],
        api_base_url=config["base_url"],
        request_timeout=30,
        ratelimit_method="throw",
    )


def png(width: int = 16, height: int = 12) -> bytes:
    """A small RGB gradient PNG, built by hand (no Pillow in this venv)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 16 % 256, y * 20 % 256, 128)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def wait_for(check: Callable[[], Any], timeout: float = 10.0, step: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


class _Forms(HTMLParser):
    """Every <form> of a page with its inputs and submit buttons, as a browser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "inputs": {},
                "buttons": [],
            }
            self.forms.append(self._current)
        elif self._current is not None and tag == "input" and a.get("name"):
            if a.get("type", "text") in ("checkbox", "radio") and "checked" not in a:
                return
            self._current["inputs"][a["name"]] = a.get("value", "")
        elif self._current is not None and tag == "button" and a.get("name"):
            self._current["buttons"].append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def browser_authorize(url: str, username: str, password: str) -> dict[str, Any]:
    """What a person does in the browser: open the authorize URL, log in, press Authorize.

    Returns ``{"code": ..., "state": ...}`` read from the redirect to the client (or, for the
    out-of-band redirect URI, from the page that shows the code)."""
    browser = requests.Session()
    browser.headers["User-Agent"] = "Mozilla/5.0 (plaza-clients-test browser)"
    base = "{0.scheme}://{0.netloc}".format(urlsplit(url))

    def go(response: requests.Response) -> requests.Response:
        # Follow redirects that stay on the server; stop at the one leaving for the client.
        for _ in range(10):
            location = response.headers.get("Location")
            if response.status_code not in (301, 302, 303) or not location:
                return response
            target = urljoin(response.url, location)
            if not target.startswith(base):
                return response
            response = browser.get(target, allow_redirects=False, timeout=30)
        raise RuntimeError("too many redirects")

    page = go(browser.get(url, allow_redirects=False, timeout=30))
    logins = 0
    while page.status_code == 200 and logins < 3:
        login = [f for f in forms_of(page.text) if "password" in f["inputs"]]
        if not login:
            break
        # A person types the password again if the log-in form comes back; count how often.
        logins += 1
        form = login[0]
        data = dict(form["inputs"], username=username, password=password)
        page = go(
            browser.post(
                urljoin(page.url, form["action"] or page.url),
                data=data,
                allow_redirects=False,
                timeout=30,
            )
        )
    if page.status_code == 200:
        consent = [f for f in forms_of(page.text) if ("allow", "Authorize") in f["buttons"]]
        if not consent:
            raise RuntimeError(f"no consent form at {page.url}: {page.text[:800]}")
        form = consent[0]
        data = dict(form["inputs"], allow="Authorize")
        page = go(
            browser.post(
                urljoin(page.url, form["action"] or page.url),
                data=data,
                allow_redirects=False,
                timeout=30,
            )
        )
    location = page.headers.get("Location")
    if page.status_code in (301, 302, 303) and location:
        query = parse_qs(urlsplit(location).query, keep_blank_values=True)
        if "code" not in query:
            raise RuntimeError(f"redirected without a code: {location}")
        return {
            "code": query["code"][0],
            "state": query.get("state", [None])[0],
            "location": location,
            "logins": logins,
        }
    if page.status_code == 200:  # out of band: the code is on the page
        code = _oob_code(page.text)
        if code:
            return {"code": code, "state": None, "location": page.url, "logins": logins}
    raise RuntimeError(f"no code: HTTP {page.status_code} at {page.url}: {page.text[:800]}")


class _ReadonlyInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and "readonly" in a and a.get("value"):
            self.values.append(a["value"])


def _oob_code(html: str) -> str | None:
    parser = _ReadonlyInputs()
    parser.feed(html)
    return parser.values[0] if parser.values else None


def status_brief(status: Any) -> dict[str, Any]:
    return {
        "id": str(status["id"]),
        "content": status["content"],
        "visibility": status["visibility"],
        "account": status["account"]["acct"],
        "tags": [t["name"] for t in status.get("tags", [])],
    }


def listen(stream: Callable[[Any], Any], post: Callable[[], Any], timeout: float) -> dict[str, Any]:
    """Subscribe through ``stream(listener)``, then ``post()``; wait for its ``update``."""
    updates: list[dict[str, Any]] = []
    events: list[str] = []
    errors: list[str] = []
    got = threading.Event()
    wanted: dict[str, str] = {}

    class Listener(StreamListener):
        def on_update(self, status: Any) -> None:
            updates.append(status_brief(status))
            if wanted.get("id") == str(status["id"]):
                got.set()

        def on_any_event(self, name: str, data: Any = None, for_stream: Any = None) -> None:
            events.append(name)
            super().on_any_event(name, data, for_stream)

        def on_abort(self, err: Any) -> None:
            errors.append(repr(err))

        def on_websocket_error(self, error: Any, for_stream: Any = None) -> None:
            errors.append(repr(error))

    handle = stream(Listener())
    try:
        wait_for(lambda: handle.is_receiving() if hasattr(handle, "is_receiving") else True, 5)
        time.sleep(0.5)  # let the subscription settle server-side
        posted = post()
        wanted["id"] = str(posted["id"])
        got.wait(timeout)
    finally:
        handle.close()
    return {
        "posted_id": wanted["id"],
        "received": got.is_set(),
        "updates": updates,
        "events": events,
        "errors": errors,
    }


# --- scenarios --------------------------------------------------------------------------------


@scenario
def instance(config: dict[str, Any]) -> dict[str, Any]:
    anonymous = Mastodon(api_base_url=config["base_url"], version_check_mode="created")
    v1 = anonymous.instance_v1()
    v2 = anonymous.instance_v2()
    return {
        "version": anonymous.retrieve_mastodon_version(),
        "v1_uri": v1["uri"],
        "v2_domain": v2["domain"],
        "streaming": v2["configuration"]["urls"]["streaming"],
        "oauth": dict(anonymous.oauth_authorization_server_info()),
        "nodeinfo_software": anonymous.instance_nodeinfo()["software"]["name"],
    }


@scenario
def register_app(config: dict[str, Any]) -> dict[str, Any]:
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py tests",
        scopes=SCOPES,
        redirect_uris=[REDIRECT, OOB],
        website="https://example.org/mastodon-py",
        api_base_url=config["base_url"],
    )
    app_client = Mastodon(client_id, client_secret, api_base_url=config["base_url"])
    # client_credentials token, then the app's own view of itself
    token = requests.post(
        config["base_url"] + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": "read",
        },
        timeout=30,
    ).json()
    app_client.access_token = token["access_token"]
    me = app_client.app_verify_credentials()
    return {"client_id": client_id, "has_secret": bool(client_secret), "app_name": me["name"]}


def _code_flow(config: dict[str, Any], *, redirect: str, pkce: bool) -> dict[str, Any]:
    user = config["users"]["carol"]
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py code flow",
        scopes=SCOPES,
        redirect_uris=[redirect],
        api_base_url=config["base_url"],
    )
    verifier = secrets.token_urlsafe(48)
    # Mastodon.py has no PKCE parameter; a requests.Session (its supported hook for transport
    # settings) adds the verifier to the token request, as an app using it would.
    session = _PkceSession(verifier) if pkce else requests.Session()
    client = Mastodon(client_id, client_secret, api_base_url=config["base_url"], session=session)
    state = secrets.token_urlsafe(12)
    url = client.auth_request_url(
        redirect_uris=redirect, scopes=SCOPES, state=state, force_login=True, allow_http=True
    )
    if pkce:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        url += "&code_challenge=" + challenge.rstrip(b"=").decode() + "&code_challenge_method=S256"
    got = browser_authorize(url, user["username"], user["password"])
    token = client.log_in(code=got["code"], redirect_uri=redirect, scopes=SCOPES, allow_http=True)
    me = client.account_verify_credentials()
    # The code is single use.
    try:
        client.log_in(code=got["code"], redirect_uri=redirect, scopes=SCOPES, allow_http=True)
        reused = "accepted"
    except MastodonError as exc:
        reused = type(exc).__name__
    return {
        "authorize_url": url,
        "state_sent": state,
        "state_back": got["state"],
        "has_token": bool(token),
        "username": me["username"],
        "code_reuse": reused,
        "logins": got["logins"],
    }


class _PkceSession(requests.Session):
    def __init__(self, verifier: str) -> None:
        super().__init__()
        self.verifier = verifier

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        if str(url).endswith("/oauth/token") and isinstance(kwargs.get("data"), dict):
            kwargs["data"] = dict(kwargs["data"], code_verifier=self.verifier)
        return super().request(method, url, *args, **kwargs)


@scenario
def oauth_code_redirect(config: dict[str, Any]) -> dict[str, Any]:
    return _code_flow(config, redirect=REDIRECT, pkce=False)


@scenario
def oauth_code_pkce(config: dict[str, Any]) -> dict[str, Any]:
    return _code_flow(config, redirect=REDIRECT, pkce=True)


@scenario
def oauth_code_oob(config: dict[str, Any]) -> dict[str, Any]:
    return _code_flow(config, redirect=OOB, pkce=False)


@scenario
def verify_credentials(config: dict[str, Any]) -> dict[str, Any]:
    me = api(config, "alice").account_verify_credentials()
    return {
        "id": str(me["id"]),
        "username": me["username"],
        "acct": me["acct"],
        "source_privacy": me["source"]["privacy"],
        "created_at_type": type(me["created_at"]).__name__,
    }


@scenario
def update_credentials(config: dict[str, Any]) -> dict[str, Any]:
    client = api(config, "alice")
    me = client.account_update_credentials(
        display_name="Alice (Mastodon.py)",
        note="Testing from the Python client",
        avatar=png(64, 64),
        avatar_mime_type="image/png",
    )
    return {"display_name": me["display_name"], "note": me["note"], "avatar": me["avatar"]}


@scenario
def post_with_media(config: dict[str, Any]) -> dict[str, Any]:
    client = api(config, "alice")
    media = client.media_post(
        png(), mime_type="image/png", description="A gradient", synchronous=True
    )
    status = client.status_post(
        "Look at this #plazaclients gradient", media_ids=[media], visibility="public"
    )
    fetched = client.status(status["id"])
    media_again = client.media(media["id"])
    image = requests.get(fetched["media_attachments"][0]["url"], timeout=30)
    return {
        "status": status_brief(status),
        "media": {
            "id": str(media["id"]),
            "type": media["type"],
            "url": media["url"],
            "description": media["description"],
            "blurhash": media["blurhash"],
        },
        "fetched_media_ids": [str(m["id"]) for m in fetched["media_attachments"]],
        "media_get_type": media_again["type"],
        "image_status": image.status_code,
        "image_type": image.headers.get("Content-Type"),
    }


@scenario
def statuses(config: dict[str, Any]) -> dict[str, Any]:
    alice, bob = api(config, "alice"), api(config, "bob")
    root = alice.status_post("A thread from Mastodon.py", visibility="public")
    reply = bob.status_post("A reply", in_reply_to_id=root["id"])
    context = alice.status_context(root["id"])
    fav = bob.status_favourite(root["id"])
    boost = bob.status_reblog(root["id"])
    marked = alice.status_bookmark(reply["id"])
    bookmarks = alice.bookmarks()
    edited = alice.status_update(root["id"], "A thread from Mastodon.py (edited)")
    history = alice.status_history(root["id"])
    source = alice.status_source(root["id"])
    favourited_by = alice.status_favourited_by(root["id"])
    spoiler = alice.status_post("Secret", spoiler_text="cw", visibility="unlisted")
    alice.status_delete(spoiler["id"])
    try:
        alice.status(spoiler["id"])
        deleted = "still there"
    except MastodonError as exc:
        deleted = type(exc).__name__
    return {
        "root": str(root["id"]),
        "reply_in_reply_to": str(reply["in_reply_to_id"]),
        "context_descendants": [str(s["id"]) for s in context["descendants"]],
        "reply": str(reply["id"]),
        "favourited": fav["favourited"],
        "favourites_count": fav["favourites_count"],
        "reblog_of": str(boost["reblog"]["id"]) if boost.get("reblog") else None,
        "bookmarked": marked["bookmarked"],
        "bookmarks": [str(s["id"]) for s in bookmarks],
        "edited_content": edited["content"],
        "history_len": len(history),
        "source_text": source["text"],
        "favourited_by": [a["acct"] for a in favourited_by],
        "spoiler_text": spoiler["spoiler_text"],
        "deleted": deleted,
    }


@scenario
def timelines(config: dict[str, Any]) -> dict[str, Any]:
    alice, bob = api(config, "alice"), api(config, "bob")
    bob_id = bob.me()["id"]
    alice.account_follow(bob_id)
    tag = "mpytimeline"
    status = bob.status_post(f"Timelines from Mastodon.py #{tag}", visibility="public")
    home = wait_for(
        lambda: (
            [str(s["id"]) for s in alice.timeline_home(limit=40)]
            if any(str(s["id"]) == str(status["id"]) for s in alice.timeline_home(limit=40))
            else None
        ),
        10,
        0.3,
    ) or [str(s["id"]) for s in alice.timeline_home(limit=40)]
    public = [str(s["id"]) for s in alice.timeline_public(limit=40)]
    local = [str(s["id"]) for s in alice.timeline_local(limit=40)]
    hashtag = [str(s["id"]) for s in alice.timeline_hashtag(tag)]
    account = [str(s["id"]) for s in alice.account_statuses(bob_id, limit=5)]
    # Paging: fetch_next follows the Link header.
    page = alice.timeline_public(limit=1)
    after = alice.fetch_next(page)
    return {
        "status": str(status["id"]),
        "home": home,
        "public": public,
        "local": local,
        "tag": hashtag,
        "account": account,
        "page1": [str(s["id"]) for s in page],
        "page2": [str(s["id"]) for s in after or []],
    }


@scenario
def notifications(config: dict[str, Any]) -> dict[str, Any]:
    alice, dave = api(config, "alice"), api(config, "dave")
    alice_me = alice.me()
    post = alice.status_post("Notify me, Mastodon.py", visibility="public")
    dave.account_follow(alice_me["id"])
    dave.status_favourite(post["id"])
    mention = dave.status_post(f"@{alice_me['acct']} hello from Mastodon.py")
    found = wait_for(lambda: len(alice.notifications(limit=30)) >= 3, 10, 0.3)
    items = alice.notifications(limit=30)
    mentions_only = alice.notifications(types=["mention"])
    grouped = alice.grouped_notifications(limit=30)
    return {
        "found": bool(found),
        "post": str(post["id"]),
        "mention": str(mention["id"]),
        "items": [
            {
                "type": n["type"],
                "account": n["account"]["acct"],
                "status": str(n["status"]["id"]) if n.get("status") else None,
            }
            for n in items
        ],
        "mention_only_types": sorted({n["type"] for n in mentions_only}),
        "grouped_types": sorted({g["type"] for g in grouped["notification_groups"]}),
        "grouped_accounts": sorted(a["acct"] for a in grouped["accounts"]),
    }


@scenario
def follows(config: dict[str, Any]) -> dict[str, Any]:
    alice, carol, erin = api(config, "alice"), api(config, "carol"), api(config, "erin")
    carol_id = carol.me()["id"]
    erin_id = erin.me()["id"]  # erin is locked
    alice_id = alice.me()["id"]
    followed = alice.account_follow(carol_id)
    followers = [a["acct"] for a in alice.account_followers(carol_id)]
    following = [a["acct"] for a in alice.account_following(alice_id)]
    rel = alice.account_relationships([carol_id])[0]
    unfollowed = alice.account_unfollow(carol_id)
    requested = alice.account_follow(erin_id)
    pending = [a["acct"] for a in erin.follow_requests()]
    approved = erin.follow_request_authorize(alice_id)
    after = alice.account_relationships([erin_id])[0]
    alice.account_unfollow(erin_id)
    return {
        "followed": followed["following"],
        "followers_of_carol": followers,
        "alice_following": following,
        "rel_following": rel["following"],
        "unfollowed": unfollowed["following"],
        "requested": requested["requested"],
        "requested_following": requested["following"],
        "pending": pending,
        "approved_followed_by": approved["followed_by"],
        "after_following": after["following"],
    }


@scenario
def search(config: dict[str, Any]) -> dict[str, Any]:
    alice, bob = api(config, "alice"), api(config, "bob")
    bob_acct = bob.me()["acct"]
    tag = "mpysearchtag"
    bob.status_post(f"Searchable #{tag}", visibility="public")
    accounts = alice.search_v2(bob_acct, result_type="accounts")
    tags = alice.search_v2(tag, result_type="hashtags")
    everything = alice.search_v2(bob_acct)
    lookup = alice.account_lookup(bob_acct)
    account_search = alice.account_search(bob_acct[:3])
    return {
        "bob": bob_acct,
        "accounts": [a["acct"] for a in accounts["accounts"]],
        "hashtags": [t["name"] for t in tags["hashtags"]],
        "keys": sorted(everything.keys()),
        "lookup": lookup["acct"],
        "account_search": [a["acct"] for a in account_search],
    }


@scenario
def streaming_user(config: dict[str, Any]) -> dict[str, Any]:
    """Server-sent events: Mastodon.py's default transport."""
    alice = api(config, "alice")
    return listen(
        lambda listener: alice.stream_user(listener, run_async=True, timeout=30),
        lambda: alice.status_post("Streamed over SSE by Mastodon.py", visibility="public"),
        10,
    )


@scenario
def streaming_websocket(config: dict[str, Any]) -> dict[str, Any]:
    alice = api(config, "alice")
    state: dict[str, Any] = {}

    def subscribe(listener: Any) -> Any:
        handle = alice.stream_open_websocket(listener=listener, timeout=30)
        state["handle"] = handle
        alice.stream_user(listener, websocket_handle=handle)
        return handle

    result = listen(
        subscribe,
        lambda: alice.status_post("Streamed over WebSocket by Mastodon.py", visibility="public"),
        10,
    )
    return result


def main() -> int:
    name = sys.argv[1]
    config = json.load(sys.stdin)
    try:
        result = SCENARIOS[name](config)
    except Exception as exc:  # reported to the test, which fails with it
        print(
            json.dumps(
                {
                    "ok": False,
                    "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(),
                }
            )
        )
        return 0
    print(json.dumps({"ok": True, "result": result}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
