/* The space's analysis page: choose the vehicle class, sort the entries, follow a running job.
 *
 * - #vehicle-select shows the entries of one class in #entries-table (rows carry data-vehicle) and,
 *   when analysis-map.js drew a map, switches it with PactesurAnalysis.showVehicle(code);
 * - the buttons [data-sort="speed"|"energy"] sort the rows by their data-speed / data-energy, highest
 *   first, then lowest first on a second click;
 * - while the analysis is queued or running (#analysis-status-data: {statusUrl, pending}), the status
 *   URL is polled and the page reloads once every class is done.
 */
(function (global) {
  "use strict";

  var POLL_MS = 3000;

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function filterRows(code) {
    document.querySelectorAll("#entries-table tbody tr[data-vehicle]").forEach(function (row) {
      row.hidden = row.dataset.vehicle !== code;
    });
  }

  function setupVehicle() {
    var select = document.getElementById("vehicle-select");
    if (!select || !document.getElementById("entries-table")) return;
    select.addEventListener("change", function () {
      filterRows(select.value);
      var api = global.PactesurAnalysis;
      if (api && typeof api.showVehicle === "function") api.showVehicle(select.value);
      var url = new URL(global.location.href);
      url.searchParams.set("vehicle", select.value);
      global.history.replaceState(null, "", url.toString());
    });
  }

  function setupSort() {
    var table = document.getElementById("entries-table");
    if (!table) return;
    var body = table.tBodies[0];
    table.querySelectorAll("button[data-sort]").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.dataset.sort;
        var header = button.closest("th");
        var descending = header.getAttribute("aria-sort") !== "descending";
        table.querySelectorAll("th[aria-sort]").forEach(function (th) { th.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-entry]"));
        rows.sort(function (a, b) {
          var diff = Number(a.dataset[key]) - Number(b.dataset[key]);
          return descending ? -diff : diff;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        table.dataset.sortedBy = key + (descending ? "-desc" : "-asc");
      });
    });
  }

  function setupStatus() {
    var data = readJson("analysis-status-data");
    var status = document.getElementById("analysis-status");
    if (!data || !status || !data.pending) return;
    function poll() {
      fetch(data.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (state) {
          if (state.pending) {
            status.textContent = status.dataset.textPending;
            global.setTimeout(poll, POLL_MS);
          } else {
            status.textContent = status.dataset.textDone;
            global.location.reload();
          }
        })
        .catch(function () {
          status.textContent = status.dataset.textOffline;
          global.setTimeout(poll, POLL_MS * 2);
        });
    }
    global.setTimeout(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupVehicle();
    setupSort();
    setupStatus();
  });
})(window);
