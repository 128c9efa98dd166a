// Direct messages: live updates (server-sent events from /messages/live) and a composer that
// sends without reloading. Every form also works without this script (plain POST + redirect).
// Events carry ids only; the HTML always comes from the ordinary, permission-checked views.
(function () {
  "use strict";
  const root = document.querySelector("[data-dm-live]");
  if (!root) return;

  const headers = { "HX-Request": "true" };
  const csrf = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  };
  const debounce = (fn, ms) => {
    let timer = null;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  };
  const fragment = (html) => document.createRange().createContextualFragment(html);

  // --- inbox ----------------------------------------------------------------------------
  const list = document.getElementById("dm-conversation-list");
  const refreshInbox = debounce(async () => {
    if (!list || !root.dataset.dmInbox) return;
    const response = await fetch(root.dataset.dmInbox, { headers, credentials: "same-origin" });
    if (response.ok) list.innerHTML = await response.text();
  }, 150);

  // --- thread -----------------------------------------------------------------------------
  const box = document.getElementById("dm-messages");
  const composer = document.getElementById("dm-composer");
  const isRequest = root.dataset.dmRequest === "1";
  const nearBottom = () => window.innerHeight + window.scrollY >= document.body.scrollHeight - 160;
  const toBottom = () => window.scrollTo(0, document.body.scrollHeight);
  const lastId = () => {
    const all = box ? box.querySelectorAll(".dm-message[data-id]") : [];
    return all.length ? all[all.length - 1].dataset.id : "0";
  };

  // "Seen by …" under the thread: redrawn when someone's read marker moves ("read" events)
  // and whenever the newest message changes (it only speaks of the viewer's last word).
  const seenLine = document.getElementById("dm-seen");
  const refreshSeen = debounce(async () => {
    if (!seenLine || !root.dataset.dmSeen) return;
    const response = await fetch(root.dataset.dmSeen, { headers, credentials: "same-origin" });
    if (response.ok) seenLine.innerHTML = (await response.text()).trim();
  }, 100);

  async function markRead() {
    if (isRequest || document.hidden || !root.dataset.dmRead) return;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    await fetch(root.dataset.dmRead, { method: "POST", body, headers, credentials: "same-origin" });
  }

  let catching = null;
  async function catchUp() {
    if (!box) return;
    if (catching) return catching;
    catching = (async () => {
      const stick = nearBottom();
      const url = `${root.dataset.dmUpdates}?after=${encodeURIComponent(lastId())}`;
      const response = await fetch(url, { headers, credentials: "same-origin" });
      if (response.status === 404) {
        window.location.reload(); // no longer in this conversation
        return;
      }
      if (!response.ok) return;
      const added = fragment(await response.text());
      let any = false;
      added.querySelectorAll(".dm-message[id]").forEach((el) => {
        if (!document.getElementById(el.id)) {
          box.appendChild(el);
          any = true;
        }
      });
      if (any) {
        const empty = document.getElementById("dm-empty");
        if (empty) empty.remove();
        if (stick) toBottom();
        markRead();
        refreshSeen();
      }
    })().finally(() => {
      catching = null;
    });
    return catching;
  }

  async function refreshMessage(id) {
    const el = document.getElementById(`dm-message-${id}`);
    if (!el) return;
    const response = await fetch(`${root.dataset.dmMessageBase}${id}`, {
      headers,
      credentials: "same-origin",
    });
    if (response.status === 404) {
      el.remove();
    } else if (response.ok) {
      el.replaceWith(fragment(await response.text()));
    }
  }

  function showError(text) {
    const slot = composer && composer.querySelector(".dm-error");
    if (!slot) return window.alert(text);
    slot.textContent = text;
    slot.hidden = !text;
  }

  async function post(form) {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers,
      credentials: "same-origin",
    });
    if (response.ok) {
      showError("");
      return true;
    }
    let message = "That didn't work. Please try again.";
    try {
      message = (await response.json()).error || message;
    } catch (e) {
      /* not JSON */
    }
    showError(message);
    return false;
  }

  if (composer) {
    const text = composer.querySelector("textarea[name=text]");
    const replyInput = composer.querySelector("input[name=reply_to]");
    const replying = composer.querySelector(".dm-replying");
    const clearReply = () => {
      replyInput.value = "";
      replying.hidden = true;
    };
    composer.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = composer.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        if (await post(composer)) {
          if (isRequest) return window.location.reload(); // replying accepted the request
          text.value = "";
          composer.querySelector("input[type=file]").value = "";
          clearReply();
          await catchUp();
          toBottom();
        }
      } finally {
        button.disabled = false;
        text.focus();
      }
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    composer.querySelector(".dm-reply-cancel").addEventListener("click", (event) => {
      event.preventDefault();
      clearReply();
    });
    document.addEventListener("click", (event) => {
      const link = event.target.closest("[data-dm-reply]");
      if (!link) return;
      event.preventDefault();
      replyInput.value = link.dataset.dmReply;
      replying.querySelector(".dm-replying-name").textContent = link.dataset.dmReplyName;
      replying.querySelector(".dm-replying-text").textContent = link.dataset.dmReplyText;
      replying.hidden = false;
      const menu = link.closest("details");
      if (menu) menu.open = false;
      text.focus();
    });
  }

  // Reactions, edits and deletes inside a message: post, then redraw that message.
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-dm-action]");
    if (!form) return;
    event.preventDefault();
    const article = form.closest(".dm-message");
    if ((await post(form)) && article) refreshMessage(article.dataset.id);
  });

  // --- the live channel ---------------------------------------------------------------------
  if (!window.EventSource) return;
  let opened = false;
  const source = new EventSource(root.dataset.dmLive);
  source.addEventListener("open", () => {
    // A reconnect (or, on servers without streaming, each short poll): catch up.
    if (opened) {
      if (box) {
        catchUp();
        refreshSeen(); // read markers may have moved while disconnected
      } else refreshInbox();
    }
    opened = true;
  });
  source.addEventListener("message", (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (!box) return refreshInbox();
    if (data.conversation !== root.dataset.dmConversation) return;
    switch (data.action) {
      case "new":
        catchUp();
        break;
      case "edit":
      case "react":
        refreshMessage(data.message);
        break;
      case "delete":
        refreshMessage(data.message);
        refreshSeen();
        break;
      case "hide": {
        const el = document.getElementById(`dm-message-${data.message}`);
        if (el) el.remove();
        refreshSeen();
        break;
      }
      case "read":
        refreshSeen();
        break;
      case "request":
      case "members":
        window.location.reload();
        break;
      default:
        break;
    }
  });
  window.addEventListener("beforeunload", () => source.close());
  if (box) {
    toBottom();
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) markRead();
    });
  }
})();
