// The agent's ticket page: the article picker of the reply and the note forms puts the
// chosen article's "Título: https://…" into the text at the caret. Without this file the
// picker still lists each article with the text to copy; its buttons stay hidden.
(function () {
  "use strict";

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
    reveal(event.detail && event.detail.elt);
  });
  document.addEventListener("DOMContentLoaded", function () {
    reveal(document);
  });
})();
