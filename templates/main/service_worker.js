// The portal's service worker (issue 17): a page she opened stays readable, and its form
// fillable, when the connection drops. Everything works without it.
//
// - The built stylesheet, script and icon, and the offline page, are kept when it installs.
// - A page she opens while logged in is kept (the last {{ max_pages }}), unless the portal marks it
//   no-store (a shared phone); offline, the kept copy is shown, or the offline page.
// - A page for someone not logged in (after she logs out) empties the kept pages.
// - Forms are never sent from here: the page's script keeps what she types and sends it itself.
"use strict";
const STATIC = "portal-static-{{ version }}";
const PAGES = "portal-pages";
const OFFLINE = {{ offline_url|tojson }};
const ASSETS = {{ assets|tojson }};
const MAX_PAGES = {{ max_pages }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC).then((cache) => cache.addAll([OFFLINE, ...ASSETS])).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("portal-static-") && key !== STATIC).map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

function keep(request, response) {
  if (response.headers.get("X-Signed-In") === "0") return caches.delete(PAGES);
  const control = response.headers.get("Cache-Control") || "";
  if (!response.ok || response.redirected || control.includes("no-store")) return Promise.resolve();
  return caches.open(PAGES).then((cache) =>
    cache.put(request, response).then(() => cache.keys()).then((keys) =>
      Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((key) => cache.delete(key)))
    )
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
    return;
  }
  if (request.mode !== "navigate") return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        event.waitUntil(keep(request, response.clone()));
        return response;
      })
      .catch(() =>
        caches.open(PAGES)
          .then((cache) => cache.match(request))
          .then((kept) => kept || caches.match(OFFLINE))
      )
  );
});
