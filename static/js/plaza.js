/* Plaza progressive enhancements. Everything works without this file; it only adds comfort. */
(function () {
  "use strict";

  function dismiss(toast) {
    toast.classList.add("is-leaving");
    setTimeout(function () { toast.remove(); }, 220);
  }

  function initToasts(root) {
    root.querySelectorAll("[data-toast]").forEach(function (toast) {
      if (toast.dataset.ready) return;
      toast.dataset.ready = "1";
      var close = toast.querySelector("[data-dismiss]");
      if (close) close.addEventListener("click", function () { dismiss(toast); });
      // Errors stay until dismissed; the rest fade after a while (paused while hovered).
      if (!toast.classList.contains("toast-error")) {
        var timer = setTimeout(function () { dismiss(toast); }, 6000);
        toast.addEventListener("mouseenter", function () { clearTimeout(timer); });
      }
    });
  }

  // Show / hide password toggles: <button data-reveal="id_password">
  function initReveal(root) {
    root.querySelectorAll("[data-reveal]").forEach(function (btn) {
      if (btn.dataset.ready) return;
      btn.dataset.ready = "1";
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var input = document.getElementById(btn.dataset.reveal);
        if (!input) return;
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        btn.textContent = show ? "Hide" : "Show";
        btn.setAttribute("aria-pressed", String(show));
      });
    });
  }

  // Character counters for textareas with data-counter="500".
  function initCounters(root) {
    root.querySelectorAll("[data-counter]").forEach(function (field) {
      if (field.dataset.ready) return;
      field.dataset.ready = "1";
      var max = parseInt(field.dataset.counter, 10);
      var out = document.createElement("span");
      out.className = "counter";
      out.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", out);
      function update() {
        var left = max - field.value.length;
        out.textContent = left + " characters left";
        out.classList.toggle("is-over", left < 0);
      }
      field.addEventListener("input", update);
      update();
    });
  }

  // Live image previews for <input type=file data-preview="avatar|header">.
  function initPreviews(root) {
    root.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
      if (input.dataset.ready) return;
      input.dataset.ready = "1";
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        if (!file || !file.type.startsWith("image/")) return;
        var url = URL.createObjectURL(file);
        document.querySelectorAll("[data-preview-target='" + input.dataset.preview + "']").forEach(function (el) {
          var target = el.tagName === "IMG" ? el : (el.querySelector("img, .avatar") || el);
          if (target.tagName === "IMG") { target.src = url; return; }
          var img = document.createElement("img");
          img.src = url;
          img.alt = "";
          img.className = target.className.replace("avatar-initials", "");
          if (target === el) img.setAttribute("data-preview-target", input.dataset.preview);
          img.width = target.offsetWidth; img.height = target.offsetHeight;
          target.replaceWith(img);
        });
      });
    });
  }

  // The browser knows the person's time zone: pre-fill it on sign-up.
  function initTimeZone(root) {
    root.querySelectorAll("input[data-detect-timezone]").forEach(function (input) {
      try { if (!input.value) input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* ignore */ }
    });
  }

  // Close the account menu on outside click or Escape.
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.account-menu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("details.account-menu[open]").forEach(function (d) {
      d.removeAttribute("open");
      var s = d.querySelector("summary"); if (s) s.focus();
    });
  });

  function init(root) {
    initToasts(root); initReveal(root); initCounters(root); initPreviews(root); initTimeZone(root);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
