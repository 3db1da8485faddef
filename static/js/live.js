/* LNK live: the Socket.IO side of the chat page. Connects /messaging with the login cookie as a
   page socket (``auth: {fragments: true}``: message events arrive rendered), joins the open
   conversation, keeps presence and the typing line, and hands every push to ``lnk.push``
   (push.js), which applies it without asking the server again. */
(function () {
  "use strict";
  const app = document.getElementById("app");
  if (!app || !window.lnk || !window.lnk.chat) return;
  const me = app.dataset.me;
  const chat = window.lnk.chat;
  const push = window.lnk.push;
  const state = { blocked: false, socket: null, online: new Set(), seen: new Map(), asked: new Set(), typing: new Map(), joined: null, connected: false, everConnected: false };

  const byId = function (id) { return document.getElementById(id); };
  const openConversation = function () { return byId("conversation"); };
  const openId = chat.openId;

  /* ---- presence and typing ------------------------------------------------------------------- */

  function applyPresence(root) {
    (root || document).querySelectorAll("[data-presence]").forEach(function (dot) {
      const on = state.online.has(dot.dataset.presence);
      dot.classList.toggle("is-online", on);
    });
    (root || document).querySelectorAll("[data-presence-text]").forEach(presenceText);
  }

  /* "online" while presence says so; otherwise what the server rendered from the stored instant
     ("last seen <time>", or "offline" for someone never seen), or the newer instant of a
     userOffline push. The away line is kept aside while "online" shows. */
  function presenceText(span) {
    const uid = span.dataset.presenceText;
    if (!span.lnkAway) { span.lnkAway = Array.from(span.childNodes); span.lnkShowsAway = true; }
    const seen = state.seen.get(uid);
    if (seen && !(Date.parse(span.dataset.lastSeenAt) >= Date.parse(seen))) {
      const time = document.createElement("time");
      time.setAttribute("datetime", seen);
      time.dataset.format = "seen";  // as the server renders the stored instant
      span.dataset.lastSeenAt = seen;
      span.lnkAway = [document.createTextNode("last seen "), time];
      span.lnkShowsAway = false;
    }
    const online = state.online.has(uid);
    span.classList.toggle("is-online", online);
    if (online) {
      if (span.lnkShowsAway) { span.textContent = "online"; span.lnkShowsAway = false; }
    } else if (!span.lnkShowsAway) {
      span.replaceChildren.apply(span, span.lnkAway);
      span.lnkShowsAway = true;
      window.lnk.times.localize(span);
    }
  }

  /* A block hides when either was last seen (the server renders "offline" from then on): the
     line the page showed goes too, not only at the next reload. */
  function forgetSeen(userId) {
    state.seen.delete(userId);
    document.querySelectorAll('[data-presence-text="' + userId + '"]').forEach(function (span) {
      delete span.dataset.lastSeenAt;
      span.lnkAway = [document.createTextNode("offline")];
      span.lnkShowsAway = false;
    });
    applyPresence();
  }

  function setOnline(userId, online, lastSeenAt) {
    if (online) state.online.add(userId); else state.online.delete(userId);
    if (!online && lastSeenAt) state.seen.set(userId, lastSeenAt);
    applyPresence();
  }

  function names() {
    const conv = openConversation();
    try { return conv ? JSON.parse(conv.dataset.names) : {}; } catch (e) { return {}; }
  }

  function renderTyping() {
    const line = byId("typing");
    if (!line) return;
    const who = Array.from(state.typing.keys()).map(function (uid) { return (names()[uid] || "Someone").split(" ")[0]; });
    line.textContent = who.length === 0 ? "" : who.length === 1 ? who[0] + " is typing…"
      : who.length === 2 ? who[0] + " and " + who[1] + " are typing…" : "Several people are typing…";
  }

  function setTyping(userId, typing) {
    clearTimeout(state.typing.get(userId));
    if (typing) {
      // The server ends a typing state after 6 s without renewal; never show one longer than that.
      state.typing.set(userId, setTimeout(function () { state.typing.delete(userId); renderTyping(); }, 7000));
    } else {
      state.typing.delete(userId);
    }
    renderTyping();
  }

  let typingSent = 0;
  let typingStop = null;
  function emitTyping(typing) {
    const id = openId();
    if (!id || !state.socket || !state.connected) return;
    clearTimeout(typingStop);
    if (typing) {
      if (Date.now() - typingSent > 3000) {
        typingSent = Date.now();
        state.socket.emit("typing", { conversationId: id, typing: true });
      }
      typingStop = setTimeout(function () { emitTyping(false); }, 4000);
    } else if (typingSent) {
      typingSent = 0;
      state.socket.emit("typing", { conversationId: id, typing: false });
    }
  }

  function announce(text) {
    const box = byId("announcer");
    if (!box) return;
    box.textContent = "";
    setTimeout(function () { box.textContent = text; }, 30);
  }

  /* ---- the socket ---------------------------------------------------------------------------- */

  function join() {
    const id = openId();
    if (!state.socket || !state.connected) return;
    if (state.joined && state.joined !== id) state.socket.emit("leaveConversation", { conversationId: state.joined });
    state.joined = id;
    state.typing.forEach(function (t) { clearTimeout(t); });
    state.typing.clear();
    renderTyping();
    if (id) state.socket.emit("joinConversation", { conversationId: id });
  }

  function askPresence() {
    if (!state.socket || !state.connected) return;
    const ids = new Set();
    document.querySelectorAll("#conversation-list > li.conv-item").forEach(function (li) {
      if (li.querySelector("[data-presence]")) ids.add(li.id.slice("conversation-".length));
    });
    const open = openConversation();
    if (open && open.dataset.otherId) ids.add(open.dataset.conversationId);
    ids.forEach(function (cid) {
      if (state.asked.has(cid)) return;  // later changes arrive as userOnline / userOffline
      state.asked.add(cid);
      state.socket.emit("getOnlineUsers", { conversationId: cid }, function (ack) {
        if (!ack || !ack.ok) return;
        document.querySelectorAll('#conversation-' + cid + ' [data-presence]').forEach(function (dot) {
          if (ack.userIds.indexOf(dot.dataset.presence) < 0) state.online.delete(dot.dataset.presence);
        });
        ack.userIds.forEach(function (uid) { if (uid !== me) state.online.add(uid); });
        applyPresence();
      });
    });
  }


  /* The account can no longer use the chat: a notice that stays, and nothing left to send. */
  function blocked(message) {
    state.blocked = true;
    const banner = byId("connection");
    if (banner) {
      banner.textContent = "Your account is suspended" + (message && !/suspended/.test(message) ? ": " + message : "") + ". Contact the LNK team to have it restored.";
      banner.classList.add("connection--blocked");
      banner.hidden = false;
    }
    document.querySelectorAll("#composer textarea, #composer button").forEach(function (el) { el.disabled = true; });
  }

  /* Removed from the open group: the pane says so instead of the chat vanishing. */
  function removed(c) {
    const open = openConversation();
    const title = c.title || (open && open.dataset.title) || "this conversation";
    const pane = byId("pane");
    if (!pane) return;
    const section = document.createElement("section");
    section.className = "empty-pane";
    section.id = "removed-note";
    section.setAttribute("aria-label", "Removed from the conversation");
    const h = document.createElement("h1");
    h.textContent = "You were removed from " + title;
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = "You can no longer see or send messages there.";
    const back = document.createElement("a");
    back.className = "btn btn--primary";
    back.href = "/chat";
    back.textContent = "Back to your chats";
    section.append(h, p, back);
    pane.replaceChildren(section);
    app.classList.add("app--open");
    window.lnk.toast("You were removed from " + title, "info");
    const item = byId("conversation-" + c.id);
    if (item) item.remove();
    join();
  }

  function connect() {
    if (typeof io !== "function") return;
    const socket = io("/messaging", {
      transports: ["websocket", "polling"], withCredentials: true, auth: { fragments: true },
    });
    state.socket = socket;
    let bannerTimer = null;
    const banner = byId("connection");

    socket.on("connect", function () {
      state.connected = true;
      clearTimeout(bannerTimer);
      if (banner) banner.hidden = true;
      state.joined = null;
      join();
      askPresence();
      // Whatever happened between the page's render and this connect (or during a drop).
      if (state.everConnected) chat.resync();
      else { chat.catchUp(0); chat.refreshList(); }
      state.everConnected = true;
    });
    socket.on("disconnect", function (reason) {
      state.connected = false;
      state.asked.clear();
      // Offline, nobody is known to be online: no stale "online" under the Reconnecting pill.
      state.online.clear();
      applyPresence();
      bannerTimer = setTimeout(function () { if (banner && !state.connected && !state.blocked) banner.hidden = false; }, 1500);
      // Closed by the server (a suspension, say): the client would not retry by itself; the
      // next connect learns why.
      if (reason === "io server disconnect") setTimeout(function () { socket.connect(); }, 500);
    });
    socket.on("connect_error", function (err) {
      if (err && err.message === "unauthorized" && err.data && err.data.code === "forbidden") {
        blocked(err.data.message);  // a suspended account: say so, and stop
        return;
      }
      if (!err || err.message !== "unauthorized") return;  // network trouble: the client retries by itself
      window.lnk.refreshSession().then(function (ok) {
        if (ok) setTimeout(function () { socket.connect(); }, 300); else window.lnk.toLogin();
      });
    });

    // The server may have dropped events for this socket (its message queue was away, or a
    // render failed): catch up as after a reconnect, presence included.
    socket.on("resync", function () {
      state.asked.clear();
      askPresence();
      chat.resync();
    });
    socket.on("newMessage", function (data) {
      const cid = data.conversationId;
      const message = data.message || {};
      const fromOther = message.senderId !== me;
      const counts = fromOther && message.type !== "system";
      const open = cid === openId();
      push.listItem(data, counts && !(open && document.visibilityState === "visible"));
      if (open) {
        if (fromOther) setTyping(message.senderId, false);
        push.place(data);
        if (counts) {
          chat.markRead();
          const el = byId("message-" + message.id);
          const who = el ? el.dataset.senderName : "Someone";
          announce(who + ": " + (el ? el.dataset.preview : "new message"));
        }
      } else if (counts) {
        const item = byId("conversation-" + cid);
        if (!item || !item.classList.contains("is-muted")) {
          const title = item ? item.querySelector(".conv-title").textContent : "a conversation";
          announce("New message in " + title);
        }
      }
    });
    socket.on("messageUpdated", push.updated);
    socket.on("messageRead", function (data) {
      if (data.conversationId === openId()) push.receipts(data);
    });
    socket.on("userTyping", function (data) {
      if (data.conversationId === openId() && data.userId !== me) setTyping(data.userId, data.typing);
    });
    socket.on("userOnline", function (data) { setOnline(data.userId, true); });
    socket.on("userOffline", function (data) { setOnline(data.userId, false, data.lastSeenAt); });
    socket.on("conversationUpdated", function (data) {
      const c = data.conversation;
      if (!c) return;
      push.conversation(c);
      if (c.id !== openId()) return;
      const stillIn = (c.participants || []).some(function (p) { return p.userId === me; });
      if (!stillIn) { removed(c); return; }
      if (c.type === "group" && c.title) {
        const h = byId("conversation-title");
        if (h && h.textContent !== c.title) h.textContent = c.title;
      }
    });
  }

  document.addEventListener("lnk:opened", function () { join(); applyPresence(); askPresence(); });
  document.addEventListener("lnk:list-changed", function () { applyPresence(); askPresence(); });

  window.lnk.live = {
    applyPresence: applyPresence,
    setOnline: setOnline,
    forgetSeen: forgetSeen,
    emitTyping: emitTyping,
    connected: function () { return state.connected; },
    socket: function () { return state.socket; },
  };
  document.addEventListener("DOMContentLoaded", connect);
})();
