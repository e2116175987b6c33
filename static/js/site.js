// Site-wide htmx setup. Loaded with `defer` after htmx; no inline script anywhere (CSP script-src 'self').
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    const cookie = document.cookie.split("; ").find((item) => item.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    const detail = event.detail;
    if (detail.verb !== "get") {
      // Django's CsrfViewMiddleware reads this header on POST/PUT/PATCH/DELETE.
      const token = csrfToken();
      if (token) detail.headers["X-CSRFToken"] = token;
      return;
    }
    // GET: drop empty fields, so the pushed URL names only the filters in use (?sort=newest, not ?q=&...).
    const formData = detail.formData;
    const kept = Array.from(formData.entries()).filter(([, value]) => value !== "");
    for (const key of new Set(formData.keys())) formData.delete(key);
    for (const [key, value] of kept) formData.append(key, value);
    // A change that leaves the URL as it is (a text field losing focus after its debounced
    // request already ran) would only push a duplicate history entry: skip it.
    if (detail.elt.closest("[hx-push-url]")) {
      const url = new URL(detail.path, window.location.href);
      for (const [key, value] of kept) url.searchParams.append(key, value);
      const current = new URLSearchParams(window.location.search).toString();
      if (url.pathname === window.location.pathname && url.searchParams.toString() === current) {
        event.preventDefault();
      }
    }
  });

  // Compare mode: the models ticked in a list go to the compare index as ?a=&b=, which redirects to the
  // canonical pair page. (Without JavaScript the form still submits the ticked slugs as ?compare=.)
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-compare-form")) return;
    const ticked = Array.from(form.elements)
      .filter((element) => element.name === "compare" && element.checked)
      .map((element) => element.value);
    event.preventDefault();
    if (ticked.length !== 2) {
      const status = form.querySelector("[data-compare-status]");
      if (status) status.textContent = "Tick exactly two models to compare (" + ticked.length + " ticked).";
      return;
    }
    const query = new URLSearchParams({ a: ticked[0], b: ticked[1] });
    window.location.assign(form.action + "?" + query.toString());
  });
})();
