/* The offline page: lists the pages this browser stored for reading offline. */
(function () {
  "use strict";
  var list = document.getElementById("offline-stories");
  var empty = document.getElementById("offline-empty");
  if (!list || !("caches" in window)) return;
  caches.open("herald-pages-v2").then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.map(function (request) {
        return cache.match(request).then(function (response) {
          return response.text().then(function (html) {
            var match = /<title>([^<]*)<\/title>/i.exec(html);
            var doc = new DOMParser().parseFromString("<p>" + (match ? match[1] : request.url) + "</p>", "text/html");
            return { url: request.url, title: doc.body.textContent.trim() };
          });
        });
      }));
    });
  }).then(function (items) {
    items.sort(function (a, b) { return a.title.localeCompare(b.title); });
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    if (items.length && empty) empty.hidden = true;
  });
})();
