/* LNK service worker (served at /sw.js, scope "/"): shows Web Push notifications and opens or
   focuses the conversation when one is clicked. */
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data && event.data.text() }; }
  const title = data.title || "LNK";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "You have new messages",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    icon: "/static/icons/logo.svg",
    data: { url: data.url || "/chat" },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  const path = (event.notification.data && event.notification.data.url) || "/chat";
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (const win of windows) {
      if (win.url === target && "focus" in win) return win.focus();
    }
    for (const win of windows) {
      if (new URL(win.url).origin === self.location.origin && "navigate" in win) {
        return win.navigate(target).then(function (w) { return w && w.focus(); });
      }
    }
    return self.clients.openWindow(target);
  }));
});
