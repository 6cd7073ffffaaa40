// Type-ahead for the vacancy form's occupation: picking one asks the server for its skills
// ("Suggest skills"), keeping everything typed. Without JavaScript the employer types a few
// words and presses "Suggest skills"; the server then offers the occupations found.
(function () {
  "use strict";

  const input = document.getElementById("occupation_q");
  const form = input && input.form;
  if (!form || !form.dataset.occupationUrl) return;
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const suggest = document.getElementById("suggest");
  let timer = null;
  let controller = null;
  let active = -1;
  let hits = [];

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(hit) {
    input.value = hit.label;
    close();
    const radios = form.querySelectorAll("input[type=radio][name=occupation_uri]");
    radios.forEach(function (radio) {
      radio.checked = false;
    });
    const chosen = document.createElement("input");
    chosen.type = "hidden";
    chosen.name = "occupation_uri";
    chosen.value = hit.uri;
    form.appendChild(chosen);
    form.requestSubmit(suggest);
  }

  function render(results) {
    hits = results;
    list.replaceChildren();
    results.forEach(function (hit, index) {
      const option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = hit.label;
      if (hit.matched_label && hit.matched_label !== hit.label) {
        const matched = document.createElement("span");
        matched.className = "matched";
        matched.textContent = hit.matched_label;
        option.appendChild(matched);
      }
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
    const params = new URLSearchParams({ q: q, kind: "occupation", limit: "8" });
    if (controller) controller.abort();
    controller = new AbortController();
    fetch(form.dataset.occupationUrl + "?" + params.toString(), {
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
      choose(hits[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });

  list.addEventListener("mousedown", function (event) {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault();
    choose(hits[Number(option.id.replace("suggestion-", ""))]);
  });

  document.addEventListener("click", function (event) {
    if (!list.contains(event.target) && event.target !== input) close();
  });
})();
