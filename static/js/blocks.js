/* LNK blocks: what may pass between the viewer and the other person of the open direct
   conversation. The state comes with the socket's blockUpdated (any change, made in any tab or
   device, by either of the two) and with the answers to this page's own Block, Unblock and
   refused sends (the lnk:block trigger, the same payload): while either blocks the other the
   composer gives way to a notice, and the conversation menu offers Block or Unblock. */
(function () {
  "use strict";
  if (!document.getElementById("app") || !window.lnk || !window.lnk.chat) return;
  const byId = function (id) { return document.getElementById(id); };

  function apply(state) {
    if (!state || !state.userId) return;
    const live = window.lnk.live;
    if (live && typeof state.online === "boolean") live.setOnline(state.userId, state.online);
    if (live && (state.blocking || state.blockedBy)) live.forgetSeen(state.userId);
    const notice = byId("block-notice");
    if (!notice || notice.dataset.blockUser !== state.userId) return;
    const any = Boolean(state.blocking || state.blockedBy);
    notice.hidden = !any;
    notice.querySelector('[data-block-case="blocking"]').hidden = !state.blocking;
    notice.querySelector('[data-block-case="blocked-by"]').hidden = Boolean(state.blocking || !state.blockedBy);
    const composer = byId("composer");
    if (composer) composer.hidden = any;
    document.querySelectorAll("#conversation-actions [data-block-entry]").forEach(function (entry) {
      entry.hidden = (entry.dataset.blockEntry === "block") === Boolean(state.blocking);
    });
  }

  document.body.addEventListener("lnk:block", function (e) {
    apply(e.detail);
    const dialog = byId("dialog");
    if (dialog && dialog.open && dialog.querySelector("[data-block-dialog]")) dialog.close();
  });
  document.addEventListener("DOMContentLoaded", function () {
    const socket = window.lnk.chat.socket();
    if (socket) socket.on("blockUpdated", apply);
  });
})();
