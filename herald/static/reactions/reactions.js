// Public reaction: send a reaction without leaving the page. Without this
// script the buttons post the form and the reader comes back to the story.
(function () {
  "use strict";
  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (c) {
      return c.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.split("=").slice(1).join("=")) : "";
  }
  document.querySelectorAll("form[data-reactions]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (form.dataset.plain) return;
      var field = form.querySelector("input[name=csrfmiddlewaretoken]");
      var token = field ? field.value : cookie("csrftoken") || cookie("__Host-csrftoken");
      if (!button || !token || !window.fetch) return; // plain POST instead
      event.preventDefault();
      var body = new FormData();
      body.append("kind", button.value);
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token },
      })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
        .then(function (data) {
          form.querySelectorAll("[data-kind]").forEach(function (b) {
            var kind = b.getAttribute("data-kind");
            b.setAttribute("aria-pressed", data.mine === kind ? "true" : "false");
            b.querySelector("[data-count]").textContent = String(data.counts[kind] || 0);
          });
        })
        .catch(function () {
          form.dataset.plain = "1";
          form.requestSubmit(button);
        });
    });
  });
})();
