// The page shell's small behaviours (docs/ui.md). Everything works without this script; it
// only adds cues: a box that scrolls sideways (a .table-wrap, a row of .tabs) says on which
// side more content waits (data-more="start|end|both", faded and shadowed by the CSS), and a
// row of tabs scrolls its current tab into view on a phone.
(function () {
  "use strict";
  const SELECTOR = ".table-wrap, .tabs";

  function mark(box) {
    const room = box.scrollWidth - box.clientWidth;
    const left = box.scrollLeft;
    let more = "";
    if (room > 1) {
      const atStart = left <= 1;
      const atEnd = left >= room - 1;
      more = atStart ? "end" : atEnd ? "start" : "both";
    }
    if (more) box.dataset.more = more;
    else delete box.dataset.more;
  }

  function watch(box) {
    if (box.dataset.scrollWatched) return;
    box.dataset.scrollWatched = "1";
    box.addEventListener("scroll", function () { mark(box); }, { passive: true });
    const current = box.matches(".tabs") && box.querySelector("[aria-current=page]");
    if (current && box.scrollWidth > box.clientWidth) {
      const tab = current.getBoundingClientRect();
      const row = box.getBoundingClientRect();
      box.scrollLeft += tab.left - row.left - (row.width - tab.width) / 2;
    }
    mark(box);
  }

  function scan(root) {
    if (root.matches && root.matches(SELECTOR)) watch(root);
    root.querySelectorAll(SELECTOR).forEach(watch);
  }

  function markAll() {
    document.querySelectorAll(SELECTOR).forEach(mark);
  }

  scan(document);
  window.addEventListener("resize", markAll);
  // htmx swaps in new tables (a dashboard's filters, a page of results): watch them too.
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
