/* LNK times: the one formatter of every time the pages show, by the named styles of
   lnk/web/times.py, with Intl.DateTimeFormat in the page's locale (<html data-locale>, the
   server's Babel locale) and the browser's time zone, so that a time re-labelled here reads
   exactly as the server renders it. Also tells the server that zone (the ``tz`` cookie), and
   re-labels a page that was rendered in another zone (the first page, before the cookie). */
(function () {
  "use strict";
  const html = document.documentElement;

  /* The plain styles: one CLDR pattern each, the same ones Babel uses on the server. */
  const OPTIONS = {
    "time": { timeStyle: "short" },
    "weekday": { weekday: "long" },
    "weekday-short": { weekday: "short" },
    "date": { month: "short", day: "numeric" },
    "date+year": { month: "short", day: "numeric", year: "numeric" },
    "weekday-date": { weekday: "short", month: "short", day: "numeric" },
    "weekday-date+year": { weekday: "short", month: "short", day: "numeric", year: "numeric" },
    "long-date": { dateStyle: "long" },
  };
  const formats = {};

  function intl(d, name) {
    if (!formats[name]) {
      try { formats[name] = new Intl.DateTimeFormat(html.dataset.locale || html.lang || undefined, OPTIONS[name]); }
      catch (e) { formats[name] = new Intl.DateTimeFormat(undefined, OPTIONS[name]); }  // a tag Intl refuses
    }
    // CLDR's narrow no-break space before AM/PM: a plain space, as on the server.
    return formats[name].format(d).replace(/\u202f/g, " ");
  }

  const pad = function (n) { return (n < 10 ? "0" : "") + n; };

  /* Calendar days from ``d`` to ``now`` in the browser's zone (23- and 25-hour days count as one). */
  function daysAgo(d, now) {
    const a = new Date(d.getFullYear(), d.getMonth(), d.getDate());
    const b = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    return Math.round((b - a) / 86400000);
  }

  /* ``d`` (a Date) in one of the styles of lnk/web/times.py; "" for an unknown style. */
  function format(d, style, now) {
    now = now || new Date();
    const ago = daysAgo(d, now);
    const week = ago > 0 && ago < 7;
    const year = d.getFullYear() === now.getFullYear() ? "" : "+year";
    switch (style) {
      case "time": case "weekday": case "weekday-short": case "long-date": return intl(d, style);
      case "date": case "weekday-date": return intl(d, style + year);
      case "day": return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
      case "datetime": return format(d, "date", now) + ", " + intl(d, "time");
      case "weekday-datetime": return format(d, "weekday-date", now) + ", " + intl(d, "time");
      case "recent": return ago === 0 ? intl(d, "time") : week ? intl(d, "weekday-short") : format(d, "date", now);
      case "day-label":
        if (ago === 0) return "Today";
        if (ago === 1) return "Yesterday";
        return week ? intl(d, "weekday") : intl(d, "long-date");
      case "seen":
        if (ago === 0) return intl(d, "time");
        return week ? intl(d, "weekday-short") + " " + intl(d, "time") : format(d, "date", now);
      default: return "";
    }
  }

  function zone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  /* Every time under ``root`` in the browser's zone: <time data-format> (and its title), zone
     labels, the confirm questions that name a time, and the messages' day keys and labels. */
  function localize(root) {
    root.querySelectorAll("time[data-format]").forEach(function (t) {
      const d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      t.textContent = format(d, t.dataset.format);
      if (t.dataset.titleFormat) t.title = format(d, t.dataset.titleFormat);
    });
    const here = zone();
    if (here) root.querySelectorAll("[data-tz-label]").forEach(function (el) { el.textContent = here; });
    root.querySelectorAll("[data-confirm-at]").forEach(function (el) {
      const d = new Date(el.dataset.confirmAt);
      if (isNaN(d) || !here) return;
      const when = format(d, el.dataset.confirmFormat) + " (" + here + ")";
      el.setAttribute("hx-confirm", el.dataset.confirm.split("{when}").join(when));
    });
    root.querySelectorAll("li.msg[data-ts]").forEach(function (li) {
      const d = new Date(Number(li.dataset.ts));
      li.dataset.day = format(d, "day");
      li.dataset.dayLabel = format(d, "day-label");
    });
    return root;
  }

  // The server renders times in the zone of this cookie (URL-encoded: America%2FNew_York).
  const tz = zone();
  if (tz && !document.cookie.split("; ").includes("tz=" + encodeURIComponent(tz))) {
    document.cookie = "tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
  }

  window.lnk = window.lnk || {};
  window.lnk.times = { format: format, zone: zone, localize: localize };

  // A page rendered before the server knew the zone: its times again (chat.js then redraws the
  // day separators from the messages' day keys).
  if (tz && html.dataset.zone && html.dataset.zone !== tz) localize(document);
})();
