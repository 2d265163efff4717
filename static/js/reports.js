// The report pages (reports/templates/reports/report.html): without this file they work
// as a plain GET form.
(function () {
  "use strict";
  // Filters that are not valid come back as 400 with their Spanish messages in the
  // report's body: show them there (htmx leaves 4xx answers unswapped by default).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "report-body") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A date typed in is a period of one's own: choose «Otro periodo» before the form is sent.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".report-filters input[type=date]")) {
      return;
    }
    var period = input.form && input.form.elements.namedItem("periodo");
    if (period) {
      period.value = "rango";
    }
  }, true);
})();
