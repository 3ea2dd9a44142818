// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Province → commune picker: refill the commune list when the province changes.
  document.querySelectorAll(".unit-picker").forEach(function (picker) {
    var province = picker.querySelector("select[name$='province']");
    var commune = picker.querySelector("select[name$='commune']");
    if (!province || !commune) return;
    var emptyLabel = commune.options.length ? commune.options[0].textContent : "—";
    province.addEventListener("change", function () {
      commune.innerHTML = "";
      var blank = new Option(emptyLabel, "");
      commune.add(blank);
      if (!province.value) return;
      commune.disabled = true;
      var url = picker.dataset.communesUrl + "?province=" + encodeURIComponent(province.value);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (communes) {
          communes.forEach(function (c) { commune.add(new Option(c.name, c.id)); });
        })
        .catch(function () { /* the no-JS button still works */ })
        .finally(function () { commune.disabled = false; });
    });
  });

  // Buttons that need a second thought carry data-confirm; no inline script is allowed.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // After a failed submit, move focus to the error summary so screen readers announce it.
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
})();
