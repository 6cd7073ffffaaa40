// The ESCO type-ahead combobox shared by the ESCO explorer and the client pages (typeahead.js)
// and the vacancy form's occupation (vacancies/static/occupation_typeahead.js). Each page says
// where to ask for hits and what choosing one does; this file owns the listbox, the keys
// (arrows, Enter, Escape), the active option and its ARIA state, and the debounced fetch.
//
// FairmatchCombobox(form, input, list, options)
//   options.url(q)       the URL to ask for the hits of the trimmed query q (at least 2 characters)
//   options.choose(hit)  what picking a hit does (Enter on the active option, or a click on its row)
//   options.label(hit)   optional: the node or text that starts an option (default hit.label)
//   options.extra(hit)   optional: a node to end an option with
//   options.inside(el)   optional: whether a click on el keeps the list open (default: the input or the list)
// Returns { refresh, close }.
window.FairmatchCombobox = function (form, input, list, options) {
  "use strict";

  const inside =
    options.inside ||
    function (target) {
      return target === input || list.contains(target);
    };
  let timer = null;
  let controller = null;
  let active = -1;
  let hits = [];
  const pageLanguage = document.documentElement.lang;
  // The page's live region (macros.html typeahead_field), if any: it tells screen reader users
  // how many suggestions appeared, which they cannot see.
  const status = document.getElementById(list.id + "-status");

  function announce(count) {
    if (!status) return;
    if (count < 0) status.textContent = "";
    else if (count === 0) status.textContent = status.dataset.none;
    else if (count === 1) status.textContent = status.dataset.one;
    else status.textContent = status.dataset.many.replace("{count}", String(count));
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
    hits = [];
    announce(-1);
  }

  function render(results) {
    hits = results;
    list.replaceChildren();
    results.forEach(function (hit, index) {
      const option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      let label = options.label && options.label(hit);
      if (!label) {
        label = document.createElement("span");
        label.textContent = hit.label;
      }
      // A label in another language than the page's says so, for screen readers to pronounce
      // it right (WCAG 3.1.2): ESCO falls back to English, and a hit may match in any language.
      if (hit.lang && hit.lang !== pageLanguage) label.lang = hit.lang;
      option.append(label);
      if (hit.matched_label && hit.matched_label !== hit.label) {
        const matched = document.createElement("span");
        matched.className = "matched";
        matched.textContent = hit.matched_label;
        if (hit.matched_lang && hit.matched_lang !== pageLanguage) matched.lang = hit.matched_lang;
        option.appendChild(matched);
      }
      if (options.extra) option.append(options.extra(hit));
      list.appendChild(option);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    active = -1;
    announce(results.length);
  }

  function refresh() {
    const q = input.value.trim();
    if (q.length < 2) {
      close();
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    fetch(options.url(q), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller.signal,
    })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        render(data.results || []);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") close();
      });
  }

  function highlight(index) {
    const items = list.querySelectorAll("[role=option]");
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", items[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      options.choose(hits[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });

  // A click on the whole row, not only on its text or link, picks the suggestion.
  list.addEventListener("mousedown", function (event) {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault();
    options.choose(hits[Array.prototype.indexOf.call(list.children, option)]);
  });

  // Tabbing on closes the list (and drops a search still under way): left open, it would cover
  // the fields a keyboard user moves on to. A click on an option never blurs the box (the
  // mousedown above is cancelled), and the listbox itself never takes the focus.
  input.addEventListener("blur", function (event) {
    if (event.relatedTarget && list.contains(event.relatedTarget)) return;
    clearTimeout(timer);
    if (controller) controller.abort();
    close();
  });

  document.addEventListener("click", function (event) {
    if (!inside(event.target)) close();
  });

  // Someone quick (or a slow page) may have typed before this script ran: the input events are
  // gone, so look up what is already in the focused box instead of waiting for the next key.
  if (document.activeElement === input && input.value.trim()) refresh();

  return { refresh: refresh, close: close };
};
