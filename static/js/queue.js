// The agents' queue (docs/workspace.md, «The queue»): htmx refreshes the rows every 30 s.
// The server answers 204 when nothing changed, and htmx then leaves the page alone. When
// the rows are swapped, this file keeps the keyboard focus and the scroll position where
// they were, and says in the polite live region #queue-announce what changed: tickets
// that came into the list, left it, or changed. The words come from the template's
// data-* attributes (translated there). Without this file the refresh still works;
// htmx itself puts the focus back on an element of the same id.
(function () {
  "use strict";

  var pending = null;

  function rowsOf(container) {
    var versions = {};
    Array.prototype.forEach.call(container.querySelectorAll("tr.queue-row[data-ticket]"), function (row) {
      versions[row.getAttribute("data-ticket")] = row.getAttribute("data-version");
    });
    return versions;
  }

  function focusables(row) {
    return Array.prototype.slice.call(row.querySelectorAll("a[href], button, input, select, textarea, [tabindex]"));
  }

  function where(container) {
    // Where the focus is inside the rows, to find its place again in the new ones.
    var active = document.activeElement;
    if (!active || !container.contains(active)) {
      return null;
    }
    var row = active.closest("tr.queue-row");
    if (!row) {
      return { id: active.id || null, row: null };
    }
    var rows = Array.prototype.slice.call(container.querySelectorAll("tr.queue-row"));
    return {
      id: active.id || null,
      row: row.getAttribute("data-ticket"),
      rowIndex: rows.indexOf(row),
      index: focusables(row).indexOf(active),
    };
  }

  function refocus(container, place) {
    var active = document.activeElement;
    if (!place || (active && active !== document.body && document.contains(active))) {
      return; // htmx found the element again by its id, or the focus was elsewhere
    }
    var target = place.id ? document.getElementById(place.id) : null;
    if (!target && place.row !== null) {
      var rows = container.querySelectorAll("tr.queue-row");
      var row = container.querySelector('tr.queue-row[data-ticket="' + place.row + '"]');
      if (!row && rows.length) {
        // The ticket left the list: the row now in its place.
        row = rows[Math.min(place.rowIndex, rows.length - 1)];
      }
      if (row) {
        var inside = focusables(row);
        target = inside[Math.max(0, Math.min(place.index, inside.length - 1))] || row.querySelector("a.queue-open");
      }
    }
    if (!target) {
      target = container.querySelector("a.queue-open") || document.querySelector("#queue-tabs [aria-current]");
    }
    if (target) {
      target.focus({ preventScroll: true });
    }
  }

  function phrase(region, kind, count) {
    if (!count) {
      return "";
    }
    if (count === 1) {
      return region.getAttribute("data-" + kind + "-one");
    }
    return region.getAttribute("data-" + kind + "-many").replace("{n}", String(count));
  }

  function announce(before, after) {
    var region = document.getElementById("queue-announce");
    if (!region) {
      return;
    }
    var added = 0;
    var gone = 0;
    var changed = 0;
    Object.keys(after).forEach(function (ticket) {
      if (!(ticket in before)) {
        added += 1;
      } else if (before[ticket] !== after[ticket]) {
        changed += 1;
      }
    });
    Object.keys(before).forEach(function (ticket) {
      if (!(ticket in after)) {
        gone += 1;
      }
    });
    var words = [phrase(region, "new", added), phrase(region, "gone", gone), phrase(region, "changed", changed)]
      .filter(Boolean)
      .join(" ");
    if (!words) {
      return; // only the ages or the time left moved on: nothing to say
    }
    // Emptied first, so that the same words said twice are announced twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = words;
    }, 100);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "queue-rows" || !event.detail.shouldSwap) {
      return;
    }
    pending = { rows: rowsOf(target), place: where(target), scrollX: window.scrollX, scrollY: window.scrollY };
  });

  document.addEventListener("htmx:afterSwap", function () {
    var container = document.getElementById("queue-rows");
    if (!pending || !container || !container.isConnected) {
      return;
    }
    var before = pending;
    pending = null;
    refocus(container, before.place);
    if (window.scrollX !== before.scrollX || window.scrollY !== before.scrollY) {
      window.scrollTo(before.scrollX, before.scrollY);
    }
    announce(before.rows, rowsOf(container));
  });
})();
