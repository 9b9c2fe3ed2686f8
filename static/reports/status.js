/* Report list and committee pages: while a report is queued or being made, ask the server for
   its status every few seconds and update the row in place (queued → running → ready). */
(function () {
  "use strict";
  var PENDING = { queued: true, running: true };
  var INTERVAL = 2500;

  function pendingRows(table) {
    return Array.prototype.filter.call(
      table.querySelectorAll("[data-report-id]"),
      function (row) { return PENDING[row.getAttribute("data-report-status")]; }
    );
  }

  function update(row, line) {
    row.setAttribute("data-report-status", line.status);
    var label = row.querySelector("[data-status-label]");
    if (label) {
      label.textContent = line.label.charAt(0).toUpperCase() + line.label.slice(1);
      label.className = "badge report-status report-status--" + line.status;
    }
    var made = row.querySelector("[data-made-on]");
    if (made && line.made_on) { made.textContent = line.made_on; }
    var size = row.querySelector("[data-size]");
    if (size && line.size) { size.textContent = line.size; }
    var file = row.querySelector("[data-file]");
    if (file && line.ready && line.download_url && !file.querySelector("a")) {
      var link = document.createElement("a");
      link.href = line.download_url;
      link.setAttribute("data-report-download", "");
      link.textContent = file.getAttribute("data-download-label") || row.closest("[data-download-label]").getAttribute("data-download-label");
      file.textContent = "";
      file.appendChild(link);
    }
    if (line.error) {
      var status = row.querySelector("[data-status]");
      var note = document.createElement("div");
      note.className = "small field-error";
      note.textContent = line.error;
      if (status) { status.appendChild(note); }
    }
  }

  function poll(table) {
    var rows = pendingRows(table);
    if (!rows.length) { return; }
    var ids = rows.map(function (row) { return row.getAttribute("data-report-id"); });
    var url = table.getAttribute("data-status-url") + "?ids=" + ids.join(",");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { reports: [] }; })
      .then(function (data) {
        data.reports.forEach(function (line) {
          var row = table.querySelector('[data-report-id="' + line.id + '"]');
          if (row) { update(row, line); }
        });
      })
      .catch(function () { /* a missed poll is retried on the next tick */ })
      .then(function () {
        if (pendingRows(table).length) { window.setTimeout(function () { poll(table); }, INTERVAL); }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-status-url]"), function (table) {
      window.setTimeout(function () { poll(table); }, INTERVAL);
    });
  });
})();
