/* Service worker (scope /): the report pages, 我上报的 (with the reports waiting in the outbox, which
   the page lists) and their scripts work without a connection (network first, the last copy when
   offline; logging out deletes the copies), and the outbox of reports is sent when the connection
   returns (Background Sync "wf-outbox", and on every page load by the pages themselves). Nothing
   else is intercepted: every other request goes to the network as usual. */
"use strict";
var CACHE = "wf-field-v1";
importScripts("/web-static/outbox.js");

function cacheable(url) {
  return url.origin === self.location.origin &&
    (/^\/report(\/|$)/.test(url.pathname) && !/\/(similar|token)$/.test(url.pathname) ||
     url.pathname === "/reports/mine" || url.pathname.indexOf("/web-static/") === 0 || url.pathname.indexOf("/vendor/htmx.org/") === 0 ||
     url.pathname.indexOf("/vendor/leaflet/") === 0);
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || !cacheable(url)) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || Response.error(); });
  }));
});

self.addEventListener("sync", function (event) {
  if (event.tag === "wf-outbox") { event.waitUntil(self.WorkflowOutbox.flush()); }
});
self.addEventListener("message", function (event) {
  if (event.data === "flush") { event.waitUntil(self.WorkflowOutbox.flush()); }
});
