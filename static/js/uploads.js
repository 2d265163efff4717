// Refuses an oversized or too long choice of files before the form is sent, with the
// server's own Spanish messages (carried by the input's data attributes). The server
// checks everything again; this only spares the requester a long upload that would fail.
(function () {
  "use strict";

  function problems(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var maxFile = Number(input.dataset.maxFileBytes);
    var maxTotal = Number(input.dataset.maxTotalBytes);
    var maxCount = Number(input.dataset.maxCount);
    var found = [];
    var total = 0;
    if (maxCount && files.length > maxCount) found.push(input.dataset.tooMany);
    files.forEach(function (file) {
      total += file.size;
      if (maxFile && file.size > maxFile) found.push(input.dataset.fileTooBig.replace("{name}", file.name));
    });
    if (maxTotal && total > maxTotal) found.push(input.dataset.totalTooBig);
    return found;
  }

  function show(input, found) {
    var box = input.parentNode.querySelector(".upload-errors");
    if (!box) {
      box = document.createElement("div");
      box.className = "upload-errors";
      box.setAttribute("role", "alert");
      input.parentNode.appendChild(box);
    }
    box.textContent = "";
    found.forEach(function (text) {
      var line = document.createElement("p");
      line.className = "field-error";
      line.textContent = text;
      box.appendChild(line);
    });
    input.parentNode.classList.toggle("has-error", found.length > 0);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-total-bytes]")) show(input, problems(input));
  });

  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-total-bytes]");
    Array.prototype.forEach.call(inputs, function (input) {
      var found = problems(input);
      show(input, found);
      if (found.length) {
        event.preventDefault();
        input.focus();
      }
    });
  });
})();
