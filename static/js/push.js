/* LNK push: applies what the page's socket receives without asking the server again. The
   server renders each change once per distinct view (lnk/web/chat/push.py): the message item
   lands with htmx's swap, the conversation list item is patched (preview, time, order, and the
   unread badge counted up here; exact counts come with conversationUpdated; the Archived tab
   counts archived conversations with unread messages the same way), receipts count up from
   messageRead, and times rendered in UTC are shown in the reader's own zone and locale
   (lnk.times, times.js). */
(function () {
  "use strict";
  const app = document.getElementById("app");
  if (!app || !window.lnk || !window.lnk.chat) return;
  const me = app.dataset.me;
  const chat = window.lnk.chat;
  const times = window.lnk.times;
  const byId = function (id) { return document.getElementById(id); };
  const fetchedOnce = new Set();  // list items not on the page that were asked for once

  /* ---- the conversation list ----------------------------------------------------------------- */

  function setUnread(conversationId, count) {
    const li = byId("conversation-" + conversationId);
    if (!li) return;
    const n = Math.max(0, Number(count) || 0);
    li.dataset.unread = String(n);
    li.classList.toggle("has-unread", n > 0);
    let badge = li.querySelector(".badge");
    if (!n) {
      if (badge) badge.remove();
    } else {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "badge";
        badge.id = "badge-" + conversationId;
        const shown = document.createElement("span");
        shown.setAttribute("aria-hidden", "true");
        const said = document.createElement("span");
        said.className = "visually-hidden";
        badge.append(shown, said);
        li.querySelector(".conv-bottom").appendChild(badge);
      }
      badge.firstElementChild.textContent = n < 100 ? String(n) : "99+";
      badge.lastElementChild.textContent = n + " unread";
    }
    chat.updateTitle();
  }

  /* The Archived tab's count on the Chats tab: the archived conversations with unread messages,
     by id (data-ids of #archived-unread, as the list was rendered), kept from pushes alone. */
  function setArchivedUnread(conversationId, unread) {
    const count = byId("archived-unread");
    if (!count) return;  // the Archived tab is showing: its items carry their own badges
    const ids = new Set((count.dataset.ids || "").split(" ").filter(Boolean));
    if (unread) ids.add(conversationId); else ids.delete(conversationId);
    const n = ids.size;
    count.dataset.ids = Array.from(ids).join(" ");
    count.hidden = n === 0;
    count.firstElementChild.textContent = String(n);
    count.lastElementChild.textContent = ", " + n + " with unread messages";
  }

  /* Whether a conversation archived (or not) for the viewer belongs to the tab shown. */
  function shownHere(archived) {
    const wrap = byId("list-wrap");
    return !wrap || (wrap.dataset.archived === "1") === Boolean(archived);
  }

  function setPreview(li, data) {
    const m = data.message;
    if (!m || data.lastMessageId !== m.id) return;  // a newer message already shows
    li.dataset.last = m.id;
    const preview = li.querySelector(".conv-preview");
    if (preview) preview.textContent = data.preview || "No messages yet";
  }

  /* A new message: preview, time and place at the top; ``countUnread`` adds one to the badge. */
  function listItem(data, countUnread) {
    const cid = data.conversationId;
    if (data.archived !== undefined && !shownHere(data.archived)) {
      // It stays in the other tab (an archived conversation stays archived): nothing to place
      // or ask for here; a message to read in an archived one counts on the Archived tab.
      if (data.archived && countUnread) setArchivedUnread(cid, true);
      return;
    }
    const li = byId("conversation-" + cid);
    if (!li) {
      // Not on the page (new, re-appearing after a delete, archived, or beyond the loaded
      // part of the list): ask once; the answer places it or leaves it out.
      if (!fetchedOnce.has(cid)) { fetchedOnce.add(cid); chat.refreshItem(cid); }
      return;
    }
    const m = data.message;
    setPreview(li, data);
    if (m.createdAt && (!li.dataset.activity || li.dataset.activity < m.createdAt)) {
      li.dataset.activity = m.createdAt;
      const time = li.querySelector(".conv-time");
      if (time) { time.setAttribute("datetime", m.createdAt); time.textContent = times.format(new Date(m.createdAt), time.dataset.format); }
      const ul = li.parentElement;
      const first = ul.querySelector(":scope > li.conv-item");
      if (first !== li) ul.insertBefore(li, first);
    }
    if (countUnread) setUnread(cid, Number(li.dataset.unread || 0) + 1);
    else chat.updateTitle();
  }

  /* conversationUpdated: the exact unread count in place, and on the Archived tab's count; a
     conversation left or moved to the other tab leaves the list. Anything else about the item
     (muted, title, one that comes back to this tab) is rare enough to ask for the item. */
  function conversation(c) {
    const li = byId("conversation-" + c.id);
    const member = (c.participants || []).some(function (p) { return p.userId === me; });
    setArchivedUnread(c.id, member && c.archived && c.unreadCount > 0);
    if (!member || !shownHere(c.archived)) {
      if (li) { li.remove(); chat.updateTitle(); }
      return;
    }
    const title = li && li.querySelector(".conv-title");
    const same = li && li.classList.contains("is-muted") === Boolean(c.muted) &&
      (c.type !== "group" || (title && title.textContent === c.title));
    if (same) setUnread(c.id, c.unreadCount); else chat.refreshItem(c.id);
  }

  /* ---- messages -------------------------------------------------------------------------------- */

  /* newMessage or messageUpdated in the open conversation: the rendered item in place. */
  function place(data) {
    if (!data.html) return [];
    return chat.upsertHtml(times.localize(chat.parse(data.html)));
  }

  function updated(data) {
    const id = data.message && data.message.id;
    if (id && byId("message-" + id)) place(data);
    if (data.action === "reaction") return;
    const li = byId("conversation-" + data.conversationId);
    if (li && li.dataset.last === id) setPreview(li, data);
  }

  /* messageRead: someone else read some of the viewer's messages; each id is read once per
     reader, so the count goes up by one. */
  function receipts(data) {
    (data.messageIds || []).forEach(function (mid) {
      const r = byId("receipt-" + mid);
      if (!r) return;
      const readers = Number(r.dataset.readers || 1);
      const count = Math.min(readers, Number(r.dataset.readBy || 0) + 1);
      r.dataset.readBy = String(count);
      let state = "read";
      let label = "Read";
      if (r.dataset.group) {
        if (count >= readers) label = "Read by everyone";
        else { state = "partial"; label = "Read by " + count; }
      }
      r.className = "receipt receipt--" + state;
      r.title = label;
      const use = r.querySelector("use");
      if (use) use.setAttribute("href", use.getAttribute("href").replace(/#.*$/, "#check-double"));
      const said = r.querySelector(".visually-hidden");
      if (said) said.textContent = label;
    });
  }

  window.lnk.push = {
    setUnread: setUnread, listItem: listItem, conversation: conversation,
    place: place, updated: updated, receipts: receipts,
  };
})();
