/* Composer and post-card comforts. Everything works without this file:
   - live character counter (5,000 max) on the composer text,
   - the content-warning field collapses behind a toggle button,
   - client-side previews of chosen files, each with its own description (alt text) field,
   - "Add option" in a poll adds the field in place (up to 4) instead of posting back,
   - "Copy link" in a post's menu copies instead of navigating.
   Safe to load more than once (every init marks what it touched). */
(function () {
  "use strict";
  if (window.plazaComposer) return;
  window.plazaComposer = true;

  var MAX_IMAGES = 4;

  function initCounter(form) {
    var text = form.querySelector("textarea[data-max-chars]");
    var out = text && form.querySelector("[data-counter-for='" + text.id + "']");
    if (!text || !out) return;
    var max = parseInt(text.dataset.maxChars, 10);
    function update() {
      var left = max - text.value.length;
      out.textContent = left < 0
        ? (-left).toLocaleString() + " characters over the limit"
        : left.toLocaleString() + " characters left";
      out.classList.toggle("is-over", left < 0);
      out.classList.toggle("is-near", left >= 0 && left < 200);
    }
    text.addEventListener("input", update);
    update();
  }

  function initContentWarning(form) {
    var field = form.querySelector("[data-cw-field]");
    var toggle = form.querySelector("[data-cw-toggle]");
    if (!field || !toggle) return;
    toggle.hidden = false;
    field.classList.add("is-enhanced");
    toggle.addEventListener("click", function () {
      var open = field.hasAttribute("data-cw-collapsed");
      field.toggleAttribute("data-cw-collapsed", !open);
      toggle.setAttribute("aria-pressed", String(open));
      var input = field.querySelector("input");
      if (open && input) input.focus();
      if (!open && input) input.value = "";
    });
  }

  function previewTile(file, index) {
    var tile = document.createElement("div");
    tile.className = "composer-media-item";
    var thumb = document.createElement("div");
    thumb.className = "composer-media-thumb";
    if (file.type.indexOf("image/") === 0) {
      var img = document.createElement("img");
      img.alt = "";
      img.src = URL.createObjectURL(file);
      thumb.appendChild(img);
    } else if (file.type.indexOf("video/") === 0) {
      var video = document.createElement("video");
      video.src = URL.createObjectURL(file);
      video.muted = true;
      video.preload = "metadata";
      video.style.width = "100%";
      video.style.height = "100%";
      video.style.objectFit = "cover";
      thumb.appendChild(video);
    } else {
      thumb.textContent = "PDF";
    }
    var fields = document.createElement("div");
    fields.className = "composer-media-fields";
    var name = document.createElement("span");
    name.className = "composer-media-name";
    name.textContent = file.name + " · " + Math.max(1, Math.round(file.size / 1024)).toLocaleString() + " KB";
    var label = document.createElement("label");
    label.className = "visually-hidden";
    label.textContent = "Description for " + file.name;
    var alt = document.createElement("input");
    alt.type = "text";
    alt.className = "input input-sm";
    alt.name = "alt_new_" + index;
    alt.maxLength = 1500;
    alt.placeholder = "Describe this for people who can't see it";
    alt.id = "alt-new-" + index + "-" + Math.random().toString(36).slice(2, 8);
    label.htmlFor = alt.id;
    fields.appendChild(name);
    fields.appendChild(label);
    fields.appendChild(alt);
    tile.appendChild(thumb);
    tile.appendChild(fields);
    return tile;
  }

  function initMedia(form) {
    var input = form.querySelector("[data-media-input]");
    var previews = form.querySelector("[data-previews]");
    var attach = form.querySelector("[data-attach-button]");
    if (!input || !previews) return;
    // With previews and per-file descriptions in place, the no-JS "Attach" step is not needed.
    if (attach) attach.hidden = true;
    input.addEventListener("change", function () {
      previews.innerHTML = "";
      var files = Array.prototype.slice.call(input.files || []);
      previews.hidden = files.length === 0;
      files.forEach(function (file, i) { previews.appendChild(previewTile(file, i)); });
      var images = files.filter(function (f) { return f.type.indexOf("image/") === 0; }).length;
      var note = null;
      if (images > MAX_IMAGES) note = "A post can have at most 4 images.";
      else if (files.length > 1 && images !== files.length) note = "A post can have up to 4 images, or one video, or one document.";
      if (note) {
        var p = document.createElement("p");
        p.className = "field-error";
        p.setAttribute("role", "alert");
        p.textContent = note;
        previews.appendChild(p);
      }
    });
  }

  var MAX_POLL_OPTIONS = 4;

  function initPoll(form) {
    var list = form.querySelector("[data-poll-options]");
    var add = form.querySelector("[data-poll-add]");
    if (!list || !add) return;
    add.addEventListener("click", function (event) {
      var items = list.querySelectorAll("li");
      if (items.length >= MAX_POLL_OPTIONS) return;
      event.preventDefault();
      var item = items[items.length - 1].cloneNode(true);
      var input = item.querySelector("input");
      var label = item.querySelector("label");
      var n = items.length + 1;
      input.id = input.id.replace(/-\d+$/, "-" + n);
      input.value = "";
      input.placeholder = "Option " + n + " (optional)";
      label.htmlFor = input.id;
      label.textContent = "Option " + n;
      list.appendChild(item);
      input.focus();
      add.hidden = n >= MAX_POLL_OPTIONS;
    });
  }

  function initComposers(root) {
    root.querySelectorAll("form[data-composer]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      initCounter(form);
      initContentWarning(form);
      initMedia(form);
      initPoll(form);
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
      });
    });
  }

  // "Copy link" in a post's menu: copy the absolute URL, say so, stay on the page.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-copy-link]");
    if (!link || !navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(link.href).then(function () {
      var label = link.querySelector("[data-copy-label]");
      link.classList.add("is-copied");
      if (label) label.textContent = "Link copied";
      setTimeout(function () {
        link.classList.remove("is-copied");
        if (label) label.textContent = "Copy link";
        var menu = link.closest("details");
        if (menu) menu.open = false;
      }, 1200);
    });
  });

  function init(root) { initComposers(root || document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
