/* LNK chat: puts server-rendered partials in place. Whatever changed (an HTMX answer, a push
   relayed by live.js, a catch-up after a reconnect) arrives as the server's partial and lands by
   its stable id (message-<id>, conversation-<id>, receipt-<id>) and seq, so applying the same
   change twice ends in the same DOM. Also: grouping by day and sender, infinite scroll, reading,
   the optimistic "sending" bubbles. */
(function () {
  "use strict";
  const app = document.getElementById("app");
  if (!app) return;
  const me = app.dataset.me;
  const GROUP_GAP_MS = 5 * 60 * 1000;
  const state = { unreadPending: false };
  const live = function () { return window.lnk.live; };
  const changed = function (name) { document.dispatchEvent(new CustomEvent(name)); };

  const byId = function (id) { return document.getElementById(id); };
  const openConversation = function () { return byId("conversation"); };
  const openId = function () { const c = openConversation(); return c ? c.dataset.conversationId : null; };
  const messageList = function () { return byId("messages"); };

  function parse(html) {
    const t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  function get(url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) { window.lnk.toLogin(); throw new Error("signed out"); }
      return r;
    });
  }

  /* ---- messages: grouping, scrolling, upserting ------------------------------------------- */

  /* Where an opened conversation starts: the message asked for, else the first unread one
     (under its divider), else the newest. */
  function toStart(list, conv) {
    const target = conv.dataset.target && byId("message-" + conv.dataset.target);
    const divider = byId("unread-divider");
    if (target) target.scrollIntoView({ block: "center" });
    else if (divider) list.scrollTop += divider.getBoundingClientRect().top - list.getBoundingClientRect().top - 40;
    else toBottom(list);
  }

  function nearBottom(list) { return list.scrollHeight - list.scrollTop - list.clientHeight < 150; }
  function toBottom(list) { list.scrollTop = list.scrollHeight; }

  /* Day separators and sender groups, recomputed from the data attributes (cheap, idempotent). */
  function regroup(list) {
    list.querySelectorAll(":scope > li.day").forEach(function (d) { d.remove(); });
    let prev = null;
    for (const el of Array.from(list.children)) {
      if (!el.classList.contains("msg")) continue;
      const day = el.dataset.day;
      if (!prev || prev.dataset.day !== day) {
        const sep = document.createElement("li");
        sep.className = "day";
        sep.dataset.day = day;
        const label = document.createElement("span");
        label.textContent = el.dataset.dayLabel || day;
        sep.appendChild(label);
        const divider = el.previousElementSibling;
        list.insertBefore(sep, divider && divider.id === "unread-divider" ? divider : el);
      }
      const system = el.classList.contains("msg--system") || (prev && prev.classList.contains("msg--system"));
      const cont = prev && !system && prev.dataset.day === day && prev.dataset.sender === el.dataset.sender &&
        Number(el.dataset.ts) - Number(prev.dataset.ts) < GROUP_GAP_MS;
      el.classList.toggle("msg--cont", Boolean(cont));
      prev = el;
    }
  }

  const SWAP = function (style) { return { swapStyle: style, swapDelay: 0, settleDelay: 0 }; };

  function keepFocus(active, newEl) {
    const key = active.getAttribute("hx-post") || active.getAttribute("hx-get");
    const target = (key && newEl.querySelector('[hx-post="' + key + '"], [hx-get="' + key + '"]')) || newEl.querySelector("summary, button, a");
    if (target) target.focus();
  }

  /* Puts one rendered message in place with htmx's swap; returns true when it was not on the
     page before. */
  function upsertMessage(el, list) {
    const existing = byId(el.id);
    if (existing) {
      if (existing.classList.contains("msg--target")) el.classList.add("msg--target");
      const active = existing.contains(document.activeElement) ? document.activeElement : null;
      htmx.swap(existing, el.outerHTML, SWAP("outerHTML"));
      const now = byId(el.id);
      if (active && now) keepFocus(active, now);
      return false;
    }
    if (!list || el.dataset.conversation !== openId()) return false;
    if (el.dataset.clientId) {
      const pending = byId("pending-" + el.dataset.clientId);
      if (pending) pending.remove();
    }
    const seq = Number(el.dataset.seq);
    let before = null;
    for (const other of list.querySelectorAll(":scope > li.msg[data-seq]")) {
      if (Number(other.dataset.seq) > seq) { before = other; break; }
    }
    if (!before) {
      if (byId("newer-sentinel")) return false;  // a window into history: newer ones load on scroll
      before = list.querySelector(":scope > li.msg--pending, :scope > #newer-sentinel");
    }
    if (before) htmx.swap(before, el.outerHTML, SWAP("beforebegin"));
    else htmx.swap(list, el.outerHTML, SWAP("beforeend"));
    const empty = byId("empty-note");
    if (empty) empty.remove();
    return true;
  }

  /* Applies a response or push carrying _message.html items (HTML, or an already parsed
     fragment); returns the elements that were added. */
  function upsertHtml(html, options) {
    const list = messageList();
    const stick = Boolean(options && options.own) || (list && nearBottom(list));
    const added = [];
    const fragment = typeof html === "string" ? parse(html) : html;
    for (const el of Array.from(fragment.querySelectorAll("li.msg"))) {
      if (upsertMessage(el, list)) added.push(byId(el.id) || el);
    }
    if (list) {
      regroup(list);
      if (stick) toBottom(list);
    }
    return added;
  }

  function addPending(clientId, text, note) {
    const list = messageList();
    if (!list) return null;
    const li = document.createElement("li");
    li.id = "pending-" + clientId;
    li.className = "msg msg--mine msg--pending";
    li.dataset.sender = me;
    li.dataset.ts = String(Date.now());
    const last = list.querySelector(":scope > li.msg[data-seq]:last-of-type") || list.querySelector("li.msg:last-child");
    li.dataset.day = last ? last.dataset.day : "";
    li.dataset.dayLabel = last ? last.dataset.dayLabel : "";
    const body = document.createElement("div");
    body.className = "msg-body";
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    const p = document.createElement("p");
    p.className = "text";
    p.textContent = text || note || "";
    bubble.appendChild(p);
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = "Sending…";
    bubble.appendChild(meta);
    body.appendChild(bubble);
    li.appendChild(body);
    list.appendChild(li);
    const empty = byId("empty-note");
    if (empty) empty.remove();
    regroup(list);
    toBottom(list);
    return li;
  }

  function failPending(li, text, retry, edit) {
    if (!li || !li.isConnected) return;
    li.classList.add("msg--failed");
    const meta = li.querySelector(".meta");
    if (meta) meta.textContent = "";
    let note = li.querySelector(".pending-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "pending-note";
      note.setAttribute("role", "alert");
      li.querySelector(".msg-body").appendChild(note);
    }
    note.textContent = "Not sent: " + text;
    if (edit) {
      const change = document.createElement("button");
      change.type = "button";
      change.textContent = "Edit";
      change.addEventListener("click", edit);
      note.appendChild(change);
    }
    if (retry) {
      const again = document.createElement("button");
      again.type = "button";
      again.textContent = "Retry";
      again.addEventListener("click", function () { li.classList.remove("msg--failed"); note.remove(); retry(); });
      note.appendChild(again);
      const drop = document.createElement("button");
      drop.type = "button";
      drop.textContent = "Discard";
      drop.addEventListener("click", function () { li.remove(); });
      note.appendChild(drop);
    }
  }

  function refreshMessage(id) {
    return get("/chat/messages/" + id).then(function (r) {
      if (r.status === 404) { const gone = byId("message-" + id); if (gone) gone.remove(); return; }
      if (r.ok) return r.text().then(function (html) { upsertHtml(html); });
    }).catch(function () {});
  }

  /* ---- the conversation list ---------------------------------------------------------------- */

  function updateTitle() {
    let total = 0;
    document.querySelectorAll("#conversation-list > li.conv-item:not(.is-muted)").forEach(function (li) {
      total += Number(li.dataset.unread || 0);
    });
    const base = document.title.replace(/^\(\d+\+?\) /, "");
    document.title = total ? "(" + (total > 99 ? "99+" : total) + ") " + base : base;
  }

  function upsertItem(conversationId, html) {
    const ul = byId("conversation-list");
    const wrap = byId("list-wrap");
    if (!ul || !wrap) return;
    const old = byId("conversation-" + conversationId);
    const el = parse(html).querySelector("li.conv-item");
    const hadFocus = old && old.contains(document.activeElement);
    if (!el || (el.dataset.archived === "1") !== (wrap.dataset.archived === "1")) {
      if (old) old.remove();
      updateTitle();
      return;
    }
    if (old) old.remove();
    let before = null;
    for (const other of ul.querySelectorAll(":scope > li.conv-item")) {
      if (other.dataset.activity <= el.dataset.activity) { before = other; break; }
    }
    if (!before) {
      before = ul.querySelector(":scope > li.sentinel");
      if (before && !old) return;  // older than everything loaded: it arrives with the next page
    }
    ul.insertBefore(el, before);
    htmx.process(el);
    changed("lnk:list-changed");
    const empty = byId("empty-list");
    if (empty) empty.remove();
    if (hadFocus) el.querySelector("a").focus();
    updateTitle();
  }

  function refreshItem(conversationId) {
    const active = openId() || "";
    return get("/chat/partials/conversations/" + conversationId + "?active=" + active).then(function (r) {
      return r.ok ? r.text().then(function (html) { upsertItem(conversationId, html); }) : null;
    }).catch(function () {});
  }

  function markActive() {
    const id = openId();
    document.querySelectorAll("#conversation-list > li.conv-item").forEach(function (li) {
      const on = li.id === "conversation-" + id;
      li.classList.toggle("is-active", on);
      const a = li.querySelector("a");
      if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
  }

  /* ---- reading ------------------------------------------------------------------------------- */

  /* At most one read mark per conversation per second: the first goes at once, later ones are
     folded into one sent when the second is over. Over the socket when it is connected (its ack
     carries the exact unread count), else as a POST. */
  const READ_INTERVAL_MS = 1000;
  const reads = new Map();  // conversation id -> { last: time of the last mark, timer }
  function markRead() {
    const id = openId();
    if (!id) return;
    if (document.visibilityState !== "visible") { state.unreadPending = true; return; }
    state.unreadPending = false;
    let r = reads.get(id);
    if (!r) { r = { last: 0, timer: null }; reads.set(id, r); }
    if (r.timer) return;  // one is already due and covers this message too
    r.timer = setTimeout(function () {
      r.timer = null;
      r.last = Date.now();
      if (openId() === id) sendRead(id);
    }, Math.max(0, r.last + READ_INTERVAL_MS - Date.now()));
  }

  function sendRead(id) {
    const socket = live() && live().connected() ? live().socket() : null;
    if (!socket) {
      htmx.ajax("POST", "/chat/" + id + "/read", { source: "#conversation", swap: "none" });
      return;
    }
    socket.emit("markAsRead", { conversationId: id }, function (ack) {
      if (ack && ack.ok && window.lnk.push) window.lnk.push.setUnread(id, ack.unreadCount);
    });
  }

  function refreshReceipts(messageIds) {
    const id = openId();
    if (!id) return;
    let from = Infinity;
    for (const mid of messageIds || []) {
      const el = byId("message-" + mid);
      if (el && el.classList.contains("msg--mine")) from = Math.min(from, Number(el.dataset.seq));
    }
    if (from === Infinity) return;
    htmx.ajax("GET", "/chat/" + id + "/receipts?fromSeq=" + from, { source: "#conversation", swap: "none" });
  }

  /* After a drop: re-render the recent tail and everything newer, page by page, with no gap. */
  function catchUp(overlap) {
    const id = openId();
    const list = messageList();
    if (!id || !list || byId("newer-sentinel")) return Promise.resolve();
    const seqs = [];
    list.querySelectorAll(":scope > li.msg[data-seq]").forEach(function (el) { seqs.push(Number(el.dataset.seq)); });
    seqs.sort(function (x, y) { return x - y; });
    const max = seqs.length ? seqs[seqs.length - 1] : 0;
    let after = Math.max(0, max - overlap);
    // A hole in what the page holds (a push that never arrived): catch up from before it.
    for (let i = 1; i < seqs.length; i++) {
      if (seqs[i] > seqs[i - 1] + 1) { after = Math.min(after, seqs[i - 1]); break; }
    }
    function page() {
      return get("/chat/" + id + "/messages?afterSeq=" + after + "&limit=100").then(function (r) {
        if (!r.ok || openId() !== id) return;
        const more = r.headers.get("X-Lnk-More") === "1";
        return r.text().then(function (html) {
          const frag = parse(html);
          frag.querySelectorAll("li.msg[data-seq]").forEach(function (el) { after = Math.max(after, Number(el.dataset.seq)); });
          const added = upsertHtml(html);
          if (added.some(function (el) { return el.dataset.sender !== me; })) markRead();
          if (more) return page();
        });
      });
    }
    return page().catch(function () {});
  }

  /* The list as the server has it now; ``aria-busy`` on the old one until the new one is in. */
  function refreshList() {
    const wrap = byId("list-wrap");
    if (!wrap) return;
    const archived = wrap.dataset.archived === "1" ? "1" : "0";
    const done = function () { wrap.removeAttribute("aria-busy"); };
    wrap.setAttribute("aria-busy", "true");
    htmx.ajax("GET", "/chat/partials/conversations?archived=" + archived + "&active=" + (openId() || ""),
      { target: "#list-wrap", swap: "outerHTML" }).then(function () { done(); changed("lnk:list-changed"); updateTitle(); }, done);
  }


  /* Everything the page may have missed (a reconnect, or the server asking): the open
     conversation's recent tail and newer messages, the list, and the receipts. */
  function resync(overlap) {
    refreshList();
    refreshReceiptsAll();
    return catchUp(overlap === undefined ? 30 : overlap);
  }

  function refreshReceiptsAll() {
    const ids = [];
    document.querySelectorAll("#messages > li.msg--mine[data-seq]").forEach(function (el) { ids.push(el.id.slice(8)); });
    refreshReceipts(ids);
  }

  /* ---- opening a conversation ------------------------------------------------------------------ */

  function onOpened() {
    const conv = openConversation();
    app.classList.toggle("app--open", Boolean(conv));
    markActive();
    changed("lnk:opened");
    const list = messageList();
    if (list) { regroup(list); toStart(list, conv); }
    if (conv) {
      document.title = conv.dataset.title + " · LNK";
      const item = byId("conversation-" + conv.dataset.conversationId);
      if (!item || Number(item.dataset.unread || 0) > 0) markRead();
    }
    updateTitle();
  }

  let olderAnchor = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    const elt = e.detail.elt;
    if (elt && elt.id === "older-sentinel") {
      const list = messageList();
      olderAnchor = list ? list.scrollHeight - list.scrollTop : null;
    }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    const target = e.detail.target;
    if (!target) return;
    if (target.id === "pane") { onOpened(); return; }
    const list = messageList();
    if (list && (e.detail.elt.id === "older-sentinel" || e.detail.elt.id === "newer-sentinel" || target === list)) {
      regroup(list);
      if (e.detail.elt.id === "older-sentinel" && olderAnchor !== null) {
        list.scrollTop = list.scrollHeight - olderAnchor;
        olderAnchor = null;
      }
    }
    if (target.id === "list-wrap" || target.closest && target.closest("#conversation-list")) { changed("lnk:list-changed"); updateTitle(); }
  });
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "list-wrap") { changed("lnk:list-changed"); updateTitle(); }
  });
  // Message actions answer with the message's partial (X-Lnk-Fragment) or ask for its removal.
  document.addEventListener("htmx:afterRequest", function (e) {
    const xhr = e.detail.xhr;
    if (!xhr || !e.detail.successful) return;
    const removed = xhr.getResponseHeader("X-Lnk-Remove");
    if (removed) { const el = byId(removed); if (el) el.remove(); const l = messageList(); if (l) regroup(l); }
    if (xhr.getResponseHeader("X-Lnk-Fragment") === "message" && xhr.status < 300) {
      upsertHtml(xhr.responseText, { own: xhr.status === 201 });
      const dialog = byId("dialog");
      if (dialog && dialog.open && dialog.contains(e.detail.elt)) dialog.close();
    }
  });
  // A quote jumps to the quoted message (loading it in context if it is not on the page).
  document.addEventListener("click", function (e) {
    const quote = e.target.closest("a.quote[data-jump]");
    if (!quote) return;
    e.preventDefault();
    const el = byId("message-" + quote.dataset.jump);
    if (el) {
      el.scrollIntoView({ block: "center", behavior: "smooth" });
      el.classList.remove("is-flash");
      void el.offsetWidth;
      el.classList.add("is-flash");
    } else {
      htmx.ajax("GET", "/chat/" + openId() + "?at=" + quote.dataset.jump, { target: "#pane", swap: "innerHTML" });
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state.unreadPending) markRead();
  });

  window.lnk = Object.assign(window.lnk || {}, {
    chat: {
      upsertHtml: upsertHtml, addPending: addPending, failPending: failPending, openId: openId,
      refreshMessage: refreshMessage, refreshItem: refreshItem, refreshList: refreshList,
      refreshReceipts: refreshReceipts, refreshReceiptsAll: refreshReceiptsAll, markRead: markRead,
      catchUp: catchUp, resync: resync, parse: parse, updateTitle: updateTitle,
      emitTyping: function (typing) { if (live()) live().emitTyping(typing); },
      connected: function () { return Boolean(live() && live().connected()); },
      socket: function () { return live() && live().socket(); },
    },
  });

  // Before htmx starts watching the "load older" sentinel: start at the newest message.
  const initialList = messageList();
  if (initialList) toStart(initialList, openConversation());
  document.addEventListener("DOMContentLoaded", onOpened);
})();
