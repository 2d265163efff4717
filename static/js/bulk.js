// The queue's bulk bar (docs/workspace.md, «Bulk actions»): how many rows are chosen,
// "choose all on this page", and the choice kept across the queue's 30 s refresh, which
// replaces the rows (#queue-rows) but not the bar. Without this script the checkboxes and
// the bar's form work as they are. Its sentences are the template's (data-* of #bulk-count).
(function () {
  "use strict";

  var ROW_BOXES = 'input[type="checkbox"][name="tickets"][form="queue-bulk"]';
  var chosen = new Set();

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll(ROW_BOXES));
  }

  function show() {
    var count = document.getElementById("bulk-count");
    var all = boxes();
    var checked = all.filter(function (box) { return box.checked; }).length;
    if (count) {
      count.hidden = false;
      count.textContent = checked === 0 ? count.dataset.none
        : checked === 1 ? count.dataset.one
        : count.dataset.many.replace("{n}", String(checked));
    }
    var head = document.querySelector("[data-bulk-all]");
    if (head) {
      head.checked = checked > 0 && checked === all.length;
      head.indeterminate = checked > 0 && checked < all.length;
    }
  }

  // After the first load and after each refresh: the header's checkbox replaces its
  // text, and the rows still in view keep their choice (the others left the view).
  function setUp() {
    var head = document.querySelector("[data-bulk-all]");
    if (head) {
      head.hidden = false;
      var text = document.querySelector("[data-bulk-nojs]");
      if (text) text.hidden = true;
    }
    var kept = new Set();
    boxes().forEach(function (box) {
      if (chosen.has(box.value)) box.checked = true;
      if (box.checked) kept.add(box.value);
    });
    chosen = kept;
    show();
  }

  function remember(box) {
    if (box.checked) chosen.add(box.value); else chosen.delete(box.value);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-bulk-all]")) {
      boxes().forEach(function (box) { box.checked = target.checked; remember(box); });
      show();
    } else if (target.matches(ROW_BOXES)) {
      remember(target);
      show();
    }
  });
  document.addEventListener("htmx:afterSettle", setUp);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
