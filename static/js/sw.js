/* ClubIN's service worker: the member's card and tickets open offline once seen.
 *
 * Only these pages are ever stored: /me/ (the cards), /me/events/ (the tickets) and an event's
 * page while it shows a ticket. They are fetched from the network first; the stored copy answers
 * only when the network does not. No other page, signed-in or not, is stored. Logging out
 * empties the store, so the next person on this phone sees nothing of the last one's.
 * Served at /sw.js (scope: the whole site) by clubin.pwa.service_worker.
 */
"use strict";

const VERSION = "clubin-offline-v1";
const ME = /^\/me\/(events\/)?$/;
const EVENT = /^\/[-\w]+\/events\/\d+\/$/;
const TICKET_MARK = 'class="ticket-qr"';

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  // Stores of earlier versions go: their pages may no longer be what this version stores.
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("clubin-") && name !== VERSION)
          .map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/accounts/logout/") {
    event.waitUntil(caches.delete(VERSION));
    return;
  }
  if (request.method !== "GET" || request.mode !== "navigate") return;
  if (!ME.test(url.pathname) && !EVENT.test(url.pathname)) return;
  event.respondWith(networkFirst(request, url));
});

async function networkFirst(request, url) {
  const store = await caches.open(VERSION);
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {
    const stored = await store.match(request, { ignoreSearch: true });
    if (stored) return stored;
    throw offline;
  }
  if (await keeps(response, url)) {
    await store.put(request, response.clone());
  } else {
    // Signed out, or no ticket any more: the stored copy is stale and personal.
    await store.delete(request, { ignoreSearch: true });
  }
  return response;
}

async function keeps(response, url) {
  if (!response.ok || response.redirected || response.type !== "basic") return false;
  if (ME.test(url.pathname)) return true;
  // An event's page is stored only while it shows the visitor's ticket.
  return (await response.clone().text()).includes(TICKET_MARK);
}
