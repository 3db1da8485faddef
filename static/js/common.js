/* LNK pages: what every HTMX page needs. CSRF double submit for htmx requests, toasts for
   failed requests, the dialog, menus, and keeping the session alive. */
(function () {
  "use strict";

  function cookie(name) {
    const prefix = name + "=";
    for (const part of document.cookie.split("; ")) {
      if (part.startsWith(prefix)) return decodeURIComponent(part.slice(prefix.length));
    }
    return null;
  }

  /* A short note; with ``action`` ({label, run}) it carries a button (an Undo) and stays longer. */
  function toast(text, kind, action) {
    const box = document.getElementById("toasts");
    if (!box || !text) return;
    const el = document.createElement("div");
    el.className = "toast" + (kind === "error" ? " toast--error" : "");
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.textContent = text;
    if (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "toast-action";
      button.textContent = action.label;
      button.addEventListener("click", function () { el.remove(); action.run(); });
      el.append(" · ", button);
    }
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, action ? 8000 : kind === "error" ? 6000 : 3500);
  }

  function errorText(xhrOrText, status) {
    const text = typeof xhrOrText === "string" ? xhrOrText : (xhrOrText && xhrOrText.responseText) || "";
    if (text) {
      const t = document.createElement("template");
      t.innerHTML = text;
      const found = t.content.querySelector(".toast, .alert, p");
      const msg = (found || t.content).textContent.trim();
      if (msg && msg.length < 400) return msg;
      try { return JSON.parse(text).detail; } catch (e) { /* not JSON */ }
    }
    return status ? "Something went wrong (" + status + "). Try again." : "Something went wrong.";
  }

  let refreshing = null;
  /* A new access cookie from the refresh cookie; resolves true when the session is still good. */
  function refreshSession() {
    if (!refreshing) {
      refreshing = fetch("/session/refresh", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-TOKEN": cookie("csrf_refresh_token") || "" },
      }).then(function (r) { return r.ok; }, function () { return false; })
        .finally(function () { setTimeout(function () { refreshing = null; }, 1000); });
    }
    return refreshing;
  }
  // Access tokens live 15 minutes; a page left open renews its cookie well before that.
  setInterval(refreshSession, 10 * 60 * 1000);

  function toLogin() {
    location.href = "/session/resume?next=" + encodeURIComponent(location.pathname + location.search);
  }

  /* htmx wires content it swapped in a moment later (when it settles): a form submitted before
     that (Enter in an editor that just opened) would be posted by the browser itself, leaving
     the page. Wired here and now, htmx's own handler on the form takes this very submit. */
  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (window.htmx && form instanceof HTMLFormElement && form.matches("[hx-post], [hx-get]")) htmx.process(form);
  }, true);

  document.addEventListener("htmx:configRequest", function (e) {
    const token = cookie("csrf_access_token");
    if (token) e.detail.headers["X-CSRF-TOKEN"] = token;
  });
  document.addEventListener("htmx:responseError", function (e) {
    const xhr = e.detail.xhr;
    if (xhr.status === 401 && !xhr.getResponseHeader("HX-Redirect")) { toLogin(); return; }
    toast(errorText(xhr, xhr.status), "error");
  });
  // A refusal (422) answered with the toast partial is shown as a toast, never swapped in
  // (most actions swap nothing, so it would otherwise go unseen).
  document.addEventListener("htmx:beforeSwap", function (e) {
    const xhr = e.detail.xhr;
    if (!xhr || xhr.status !== 422 || !/^<div class="toast/.test(xhr.responseText.trim())) return;
    e.detail.shouldSwap = false;
    toast(errorText(xhr, xhr.status), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("No connection to the server. Check your network and try again.", "error");
  });
  document.body.addEventListener("lnk:archived", function (e) {
    const id = e.detail && e.detail.id;
    toast("Archived", "info", { label: "Undo", run: function () {
      htmx.ajax("POST", "/chat/" + id + "/archive", { values: { archived: "0" }, target: "#pane", swap: "innerHTML" });
    } });
  });
  document.body.addEventListener("lnk:toast", function (e) {
    toast(e.detail && e.detail.message, "info");
  });

  // The shared dialog: partials are loaded into #dialog-body and shown as a modal.
  const dialog = document.getElementById("dialog");
  if (dialog) {
    document.addEventListener("htmx:afterSwap", function (e) {
      if (e.detail.target && e.detail.target.id === "pane" && dialog.open) dialog.close();
      if (e.detail.target && e.detail.target.id === "dialog-body") {
        if (!dialog.open) dialog.showModal();
        const first = dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea, button:not([data-close-dialog])");
        if (first) first.focus();
      }
    });
    dialog.addEventListener("close", function () {
      document.getElementById("dialog-body").replaceChildren();
    });
    dialog.addEventListener("click", function (e) {
      if (e.target === dialog) dialog.close();  // a click on the backdrop
    });
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-close-dialog]") && dialog) dialog.close();
  });

  // <details> menus: one open at a time; closed by Escape, an outside click, or picking an item.
  document.addEventListener("toggle", function (e) {
    const d = e.target;
    if (!(d instanceof HTMLDetailsElement) || !d.classList.contains("menu") || !d.open) return;
    document.querySelectorAll("details.menu[open]").forEach(function (other) {
      if (other !== d && !other.contains(d)) other.open = false;
    });
    // A message's menu opens towards the side of its scroll area that has more room.
    const scroller = d.classList.contains("msg-menu") && d.closest(".messages");
    if (scroller) {
      const box = scroller.getBoundingClientRect();
      const at = d.getBoundingClientRect();
      d.classList.toggle("menu--below", at.top - box.top < box.bottom - at.bottom);
    }
    fitMenu(d);
  }, true);
  // A menu whose items arrive after it opened is fitted again.
  document.addEventListener("htmx:afterSwap", function (e) {
    const d = e.detail.target && e.detail.target.closest && e.detail.target.closest("details.menu[open]");
    if (d) fitMenu(d);
  });

  /* Keeps an open menu inside the window: shifted sideways as far as needed (a phone's narrow
     screen would otherwise cut off the far side of an incoming message's menu). */
  function fitMenu(d) {
    const list = d.querySelector(":scope > .menu-list");
    if (!list) return;
    list.style.left = "";
    list.style.right = "";
    const r = list.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    let shift = 0;
    if (r.right > width - 8) shift = width - 8 - r.right;
    if (r.left + shift < 8) shift = 8 - r.left;
    if (!shift) return;
    list.style.left = (r.left - d.getBoundingClientRect().left + shift) + "px";
    list.style.right = "auto";
  }
  document.addEventListener("click", function (e) {
    const item = e.target.closest(".menu-item, .emoji-btn");
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
      else if (item && d.contains(item) && item.tagName !== "LABEL") d.open = false;
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    const open = document.querySelector("details.menu[open]");
    if (open) {
      open.open = false;
      const summary = open.querySelector("summary");
      if (summary) summary.focus();
    }
  });

  window.lnk = Object.assign(window.lnk || {}, {
    cookie: cookie, toast: toast, errorText: errorText, refreshSession: refreshSession, toLogin: toLogin,
  });
})();
