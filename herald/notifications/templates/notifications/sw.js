/* Herald's service worker: Web Push notifications and offline reading.
   Served at /sw.js (scope "/"). What it stores, and why it is safe:
   - Only pages whose "Herald-Offline" header says "keep". Herald says so for a
     page every anonymous reader is shown (public: no cookie, no metering pass,
     no preview), and for a signed-in reader only on a listing or an article
     they may read in full: never on a page that shows a paywall, a preview or
     an account page (herald/core/keep/offline.py).
   - The header names the reader the page was made for ("reader=") and, on an
     article, what the paywall gate knew of them ("access="). A page for another
     reader deletes every stored page; a page with another access deletes the
     stored pages made with the old one; a page that may not be kept deletes its
     own stored copy. So gated text stays only on the device of a reader
     entitled to it, and no stored page shows an old paywall decision.
   - Signing in or out (the request itself, and the next page's reader) deletes
     every stored page.
   - Also kept, apart: the newest free stories and the home page as any
     anonymous reader gets them (fetched without cookies). */
"use strict";
const CONFIG = {
  offlineUrl: "{{ offline_url|escapejs }}",
  offlineListUrl: "{{ offline_list_url|escapejs }}",
  clickUrl: "{{ click_url|escapejs }}",
  cssUrl: "{{ css_url|escapejs }}",
  offlineJsUrl: "{{ offline_js_url|escapejs }}",
  iconUrl: "{{ icon_url|escapejs }}",
};
const PAGES = "herald-pages-v2";
const SHELL = "herald-shell-v1";
const LATEST = "herald-latest-v1";
const MARK = "Herald-Offline";
const LATEST_EVERY_MS = 10 * 60 * 1000;
const DROPPED_PARAMS = ["hp", "utm_source", "utm_medium", "utm_campaign", "source"];
let latestFetchedAt = 0;
let knownReader = null; // the reader of the stored pages; null: not read yet
let knownAccess = null; // the last access seen on an article
let epoch = 0; // moves on every deletion of the stored pages
let queue = Promise.resolve(); // one change of the stored pages at a time

function shell() {
  return caches.open(SHELL)
    .then((cache) => cache.addAll([CONFIG.offlineUrl, CONFIG.cssUrl, CONFIG.offlineJsUrl]));
}

self.addEventListener("install", (event) => {
  event.waitUntil(shell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("herald-") && ![PAGES, SHELL, LATEST].includes(n))
          .map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
      .then(() => storeLatest())
  );
});

/* What Herald's header says of a page: {reader, keep, access}, or null. */
function markOf(headers) {
  const value = headers.get(MARK);
  if (!value) return null;
  const mark = { reader: "", keep: false, access: "" };
  value.split(",").forEach((part) => {
    const [name, ...rest] = part.trim().split("=");
    if (name === "keep") mark.keep = true;
    else if (name === "reader") mark.reader = rest.join("=");
    else if (name === "access") mark.access = rest.join("=");
  });
  if (!mark.reader) return null;
  if (/no-store/i.test(headers.get("Cache-Control") || "")) mark.keep = false;
  return mark;
}

function pageKey(url) {
  const u = new URL(url);
  DROPPED_PARAMS.forEach((p) => u.searchParams.delete(p));
  u.hash = "";
  return u.toString();
}

function serially(job) {
  const run = queue.then(job, job);
  queue = run.catch(() => null);
  return run;
}

function forgetPages() {
  return serially(async () => {
    epoch += 1;
    knownReader = "";
    knownAccess = null;
    await caches.delete(PAGES);
  });
}

async function storedMarks(cache) {
  const found = [];
  for (const key of await cache.keys()) {
    const stored = await cache.match(key);
    found.push([key, stored ? markOf(stored.headers) : null]);
  }
  return found;
}

/* Store a page, or not, as its header says; forget what it shows is stale. */
function consider(url, response, since) {
  const mark = response.ok && response.type === "basic" ? markOf(response.headers) : null;
  if (!mark) return Promise.resolve();
  return serially(async () => {
    if (since !== epoch) return; // fetched before the stored pages were deleted
    let cache = await caches.open(PAGES);
    if (knownReader === null) {
      const marks = (await storedMarks(cache)).filter(([, m]) => m);
      knownReader = marks.length ? marks[0][1].reader : "";
    }
    if (knownReader && knownReader !== mark.reader) {
      epoch += 1;
      knownAccess = null;
      await caches.delete(PAGES);
      cache = await caches.open(PAGES);
    }
    knownReader = mark.reader;
    if (mark.access && mark.access !== knownAccess) {
      for (const [key, m] of await storedMarks(cache)) {
        if (m && m.access && m.access !== mark.access) await cache.delete(key);
      }
      knownAccess = mark.access;
    }
    if (mark.keep) await cache.put(pageKey(url), response);
    else await cache.delete(pageKey(url));
  });
}

function isSignInOrOut(url) {
  return /^\/account\/(signin|signout|code|signup\/confirm|signin\/link|delete)/.test(url.pathname);
}

/* The newest free stories and the home page, as any anonymous reader gets them
   (no cookies sent: pages a shared cache serves, so this costs Herald little),
   in a cache of their own that no reader change touches: nothing in them
   depends on the reader. Rebuilt each time: a story no longer free goes. */
async function storeLatest() {
  latestFetchedAt = Date.now();
  try {
    const list = await fetch(CONFIG.offlineListUrl, { credentials: "omit" });
    if (!list.ok) return;
    const data = await list.json();
    const urls = ["/", ...data.stories.map((s) => s.url)]
      .map((url) => pageKey(new URL(url, self.location.origin).toString()));
    const fresh = new Map();
    for (const url of urls) {
      const response = await fetch(url, { credentials: "omit" });
      const mark = response.ok && response.type === "basic" ? markOf(response.headers) : null;
      if (mark && mark.keep && mark.reader === "anonymous") fresh.set(url, response);
    }
    const cache = await caches.open(LATEST);
    for (const [url, response] of fresh) await cache.put(url, response);
    for (const request of await cache.keys()) {
      if (!fresh.has(request.url)) await cache.delete(request);
    }
  } catch (e) {
    /* offline: keep what is stored */
  }
}

async function handleNavigation(event) {
  const request = event.request;
  const url = new URL(request.url);
  try {
    if (isSignInOrOut(url)) await forgetPages();
    const since = epoch;
    const response = await fetch(request);
    if (isSignInOrOut(url)) {
      await forgetPages();
    } else if (request.method === "GET") {
      await consider(request.url, response.clone(), since);
      if (Date.now() - latestFetchedAt > LATEST_EVERY_MS) {
        event.waitUntil(storeLatest());
      }
    }
    return response;
  } catch (error) {
    if (request.method !== "GET") throw error;
    for (const name of [PAGES, LATEST]) {
      const cache = await caches.open(name);
      const stored = await cache.match(pageKey(request.url));
      if (stored) return stored;
    }
    const shellCache = await caches.open(SHELL);
    return (await shellCache.match(CONFIG.offlineUrl)) || Response.error();
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
