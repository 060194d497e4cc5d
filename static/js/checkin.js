// The door scanner: the camera reads a ticket's QR code and the code goes through the same
// form a volunteer can type into, so scanning and typing are checked by the same view.
(function () {
  "use strict";
  const start = document.getElementById("scan-start");
  const video = document.getElementById("scan-video");
  const form = document.getElementById("scan-form");
  const input = document.getElementById("scan-code");
  const error = document.getElementById("scan-error");
  const search = document.getElementById("door-search-form");

  // The search runs as one types (htmx); Enter must not reload the page. The code box empties
  // after each answer, ready for the next ticket. (Here rather than in inline handlers, which
  // a Content-Security-Policy forbids.)
  if (search) search.addEventListener("submit", function (event) { event.preventDefault(); });
  if (form) form.addEventListener("htmx:afterRequest", function () { form.reset(); });

  if (!start || !window.QrScanner) return;

  let last = "";
  let lastAt = 0;
  function onScan(result) {
    const code = result.data || result;
    const now = Date.now();
    // The camera sees the same code many times a second: send it once per few seconds.
    if (code === last && now - lastAt < 4000) return;
    last = code;
    lastAt = now;
    input.value = code;
    form.requestSubmit();
  }

  start.addEventListener("click", function () {
    const scanner = new QrScanner(video, onScan, {
      preferredCamera: "environment",
      highlightScanRegion: true,
      returnDetailedScanResult: true,
    });
    video.hidden = false;
    scanner.start().then(function () {
      start.hidden = true;
    }).catch(function () {
      video.hidden = true;
      error.hidden = false;
    });
  });
})();
