/* "Get notified": registers the service worker, asks for permission, subscribes with the
   server's VAPID key and hands the subscription to the server. */
(function () {
  "use strict";

  function cookie(name) {
    const prefix = name + "=";
    for (const part of document.cookie.split("; ")) {
      if (part.startsWith(prefix)) return decodeURIComponent(part.slice(prefix.length));
    }
    return null;
  }

  function keyBytes(base64url) {
    const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
    const raw = atob(padded);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-TOKEN": cookie("csrf_access_token") || "" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (response) {
      if (!response.ok) throw new Error("the server answered " + response.status);
      return response.status === 204 ? null : response.json();
    });
  }

  function say(text, kind) {
    if (window.lnk && window.lnk.toast) window.lnk.toast(text, kind);
    const status = document.getElementById("push-status");
    if (status) status.textContent = text;
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  async function subscribe() {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const permission = await Notification.requestPermission();
    if (permission !== "granted") throw new Error("notifications are blocked for this site");
    const ready = await navigator.serviceWorker.ready;
    let subscription = await ready.pushManager.getSubscription();
    if (!subscription) {
      const { publicKey } = await api("GET", "/api/push/vapid-public-key");
      subscription = await ready.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(publicKey),
      });
    }
    await api("POST", "/api/push/subscriptions", subscription.toJSON());
    document.documentElement.dataset.pushSubscribed = "true";
    return registration;
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-get-notified]");
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    subscribe().then(function () {
      say("Notifications are on for this browser.");
    }).catch(function (error) {
      say("Could not turn on notifications: " + error.message, "error");
    }).finally(function () { button.disabled = false; });
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!supported()) return;
    for (const el of document.querySelectorAll("[data-get-notified][hidden]")) el.hidden = false;
  });
})();
