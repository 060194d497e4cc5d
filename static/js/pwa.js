/* Registers ClubIN's service worker (/sw.js), which keeps the card and tickets for offline use. */
"use strict";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {
      // No offline copies on this browser: every page still works online.
    });
  });
}
