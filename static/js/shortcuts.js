// Keyboard shortcuts of the workspace (docs/workspace.md, «Keyboard shortcuts»).
// Queue: j / k mark the next / previous row (tr.queue-row) and focus its link, Enter opens
// the marked row, x chooses it for a bulk action. Ticket page: r / n focus the reply / the
// internal note ([data-shortcut="reply"|"note"], after clicking [data-shortcut-open=…]
// when it is folded). "?" opens the list (#shortcuts, a <dialog> whose text is the
// template's). Never while typing in a field or with Ctrl, Alt or Meta; the single-key
// shortcuts can be turned off from the list (WCAG 2.1.4), remembered in localStorage.
(function () {
  "use strict";

  var SETTING = "helpdesk.shortcuts";
  var WAIT_FOR_FIELD_MS = 5000; // a folded form arrives by htmx after its opener is clicked
  var TEXT_INPUTS = /^(text|search|email|number|password|tel|url|date|datetime-local|month|week|time)$/;
  var INTERACTIVE = "a[href], button, input, select, textarea, summary, [contenteditable]";
  var marked = null; // the data-ticket of the marked row, kept across the queue's refresh
  var focusInRows = false;

  function enabled() {
    try {
      return window.localStorage.getItem(SETTING) !== "off";
    } catch (error) {
      return true; // storage refused (private mode): the default
    }
  }

  function remember(on) {
    try {
      if (on) window.localStorage.removeItem(SETTING); else window.localStorage.setItem(SETTING, "off");
    } catch (error) { /* not remembered: this page still follows the checkbox */ }
  }

  function typing(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && TEXT_INPUTS.test(element.type || "text");
  }

  function visible(element) {
    return element && element.getClientRects().length > 0;
  }

  // The queue ----------------------------------------------------------------------

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr.queue-row"));
  }

  function rowLink(row) {
    return row.querySelector("a.queue-open") || row.querySelector("a[href]");
  }

  function currentRow(all) {
    var focused = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("tr.queue-row") : null;
    if (focused) return focused;
    return all.filter(function (row) { return row.dataset.ticket === marked; })[0] || null;
  }

  function mark(row) {
    rows().forEach(function (other) { other.classList.remove("is-marked"); });
    row.classList.add("is-marked");
    marked = row.dataset.ticket;
    var link = rowLink(row);
    if (link) link.focus(); else row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return false;
    var row = currentRow(all);
    var index = row ? all.indexOf(row) + step : (step > 0 ? 0 : all.length - 1);
    mark(all[Math.max(0, Math.min(all.length - 1, index))]);
    return true;
  }

  function openMarked() {
    var row = currentRow(rows());
    var link = row && rowLink(row);
    if (!link) return false;
    link.click();
    return true;
  }

  function toggleMarked() {
    var row = currentRow(rows());
    var box = row && row.querySelector('input[type="checkbox"][name="tickets"]');
    if (!box) return false;
    box.click(); // as a click does: the bulk bar's count follows (static/js/bulk.js)
    return true;
  }

  // The refresh replaces the rows: mark the same ticket again, and give the focus back
  // to its link if the focus was among the rows.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var rowsBox = document.getElementById("queue-rows");
    focusInRows = !!(rowsBox && event.target === rowsBox && rowsBox.contains(document.activeElement));
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (marked === null) return;
    var row = rows().filter(function (candidate) { return candidate.dataset.ticket === marked; })[0];
    if (!row) return;
    row.classList.add("is-marked");
    if (focusInRows && (document.activeElement === document.body || !document.activeElement)) {
      var link = rowLink(row);
      if (link) link.focus();
    }
    focusInRows = false;
  });

  // The ticket page ------------------------------------------------------------------

  function focusField(name) {
    var selector = '[data-shortcut="' + name + '"]';
    var field = document.querySelector(selector);
    if (visible(field)) {
      field.focus();
      return true;
    }
    var opener = document.querySelector('[data-shortcut-open="' + name + '"]');
    if (!opener) return false; // the page has no such field: nothing to do
    var details = opener.tagName === "SUMMARY" ? opener.parentElement : null;
    if (!(details && details.open)) opener.click();
    field = document.querySelector(selector);
    if (visible(field)) {
      field.focus();
      return true;
    }
    var observer = new MutationObserver(function () {
      var arrived = document.querySelector(selector);
      if (visible(arrived)) {
        observer.disconnect();
        arrived.focus();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-shortcut", "hidden", "open", "class"] });
    window.setTimeout(function () { observer.disconnect(); }, WAIT_FOR_FIELD_MS);
    return true;
  }

  // The list of shortcuts ------------------------------------------------------------

  var dialog = null;
  var returnTo = null;

  function openList() {
    if (!dialog || dialog.open) return false;
    returnTo = document.activeElement;
    dialog.showModal();
    return true;
  }

  function setUpList() {
    dialog = document.getElementById("shortcuts");
    if (!dialog || typeof dialog.showModal !== "function") {
      dialog = null;
      return;
    }
    var button = document.querySelector("[data-shortcuts-open]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", openList);
    }
    var setting = dialog.querySelector("[data-shortcuts-enabled]");
    if (setting) {
      setting.checked = enabled();
      setting.addEventListener("change", function () { remember(setting.checked); });
    }
    var close = dialog.querySelector("[data-shortcuts-close]");
    if (close) close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      if (returnTo && document.contains(returnTo) && typeof returnTo.focus === "function") returnTo.focus();
      returnTo = null;
    });
  }

  // The keys ---------------------------------------------------------------------------

  var KEYS = {
    j: function () { return move(1); },
    k: function () { return move(-1); },
    x: toggleMarked,
    r: function () { return focusField("reply"); },
    n: function () { return focusField("note"); },
    "?": openList,
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (dialog && dialog.open) return; // the list has the keyboard; Escape closes it
    if (typing(event.target) || !enabled()) return;
    if (event.key === "Enter") {
      // On a link, a button or a field Enter is theirs; elsewhere it opens the marked row.
      if (event.target.closest(INTERACTIVE)) return;
      if (marked !== null && openMarked()) event.preventDefault();
      return;
    }
    var action = Object.prototype.hasOwnProperty.call(KEYS, event.key) ? KEYS[event.key] : null;
    if (action && action()) event.preventDefault();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpList);
  } else {
    setUpList();
  }
})();
