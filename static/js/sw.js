// The service worker (served at /sw.js): the scan pages open with no network once visited.
// Pages: network first, the last copy when there is no network. Static files whose URL carries a
// content hash (?v=) come from the cache (a copy is never stale); those without one (a module's
// imports) from the network first. Nothing else is cached, and no API call is ever
// answered from the cache: a scan's verdict and an action always come from the server.
const CACHE = "cksloop-shell-v1";
const SHELL_PAGES = new Set(["/scan", "/scan/batch"]);

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "cache" && Array.isArray(data.urls)) {
    // every file is fetched and stored, then the page is told whether all of them are kept: only
    // then does it say "ready to work offline" (a file missing would leave a dead page offline)
    const client = event.source;
    event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(data.urls.map((url) => {
      const path = new URL(url, self.location.origin);
      if (path.origin !== self.location.origin) return true;
      const key = SHELL_PAGES.has(path.pathname) ? path.pathname : path.href;
      return fetch(new Request(path.href, { credentials: "same-origin" }))
        .then((response) => (response.ok && !response.redirected
          ? cache.put(key, response).then(() => true) : false))
        .catch(() => false);
    }))).then((kept) => {
      if (client) client.postMessage({ type: "cached", complete: kept.every(Boolean) });
    }));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(CACHE)); // signed out: the cached pages showed that user
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && SHELL_PAGES.has(url.pathname)) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
      }
      return response;
    }).catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())));
    return;
  }
  if (url.pathname.startsWith("/static/") && !url.searchParams.has("v")) {
    // no content hash in the URL (a module's own imports): the network first, the copy offline
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    }).catch(() => caches.match(request).then((hit) => hit || Response.error())));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    })));
  }
});
