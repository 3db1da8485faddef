/* LNK image viewer: a photo in a message opens over the page, not in a new tab. Left and Right
   arrows (or the buttons) step through the conversation's photos; Esc, the close button or a
   click beside the photo closes it, and the focus goes back to the photo's link. */
(function () {
  "use strict";
  const viewer = document.getElementById("viewer");
  if (!viewer) return;
  const image = document.getElementById("viewer-image");
  const caption = document.getElementById("viewer-caption");
  const original = document.getElementById("viewer-open");
  let links = [];
  let index = 0;
  let opener = null;

  function show(i) {
    index = (i + links.length) % links.length;
    const link = links[index];
    image.src = link.getAttribute("href");
    image.alt = link.dataset.viewImage || "";
    caption.textContent = (link.dataset.viewImage || "") + (links.length > 1 ? " (" + (index + 1) + " of " + links.length + ")" : "");
    original.href = link.getAttribute("href");
    viewer.querySelectorAll("[data-viewer-step]").forEach(function (b) { b.hidden = links.length < 2; });
  }

  document.addEventListener("click", function (e) {
    const link = e.target.closest("a[data-view-image]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    links = Array.from(document.querySelectorAll("#messages a[data-view-image]"));
    opener = link;
    show(Math.max(0, links.indexOf(link)));
    viewer.showModal();
    viewer.querySelector("[data-viewer-close]").focus();
  });
  viewer.addEventListener("click", function (e) {
    const step = e.target.closest("[data-viewer-step]");
    if (step) { show(index + Number(step.dataset.viewerStep)); return; }
    if (e.target.closest("[data-viewer-close]") || e.target === viewer || e.target.classList.contains("viewer-figure")) viewer.close();
  });
  viewer.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { e.preventDefault(); show(index + 1); }
    else if (e.key === "ArrowLeft") { e.preventDefault(); show(index - 1); }
  });
  viewer.addEventListener("close", function () {
    image.removeAttribute("src");
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });
})();
