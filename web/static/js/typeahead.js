// Type-ahead for the ESCO explorer. Without JavaScript the form still works as a plain GET search.
(function () {
  "use strict";

  const form = document.querySelector("form[data-typeahead-url]");
  if (!form) return;
  const input = form.querySelector("input[role=combobox]");
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const apiUrl = form.dataset.typeaheadUrl;
  const conceptUrl = form.dataset.conceptUrl;
  let timer = null;
  let controller = null;
  let active = -1;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function conceptHref(uri) {
    return conceptUrl + "?uri=" + encodeURIComponent(uri);
  }

  function render(results) {
    list.replaceChildren();
    results.forEach(function (hit, index) {
      const option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      const link = document.createElement("a");
      link.href = conceptHref(hit.uri);
      link.tabIndex = -1;
      link.textContent = hit.label;
      option.appendChild(link);
      if (hit.matched_label && hit.matched_label !== hit.label) {
        const matched = document.createElement("span");
        matched.className = "matched";
        matched.textContent = hit.matched_label;
        option.appendChild(matched);
      }
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = form.dataset["kind" + hit.kind.charAt(0).toUpperCase() + hit.kind.slice(1)] || hit.kind;
      option.appendChild(kind);
      list.appendChild(option);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    active = -1;
  }

  function fetchSuggestions() {
    const q = input.value.trim();
    if (q.length < 2) {
      close();
      return;
    }
    const params = new URLSearchParams(new FormData(form));
    params.set("q", q);
    params.set("limit", "8");
    if (controller) controller.abort();
    controller = new AbortController();
    fetch(apiUrl + "?" + params.toString(), {
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
    const options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
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
      window.location.href = list.querySelectorAll("[role=option] a")[active].href;
    } else if (event.key === "Escape") {
      close();
    }
  });

  // A click on the whole row, not only on the link text, picks the suggestion.
  list.addEventListener("mousedown", function (event) {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault();
    window.location.href = option.querySelector("a").href;
  });

  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", fetchSuggestions);
  });

  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });
})();
