/* The offline page: lists the pages this browser stored for reading offline. */
(function () {
  "use strict";
  var list = document.getElementById("offline-stories");
  var empty = document.getElementById("offline-empty");
  if (!list || !("caches" in window)) return;
  // What the reader opened, then the newest free stories (sw.js).
  function stored(name) {
    return caches.open(name).then(function (cache) {
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
    });
  }
  Promise.all([stored("herald-pages-v2"), stored("herald-latest-v1")]).then(function (lists) {
    var seen = {};
    return lists[0].concat(lists[1]).filter(function (item) {
      if (seen[item.url]) return false;
      seen[item.url] = true;
      return true;
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
