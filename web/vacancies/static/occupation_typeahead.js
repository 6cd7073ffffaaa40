// Type-ahead for the vacancy form's occupation (combobox.js does the listbox and the keys):
// picking one asks the server for its skills ("Suggest skills"), keeping everything typed.
// Without JavaScript the employer types a few words and presses "Suggest skills"; the server
// then offers the occupations found.
(function () {
  "use strict";

  const input = document.getElementById("occupation_q");
  const form = input && input.form;
  if (!form || !form.dataset.occupationUrl) return;
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const suggest = document.getElementById("suggest");

  const combobox = window.FairmatchCombobox(form, input, list, {
    url: function (q) {
      const params = new URLSearchParams({ q: q, kind: "occupation", limit: "8" });
      return form.dataset.occupationUrl + "?" + params.toString();
    },
    choose: function (hit) {
      input.value = hit.label;
      combobox.close();
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
    },
  });
})();
