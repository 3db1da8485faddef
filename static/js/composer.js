/* LNK composer: Enter sends (Shift+Enter keeps a newline), optimistic "sending" bubbles in
   order, idempotent retries (clientId), replies, uploads with progress and previews, the
   location form, and the people pickers of the new-conversation and group dialogs. */
(function () {
  "use strict";
  if (!document.getElementById("app")) return;
  const lnk = window.lnk;
  let queue = Promise.resolve();

  const byId = function (id) { return document.getElementById(id); };

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function autosize(area) {
    area.style.height = "auto";
    area.style.height = Math.min(area.scrollHeight + 2, window.innerHeight * 0.4) + "px";
  }

  function showError(text) {
    const box = byId("composer-error");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }

  /* ---- replies -------------------------------------------------------------------------------- */

  function setReply(messageId) {
    const msg = byId("message-" + messageId);
    const preview = byId("reply-preview");
    if (!msg || !preview) return;
    byId("reply-to-id").value = messageId;
    byId("reply-name").textContent = msg.dataset.senderName || "";
    byId("reply-snippet").textContent = msg.dataset.preview || "";
    preview.hidden = false;
    byId("composer-text").focus();
  }

  function clearReply() {
    const preview = byId("reply-preview");
    if (!preview) return;
    preview.hidden = true;
    byId("reply-to-id").value = "";
  }

  /* ---- sending -------------------------------------------------------------------------------- */

  function post(url, data, pending, attempt) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-TOKEN": lnk.cookie("csrf_access_token") || "" },
    }).then(function (r) {
      if (r.status === 401 && !attempt) {
        return lnk.refreshSession().then(function (ok) {
          if (!ok) { lnk.toLogin(); return; }
          return post(url, data, pending, 1);
        });
      }
      return r.text().then(function (html) {
        fire(r);
        if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
          // Refused as it is: sending it again cannot help, so it goes back to the composer.
          lnk.chat.failPending(pending, lnk.errorText(html, r.status), null, function () { editAgain(data, pending); });
          return;
        }
        if (!r.ok) {
          lnk.chat.failPending(pending, lnk.errorText(html, r.status), function () { enqueue(url, data, pending); });
          return;
        }
        lnk.chat.upsertHtml(html, { own: true });
      });
    }, function () {
      wait(url, data, pending);
    });
  }

  /* The answer's HX-Trigger events (a toast; the block state with a refusal), as htmx would. */
  function fire(r) {
    let events = {};
    try { events = JSON.parse(r.headers.get("HX-Trigger") || "{}"); } catch (e) { return; }
    Object.keys(events).forEach(function (name) {
      document.body.dispatchEvent(new CustomEvent(name, { detail: events[name], bubbles: true }));
    });
  }

  /* ---- offline: messages wait and go by themselves, in order, when the network is back -------- */

  const waiting = [];
  function wait(url, data, pending) {
    waiting.push({ url: url, data: data, pending: pending });
    if (pending) {
      pending.classList.add("msg--waiting");
      const meta = pending.querySelector(".meta");
      if (meta) meta.textContent = "Waiting for connection…";
    }
  }

  /* Sends what waits, oldest first, each with its own clientId (a copy the server already has is
     answered, not stored twice). */
  function flush() {
    const due = waiting.splice(0, waiting.length);
    due.forEach(function (item) {
      if (item.pending) item.pending.classList.remove("msg--waiting");
      if (!item.pending || item.pending.isConnected) enqueue(item.url, item.data, item.pending);
    });
  }
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () {
    const socket = lnk.chat.socket();
    if (socket) socket.on("connect", flush);
  });

  /* A refused message back in the composer, to change and send again. */
  function editAgain(data, pending) {
    const area = byId("composer-text");
    if (pending) pending.remove();
    if (!area) return;
    area.value = data.get("content") || "";
    autosize(area);
    countChars(area);
    area.focus();
  }

  /* ---- the length limit: a counter near it, and no silent cut ---------------------------------- */

  const LIMIT = 4000;
  const COUNT_FROM = 3500;
  function countChars(area) {
    const counter = byId("composer-count");
    if (!counter) return true;
    const length = area.value.length;
    counter.hidden = length < COUNT_FROM;
    counter.textContent = length > LIMIT
      ? (length - LIMIT).toLocaleString() + " characters over the " + LIMIT.toLocaleString() + " limit"
      : length.toLocaleString() + " / " + LIMIT.toLocaleString();
    counter.classList.toggle("is-over", length > LIMIT);
    area.setAttribute("aria-invalid", length > LIMIT ? "true" : "false");
    return length <= LIMIT;
  }

  function enqueue(url, data, pending) {
    if (pending) {
      const meta = pending.querySelector(".meta");
      if (meta) meta.textContent = "Sending…";
    }
    queue = queue.then(function () { return post(url, data, pending, 0); });
    return queue;
  }

  function send(form) {
    const area = byId("composer-text");
    const text = area.value;
    const tray = byId("attachment-tray");
    const items = tray ? Array.from(tray.children) : [];
    if (items.some(function (li) { return !li.dataset.fileId && !li.classList.contains("is-failed"); })) {
      showError("Wait for the uploads to finish.");
      return;
    }
    const fileIds = items.filter(function (li) { return li.dataset.fileId; }).map(function (li) { return li.dataset.fileId; });
    if (!text.trim() && fileIds.length === 0) return;
    if (!countChars(area)) {
      showError("Messages are limited to " + LIMIT.toLocaleString() + " characters; shorten it or split it in two.");
      return;
    }
    showError("");
    const clientId = newClientId();
    const data = new FormData();
    data.append("content", text);
    data.append("clientId", clientId);
    data.append("replyToId", byId("reply-to-id").value);
    fileIds.forEach(function (id) { data.append("attachmentIds", id); });
    const note = fileIds.length ? "📎 " + fileIds.length + " attachment" + (fileIds.length > 1 ? "s" : "") : "";
    const pending = lnk.chat.addPending(clientId, text.trim(), note);
    area.value = "";
    autosize(area);
    countChars(area);
    clearReply();
    if (tray) { tray.replaceChildren(); tray.hidden = true; }
    lnk.chat.emitTyping(false);
    enqueue(form.getAttribute("action"), data, pending);
    area.focus();
  }

  document.addEventListener("submit", function (e) {
    if (e.target.id !== "composer") return;
    e.preventDefault();
    send(e.target);
  });

  document.addEventListener("keydown", function (e) {
    const t = e.target;
    if (t.id === "composer-text") {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        t.form.requestSubmit();
      } else if (e.key === "Escape" && !byId("reply-preview").hidden) {
        clearReply();
      }
    } else if (t.closest && t.closest("form.edit-form")) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        t.closest("form").requestSubmit();
      } else if (e.key === "Escape") {
        // Asked of htmx directly: the editor may have just opened, before htmx wired its buttons.
        const cancel = t.closest("form").querySelector("button[type=button][hx-get]");
        if (cancel) htmx.ajax("GET", cancel.getAttribute("hx-get"), { source: cancel, swap: "none" });
      }
    }
  });

  document.addEventListener("input", function (e) {
    if (e.target.id !== "composer-text") return;
    autosize(e.target);
    countChars(e.target);
    lnk.chat.emitTyping(e.target.value.length > 0);
  });

  document.addEventListener("click", function (e) {
    const reply = e.target.closest("[data-reply]");
    if (reply) { setReply(reply.dataset.reply); return; }
    if (e.target.closest("#reply-cancel")) { clearReply(); byId("composer-text").focus(); return; }
    const copy = e.target.closest("[data-copy]");
    if (copy) {
      const text = document.querySelector("#message-" + copy.dataset.copy + " .text");
      if (text && navigator.clipboard) navigator.clipboard.writeText(text.textContent).then(function () { lnk.toast("Copied", "info"); });
      return;
    }
    const remove = e.target.closest(".tray-remove");
    if (remove) {
      const li = remove.closest("li");
      if (li.xhr) li.xhr.abort();
      li.remove();
      const tray = byId("attachment-tray");
      if (tray && !tray.children.length) tray.hidden = true;
    }
  });

  /* ---- uploads -------------------------------------------------------------------------------- */

  function trayItem(file) {
    const li = document.createElement("li");
    li.className = "tray-item";
    if (file.type.startsWith("image/")) {
      const img = document.createElement("img");
      img.alt = "";
      img.src = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      li.appendChild(img);
    } else {
      const icon = document.createElement("div");
      icon.className = "tray-file";
      icon.textContent = (file.name.split(".").pop() || "file").slice(0, 5).toUpperCase();
      li.appendChild(icon);
    }
    const name = document.createElement("span");
    name.className = "tray-name";
    name.textContent = file.name;
    li.appendChild(name);
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    li.appendChild(bar);
    const x = document.createElement("button");
    x.type = "button";
    x.className = "tray-remove";
    x.setAttribute("aria-label", "Remove " + file.name);
    x.textContent = "×";
    li.appendChild(x);
    return li;
  }

  function upload(file, li, attempt) {
    const xhr = new XMLHttpRequest();
    li.xhr = xhr;
    const bar = li.querySelector("progress");
    xhr.open("POST", "/api/upload/chat-files");
    xhr.setRequestHeader("X-CSRF-TOKEN", lnk.cookie("csrf_access_token") || "");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      li.xhr = null;
      if (xhr.status === 401 && !attempt) {
        lnk.refreshSession().then(function (ok) { if (ok) upload(file, li, 1); else lnk.toLogin(); });
        return;
      }
      if (xhr.status === 201) {
        const body = JSON.parse(xhr.responseText);
        li.dataset.fileId = body.files[0].id;
        bar.value = 100;
        bar.hidden = true;
        return;
      }
      let detail = "upload failed";
      try { detail = JSON.parse(xhr.responseText).detail || detail; } catch (e) { /* keep the default */ }
      li.classList.add("is-failed");
      bar.hidden = true;
      li.querySelector(".tray-name").textContent = detail;
      lnk.toast(file.name + ": " + detail, "error");
    });
    xhr.addEventListener("error", function () {
      li.xhr = null;
      li.classList.add("is-failed");
      li.querySelector(".tray-name").textContent = "upload failed";
    });
    const data = new FormData();
    data.append("files", file, file.name);
    xhr.send(data);
  }

  document.addEventListener("change", function (e) {
    if (e.target.id !== "file-input") return;
    const tray = byId("attachment-tray");
    const files = Array.from(e.target.files || []);
    const room = 10 - tray.children.length;
    if (files.length > room) lnk.toast("At most 10 files per message.", "error");
    files.slice(0, Math.max(0, room)).forEach(function (file) {
      const li = trayItem(file);
      tray.appendChild(li);
      upload(file, li, 0);
    });
    tray.hidden = tray.children.length === 0;
    e.target.value = "";
    const menu = e.target.closest("form").querySelector("details.menu[open]");
    if (menu) menu.open = false;
    byId("composer-text").focus();
  });

  /* ---- location ------------------------------------------------------------------------------- */

  document.addEventListener("click", function (e) {
    const button = e.target.closest("[data-use-position]");
    if (!button) return;
    const form = button.closest("form");
    const status = form.querySelector("[data-position-status]");
    if (!navigator.geolocation) { status.textContent = "This browser cannot share its position; enter it below."; return; }
    status.textContent = "Finding your position…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
      status.textContent = "Position found (±" + Math.round(pos.coords.accuracy) + " m).";
    }, function (err) {
      status.textContent = "Could not get your position (" + err.message + "); enter it below.";
    }, { enableHighAccuracy: true, timeout: 10000 });
  });

  /* ---- people pickers (new conversation, add to group) --------------------------------------- */

  function pickedIds(form) {
    return Array.from(form.querySelectorAll(".picked input[name=userIds]")).map(function (i) { return i.value; });
  }

  function syncPicker(form) {
    const ids = pickedIds(form);
    form.querySelectorAll("[data-pick]").forEach(function (b) {
      b.setAttribute("aria-pressed", ids.indexOf(b.dataset.pick) >= 0 ? "true" : "false");
    });
    const submit = form.querySelector("[data-needs-pick]");
    if (submit) submit.disabled = ids.length === 0;
  }

  function togglePick(form, id, name) {
    const picked = form.querySelector(".picked");
    const existing = picked.querySelector('[data-chip="' + id + '"]');
    if (existing) { existing.remove(); syncPicker(form); return; }
    const chip = document.createElement("span");
    chip.className = "pick-chip";
    chip.dataset.chip = id;
    const label = document.createElement("span");
    label.textContent = name;
    chip.appendChild(label);
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "userIds";
    input.value = id;
    chip.appendChild(input);
    const x = document.createElement("button");
    x.type = "button";
    x.setAttribute("aria-label", "Remove " + name);
    x.textContent = "×";
    x.addEventListener("click", function () { chip.remove(); syncPicker(form); });
    chip.appendChild(x);
    picked.appendChild(chip);
    syncPicker(form);
  }

  document.addEventListener("click", function (e) {
    const person = e.target.closest("[data-pick]");
    if (!person) return;
    const form = person.closest("form[data-picker]");
    if (form) togglePick(form, person.dataset.pick, person.dataset.name);
  });
  // An opened editor takes the focus, the caret at the end: typing, Enter and Esc work at once.
  document.addEventListener("htmx:afterSwap", function (e) {
    const editor = e.detail.target && e.detail.target.querySelector && e.detail.target.querySelector("form.edit-form textarea");
    if (!editor) return;
    editor.focus();
    editor.setSelectionRange(editor.value.length, editor.value.length);
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    const form = e.detail.target && e.detail.target.closest && e.detail.target.closest("form[data-picker]");
    if (form) syncPicker(form);
  });
})();
