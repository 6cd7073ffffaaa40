// Type-ahead for the ESCO explorer and the client pages' ESCO searches (combobox.js does the
// listbox and the keys). Without JavaScript the form still works as a plain GET search.
(function () {
  "use strict";

  const form = document.querySelector("form[data-typeahead-url]");
  if (!form) return;
  const input = form.querySelector("input[role=combobox]");
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const apiUrl = form.dataset.typeaheadUrl;
  const conceptUrl = form.dataset.conceptUrl;

  function conceptHref(uri) {
    return conceptUrl + "?uri=" + encodeURIComponent(uri);
  }

  const combobox = window.FairmatchCombobox(form, input, list, {
    url: function (q) {
      const params = new URLSearchParams(new FormData(form));
      params.set("q", q);
      params.set("limit", "8");
      return apiUrl + "?" + params.toString();
    },
    // Plain text, not a link: an option is itself the control (Enter or a click opens the
    // concept), and a link inside it is an interactive control nested in another (axe:
    // nested-interactive), which screen readers announce confusingly or skip.
    label: function (hit) {
      const text = document.createElement("span");
      text.textContent = hit.label;
      return text;
    },
    extra: function (hit) {
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = form.dataset["kind" + hit.kind.charAt(0).toUpperCase() + hit.kind.slice(1)] || hit.kind;
      return kind;
    },
    choose: function (hit) {
      window.location.href = conceptHref(hit.uri);
    },
    inside: function (target) {
      return form.contains(target);
    },
  });

  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", combobox.refresh);
  });
})();
