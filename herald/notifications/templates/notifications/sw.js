/* Herald's service worker: Web Push notifications and offline reading.
   Served at /sw.js (scope "/"). What it stores, and why it is safe:
   - Only pages whose response says "Cache-Control: public": Herald sends that
     only to anonymous readers without a metering pass, and such a page carries
     only what every anonymous reader sees (never gated text beyond the preview).
   - A "private" page (signed-in or metered reader) is never stored, and on
     seeing one, or a sign-in or sign-out, every stored page is deleted: a page
     stored for another reader state could show a stale paywall decision. */
"use strict";
const CONFIG = {
  offlineUrl: "{{ offline_url|escapejs }}",
  offlineListUrl: "{{ offline_list_url|escapejs }}",
  clickUrl: "{{ click_url|escapejs }}",
  cssUrl: "{{ css_url|escapejs }}",
  offlineJsUrl: "{{ offline_js_url|escapejs }}",
  iconUrl: "{{ icon_url|escapejs }}",
};
const PAGES = "herald-pages-v1";
const SHELL = "herald-shell-v1";
const LATEST_EVERY_MS = 10 * 60 * 1000;
const DROPPED_PARAMS = ["hp", "utm_source", "utm_medium", "utm_campaign", "source"];
let latestFetchedAt = 0;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL)
      .then((cache) => cache.addAll([CONFIG.offlineUrl, CONFIG.cssUrl, CONFIG.offlineJsUrl]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("herald-") && n !== PAGES && n !== SHELL)
          .map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
      .then(() => storeLatest())
  );
});

function isPublic(response) {
  const cc = (response.headers.get("Cache-Control") || "").toLowerCase();
  return response.ok && response.type === "basic" && /(^|[ ,])public([ ,]|$)/.test(cc)
    && !/private|no-store/.test(cc) && !response.headers.has("Set-Cookie");
}

function pageKey(url) {
  const u = new URL(url);
  DROPPED_PARAMS.forEach((p) => u.searchParams.delete(p));
  u.hash = "";
  return u.toString();
}

function forgetPages() {
  return caches.delete(PAGES);
}

function isSignInOrOut(url) {
  return /^\/account\/(signin|signout|code|signup\/confirm|signin\/link)/.test(url.pathname);
}

async function storePage(request, response) {
  const cache = await caches.open(PAGES);
  await cache.put(pageKey(request.url), response);
}

async function storeLatest() {
  latestFetchedAt = Date.now();
  try {
    const list = await fetch(CONFIG.offlineListUrl, { credentials: "same-origin" });
    if (!isPublic(list)) return;
    const data = await list.json();
    const urls = ["/", ...data.stories.map((s) => s.url)];
    for (const url of urls) {
      const request = new Request(new URL(url, self.location.origin).toString(),
        { credentials: "same-origin" });
      const response = await fetch(request);
      if (isPublic(response)) {
        await storePage(request, response);
      } else if (response.ok) {
        // A reader-bound answer: this browser is signed in (or metered).
        await forgetPages();
        return;
      }
    }
  } catch (e) {
    /* offline: keep what is stored */
  }
}

async function handleNavigation(event) {
  const request = event.request;
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (request.method !== "GET" || isSignInOrOut(url)) {
      await forgetPages();
    } else if (isPublic(response)) {
      await storePage(request, response.clone());
      if (Date.now() - latestFetchedAt > LATEST_EVERY_MS) {
        event.waitUntil(storeLatest());
      }
    } else if (response.ok) {
      await forgetPages();
    }
    return response;
  } catch (error) {
    if (request.method !== "GET") throw error;
    const cache = await caches.open(PAGES);
    const stored = await cache.match(pageKey(request.url));
    if (stored) return stored;
    const shell = await caches.open(SHELL);
    return (await shell.match(CONFIG.offlineUrl)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/admin/")) return;
  if (request.mode === "navigate") {
    event.respondWith(handleNavigation(event));
    return;
  }
  if (request.method === "GET" && url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.open(SHELL).then((cache) => cache.match(request).then((hit) => hit ||
        fetch(request).then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        })))
    );
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "reader-changed") {
    event.waitUntil(forgetPages());
  }
});

/* --- Push ---------------------------------------------------------------------- */

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { title: event.data ? event.data.text() : "" };
  }
  const title = data.title || self.registration.scope;
  const options = {
    body: data.body || "",
    icon: data.icon || CONFIG.iconUrl,
    badge: CONFIG.iconUrl,
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    data: { url: data.url || "/", id: data.id || "" },
  };
  if (data.image) options.image = data.image;
  // Every push shows a notification (Safari revokes subscriptions that do not).
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const url = new URL(data.url || "/", self.location.origin);
  if (url.origin !== self.location.origin) return;
  const counted = data.id ? fetch(CONFIG.clickUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: data.id }),
    credentials: "omit",
  }).catch(() => null) : Promise.resolve();
  event.waitUntil(Promise.all([counted, self.clients.openWindow(url.toString())]));
});

self.addEventListener("pushsubscriptionchange", (event) => {
  const old = event.oldSubscription;
  event.waitUntil((async () => {
    const keyResponse = await fetch("/notifications/key", { credentials: "same-origin" });
    const { publicKey, csrfToken } = await keyResponse.json();
    const subscription = event.newSubscription || await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: publicKey,
    });
    await fetch("/notifications/subscriptions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(subscription.toJSON()),
    });
    if (old) { /* the old endpoint is reported gone (404/410) by its push service */ }
  })());
});
