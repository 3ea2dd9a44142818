// The portal's service worker (issue 17): a page she opened stays readable, and its form
// fillable, when the connection drops. Everything works without it.
//
// - The built stylesheet, script and icon, and the offline page, are kept when it installs.
// - A page she opens while logged in is kept (the last {{ max_pages }}), in a cache of her account's
//   own (X-Portal-Account, an opaque value), unless the portal marks it no-store (a shared phone);
//   offline, the kept copy is shown, or the offline page.
// - A page for anyone else (a visitor after she logs out, another account) empties what was kept;
//   so does a new build (the kept pages link the old one's files).
// - Forms are never sent from here: the page's script keeps what she types and sends it itself.
"use strict";
const STATIC = "portal-static-{{ version }}";
const PAGES = "portal-pages-{{ version }}-";
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
        keys
          .filter((key) => (key.startsWith("portal-static-") && key !== STATIC)
                           || (key.startsWith("portal-pages-") && !key.startsWith(PAGES)))
          .map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

function keptPages() {
  return caches.keys().then((keys) => keys.filter((key) => key.startsWith(PAGES)));
}

function keep(request, response) {
  const account = response.headers.get("X-Portal-Account");
  // No mark: not a page of the portal's own (a redirect, a file, a proxy's error page).
  if (account === null) return Promise.resolve();
  const mine = account === "0" ? null : PAGES + account;
  const control = response.headers.get("Cache-Control") || "";
  const page = (response.headers.get("Content-Type") || "").startsWith("text/html");
  return keptPages()
    .then((keys) => Promise.all(keys.filter((key) => key !== mine).map((key) => caches.delete(key))))
    .then(() => {
      if (!mine || !page || !response.ok || response.redirected || control.includes("no-store")) return;
      return caches.open(mine).then((cache) =>
        cache.put(request, response).then(() => cache.keys()).then((keys) =>
          Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((key) => cache.delete(key)))
        )
      );
    });
}

function keptCopy(request) {
  return keptPages().then((keys) => (keys.length ? caches.open(keys[0]).then((cache) => cache.match(request)) : undefined));
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
      .catch(() => keptCopy(request).then((kept) => kept || caches.match(OFFLINE)))
  );
});
