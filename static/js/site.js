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
    // The picker box is a form field (a or b): /compare/picker/ reads its text as q.
    if (detail.elt.hasAttribute("data-picker-select")) detail.formData.set("q", detail.elt.value);
    // GET: drop empty fields, so the pushed URL names only the filters in use (?sort=newest, not ?q=&...).
    // Likewise a field still at its default (data-default) stays out: the server assumes the default.
    const formData = detail.formData;
    const defaults = new Map();
    for (const field of document.querySelectorAll("[name][data-default]")) defaults.set(field.name, field.dataset.default);
    const kept = Array.from(formData.entries()).filter(
      ([key, value]) => value !== "" && !(defaults.has(key) && defaults.get(key) === value),
    );
    for (const key of new Set(formData.keys())) formData.delete(key);
    for (const [key, value] of kept) formData.append(key, value);
    // A change that leaves the URL as it is (a text field losing focus after its debounced
    // request already ran) would only push a duplicate history entry: skip it.
    if (detail.elt.closest("[data-hx-push-url]")) {
      const url = new URL(detail.path, window.location.href);
      for (const [key, value] of kept) url.searchParams.append(key, value);
      const current = new URLSearchParams(window.location.search).toString();
      if (url.pathname === window.location.pathname && url.searchParams.toString() === current) {
        event.preventDefault();
      }
    }
  });

  // Compare mode: two to four models ticked in a list. The form submits them as ?compare=... to the compare
  // index, which redirects to the canonical pair or multi-model page (the same request works without
  // JavaScript); here we only say so when the count is wrong instead of leaving the page.
  const MIN_COMPARED = 2;
  const MAX_COMPARED = 4;
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-compare-form")) return;
    const ticked = Array.from(form.elements).filter((element) => element.name === "compare" && element.checked);
    if (ticked.length >= MIN_COMPARED && ticked.length <= MAX_COMPARED) return;
    event.preventDefault();
    const status = form.querySelector("[data-compare-status]");
    if (status) status.textContent = "Tick two to four models to compare (" + ticked.length + " ticked).";
  });

  // Model picker search (a combobox over a listbox, WAI-ARIA "list autocomplete"): htmx fills the listbox
  // as the reader types; ArrowDown/ArrowUp move the active option, Enter or a click fills its slug into the
  // box (which is the form field), Escape closes the list. Without JavaScript the box is a plain text field.
  function pickerParts(input) {
    return {
      input: input,
      list: document.getElementById(input.getAttribute("aria-controls")),
      select: document.getElementById(input.dataset.pickerSelect),
    };
  }

  function choosable(list) {
    return Array.from(list.querySelectorAll('[role="option"]:not([aria-disabled="true"])'));
  }

  function setActive(parts, option) {
    for (const item of parts.list.querySelectorAll('[role="option"]')) {
      item.setAttribute("aria-selected", item === option ? "true" : "false");
    }
    if (option) {
      parts.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      parts.input.removeAttribute("aria-activedescendant");
    }
  }

  function closeList(parts) {
    parts.list.hidden = true;
    parts.input.setAttribute("aria-expanded", "false");
    setActive(parts, null);
  }

  function choose(parts, option) {
    // The box is the form field: the chosen model's slug names it exactly (the server also takes names).
    parts.input.value = option.dataset.slug;
    parts.input.dispatchEvent(new Event("change", { bubbles: true }));
    closeList(parts);
    parts.list.replaceChildren();
  }

  // The explorer's filters fold into a <details> on small screens (closed in the HTML, so nothing moves on a
  // phone); on wide screens the stylesheet shows them anyway, and here they are opened for real, so the
  // accessibility tree matches what is seen.
  const WIDE = window.matchMedia("(min-width: 50rem)");
  function openFiltersOnWideScreens() {
    for (const box of document.querySelectorAll("details.filters-box")) {
      if (WIDE.matches) box.open = true;
    }
  }
  document.addEventListener("DOMContentLoaded", openFiltersOnWideScreens);
  WIDE.addEventListener("change", openFiltersOnWideScreens);

  function enablePickers(root) {
    for (const box of root.querySelectorAll("[data-picker-search][hidden]")) box.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    enablePickers(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enablePickers(event.detail.elt instanceof Element ? event.detail.elt : document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const list = event.detail.target;
    if (!(list instanceof Element) || list.getAttribute("role") !== "listbox") return;
    const input = document.querySelector('[aria-controls="' + list.id + '"]');
    if (!input) return;
    const parts = pickerParts(input);
    const open = list.children.length > 0 && input.value.trim() !== "";
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    setActive(parts, null);
  });

  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-select")) return;
    const parts = pickerParts(input);
    const options = choosable(parts.list);
    const active = parts.list.querySelector('[aria-selected="true"]');
    const index = options.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      parts.list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive(parts, options[(index + step + options.length) % options.length] || options[0]);
    } else if (event.key === "Enter") {
      // Enter chooses the active option (or the only match) instead of submitting the form.
      const option = active || (options.length === 1 && !parts.list.hidden ? options[0] : null);
      if (option) {
        event.preventDefault();
        choose(parts, option);
      }
    } else if (event.key === "Escape" && !parts.list.hidden) {
      event.preventDefault();
      closeList(parts);
    }
  });

  // Keep the focus in the search box when an option is pressed, so leaving the box can close the list.
  document.addEventListener("mousedown", function (event) {
    if (event.target instanceof Element && event.target.closest('[role="listbox"].picker-options')) {
      event.preventDefault();
    }
  });
  document.addEventListener("focusout", function (event) {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-picker-select")) closeList(pickerParts(input));
  });

  document.addEventListener("click", function (event) {
    const option = event.target instanceof Element ? event.target.closest('[role="option"][data-slug]') : null;
    if (!option) return;
    const input = document.querySelector('[aria-controls="' + option.parentElement.id + '"]');
    if (input) choose(pickerParts(input), option);
  });
})();
