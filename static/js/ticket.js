// The agent's ticket page (docs/workspace.md, «The ticket page»):
// - the article picker of the reply and the note forms puts the chosen article's
//   "Título: https://…" into the text at the caret. Without this file the picker still
//   lists each article with the text to copy; its buttons stay hidden;
// - «Mostrar el historial» is remembered in this browser (the stylesheet does the hiding);
// - on a narrow screen the side column's sections, below the conversation, start folded.
// Without this file the history shows and the sections stay open.
(function () {
  "use strict";

  var NARROW = "(max-width: 860px)";
  var HISTORY_KEY = "helpdesk.ticket.history";

  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null; // storage refused (private mode, policy): nothing remembered
    }
  }

  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      // Not remembered; the toggle still works for this page.
    }
  }

  function restoreHistoryToggle() {
    var toggle = document.getElementById("show-history");
    if (!toggle) return;
    if (stored(HISTORY_KEY) === "hidden") toggle.checked = false;
    toggle.addEventListener("change", function () {
      store(HISTORY_KEY, toggle.checked ? "shown" : "hidden");
    });
  }

  function foldOnNarrowScreens(root) {
    if (!window.matchMedia || !window.matchMedia(NARROW).matches) return;
    var sections = (root || document).querySelectorAll("details[data-fold]");
    Array.prototype.forEach.call(sections, function (section) {
      section.open = false;
    });
    if (root && root.matches && root.matches("details[data-fold]")) root.open = false;
  }

  function reveal(root) {
    var buttons = (root || document).querySelectorAll("button[data-insert]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
    });
  }

  function insert(textarea, text) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    if (typeof start !== "number") {
      start = end = textarea.value.length;
    }
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    // A space apart from the words around it, not glued to them (a period may follow).
    var piece = (before && !/\s$/.test(before) ? " " : "") + text + (/^[^\s.,;:!?)]/.test(after) ? " " : "");
    textarea.setRangeText(piece, start, end, "end");
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-insert]");
    if (!button) return;
    var textarea = document.getElementById(button.dataset.insertInto);
    if (!textarea) return;
    event.preventDefault();
    insert(textarea, button.dataset.insert);
  });

  document.addEventListener("htmx:load", function (event) {
    var element = event.detail && event.detail.elt;
    reveal(element);
    // A section loaded after the page (the possible duplicates) folds like the others.
    if (element && element !== document.body) foldOnNarrowScreens(element);
  });
  document.addEventListener("DOMContentLoaded", function () {
    reveal(document);
    restoreHistoryToggle();
    foldOnNarrowScreens(document);
  });
})();
