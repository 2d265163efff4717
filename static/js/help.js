// The help center's article page (knowledge/templates/knowledge/help/article.html): without
// this file the vote is a plain form that comes back to the page.
(function () {
  "use strict";
  // A vote refused (400: no choice; 429: too many from this address) comes back with its
  // Spanish message in the vote box: show it there (htmx leaves 4xx answers unswapped).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 429) && target && target.id === "help-vote-box") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
