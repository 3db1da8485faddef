/* LNK alerts while the tab is in the background: a desktop notification (only after the person
   turned alerts on from the in-page prompt or the account menu; the browser's permission is
   asked for then, never on load), a short sound, and the unread count on the favicon. Muted
   conversations stay silent. The choice is kept in localStorage ("lnk.alerts": on / off). */
(function () {
  "use strict";
  const app = document.getElementById("app");
  if (!app || !window.lnk || !window.lnk.chat) return;
  const me = app.dataset.me;
  const KEY = "lnk.alerts";
  const byId = function (id) { return document.getElementById(id); };
  const supported = "Notification" in window;

  function choice() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }
  function remember(value) { try { localStorage.setItem(KEY, value); } catch (e) { /* private mode */ } }
  function on() { return choice() === "on" && supported && Notification.permission === "granted"; }

  /* ---- the in-page prompt and the account menu's switch -------------------------------------- */

  function render() {
    const prompt = byId("alerts-prompt");
    if (prompt) prompt.hidden = !supported || choice() !== null || Notification.permission === "denied";
    const toggle = byId("alerts-toggle");
    if (toggle) {
      toggle.hidden = !supported;
      toggle.setAttribute("aria-pressed", on() ? "true" : "false");
      toggle.querySelector("[data-alerts-state]").textContent = on() ? "on" : "off";
    }
  }

  function turnOn() {
    if (!supported) return;
    Notification.requestPermission().then(function (answer) {
      remember(answer === "granted" ? "on" : "off");
      if (answer !== "granted") window.lnk.toast("Alerts are blocked in this browser's site settings.", "error");
      render();
    });
  }

  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-alerts-on]")) { turnOn(); return; }
    if (e.target.closest("[data-alerts-later]")) { remember("off"); render(); return; }
    if (e.target.closest("#alerts-toggle")) {
      if (on()) { remember("off"); render(); } else turnOn();
    }
  });

  /* ---- sound and favicon ----------------------------------------------------------------------- */

  let audio = null;
  function chime() {
    try {
      audio = audio || new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.25);
    } catch (e) { /* no audio: the notification still shows */ }
  }

  const icon = document.querySelector("link[rel=icon]");
  const plainIcon = icon ? icon.getAttribute("href") : null;
  /* The page title carries the unread count ("(3) Chats · LNK"); the favicon shows it too,
     drawn on a canvas (no request). */
  function paintFavicon() {
    if (!icon) return;
    const match = /^\((\d+\+?)\) /.exec(document.title);
    if (!match) { if (icon.getAttribute("href") !== plainIcon) icon.setAttribute("href", plainIcon); return; }
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const g = canvas.getContext("2d");
    g.fillStyle = "#3b5bdb";
    g.beginPath();
    g.arc(32, 32, 32, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = "#fff";
    g.font = "bold " + (match[1].length > 2 ? 26 : 36) + "px sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(match[1], 32, 34);
    icon.setAttribute("href", canvas.toDataURL("image/png"));
  }
  const titleEl = document.querySelector("title");
  if (titleEl) new MutationObserver(paintFavicon).observe(titleEl, { childList: true, characterData: true, subtree: true });

  /* ---- a message arrives ----------------------------------------------------------------------- */

  function alert(data) {
    const message = data.message || {};
    if (message.senderId === me || message.type === "system") return;
    if (document.visibilityState === "visible") return;
    const item = byId("conversation-" + data.conversationId);
    if (item && item.classList.contains("is-muted")) return;  // muted: silent
    if (!on()) return;
    const title = item ? item.querySelector(".conv-title").textContent : "New message";
    // The list item is already updated by this push (live.js handles it first).
    const preview = item ? item.querySelector(".conv-preview").textContent : "";
    const body = (message.content || preview || "New message").slice(0, 140);
    try {
      const n = new Notification(title, { body: body, tag: data.conversationId, icon: plainIcon });
      n.onclick = function () { window.focus(); location.href = "/chat/" + data.conversationId; };
    } catch (e) { /* some browsers allow notifications from a service worker only */ }
    chime();
  }

  document.addEventListener("DOMContentLoaded", function () {
    render();
    paintFavicon();
    const socket = window.lnk.chat.socket();
    if (socket) socket.on("newMessage", alert);
  });
})();
