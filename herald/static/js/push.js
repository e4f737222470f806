/* "Get notifications": registers Herald's service worker and, only after the
   reader clicks, asks for permission and subscribes (never on page load). */
(function () {
  "use strict";
  var STORE = "herald-push-subscription";
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  var script = document.querySelector("script[data-reader]");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      var reader = (script && script.getAttribute("data-reader")) || "anonymous";
      var last = null;
      try { last = localStorage.getItem("herald-reader"); localStorage.setItem("herald-reader", reader); } catch (e) { /* private mode */ }
      if (last && last !== reader && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "reader-changed" });
      }
    }).catch(function () { /* no worker: the site works without it */ });
  }

  function b64ToBytes(value) {
    var padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function say(button, text) {
    var status = document.getElementById("push-status");
    if (status) status.textContent = text;
    else if (button) button.setAttribute("title", text);
  }

  function subscribe(button) {
    button.disabled = true;
    var key;
    // Notification.requestPermission runs inside this click handler.
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error(button.getAttribute("data-denied"));
      return fetch("/notifications/key", { credentials: "same-origin" });
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      key = data;
      return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready;
      });
    }).then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: b64ToBytes(key.publicKey),
      });
    }).then(function (subscription) {
      var body = subscription.toJSON();
      var chosen = document.querySelectorAll("input[name=topics]:checked");
      if (chosen.length) body.topics = Array.prototype.map.call(chosen, function (i) { return i.value; });
      return fetch("/notifications/subscriptions", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": key.csrfToken },
        body: JSON.stringify(body),
      });
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error ? data.error.message : response.statusText);
        try { localStorage.setItem(STORE, JSON.stringify({ id: data.id, token: data.token })); } catch (e) { /* private mode */ }
        window.location.assign(data.manage_url + "?subscribed=1");
      });
    }).catch(function (error) {
      button.disabled = false;
      say(button, error && error.message ? error.message : button.getAttribute("data-failed"));
    });
  }

  function ready() {
    var buttons = document.querySelectorAll("[data-push-button]");
    Array.prototype.forEach.call(buttons, function (button) {
      if (!supported) return;
      var fallback = button.parentNode.querySelector("[data-push-fallback]");
      if (fallback && !button.hasAttribute("data-keep-fallback")) fallback.hidden = true;
      button.hidden = false;
      button.addEventListener("click", function () { subscribe(button); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
