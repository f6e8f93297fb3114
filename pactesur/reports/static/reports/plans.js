/* The local protection plans page: while a plan is queued or being prepared (#plans-status-data:
 * {statusUrl, pending}), the status URL is polled and each row of #plans-table (data-plan) gets its
 * status, size, pages and download link in place; #plans-status says when a plan is ready (or
 * failed), for
 * screen readers too (aria-live). No inline script: the Content Security Policy forbids it.
 */
(function (global) {
  "use strict";

  var POLL_MS = 3000;

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function field(row, name) {
    return row.querySelector('[data-field="' + name + '"]');
  }

  function update(row, plan, texts) {
    field(row, "status").textContent = plan.status_text;
    field(row, "size").textContent = plan.size;
    field(row, "pages").textContent = plan.pages === null ? "" : String(plan.pages);
    var cell = field(row, "download");
    if (plan.download_url && !cell.querySelector("a")) {
      var link = document.createElement("a");
      link.href = plan.download_url;
      link.textContent = texts.dataset.textDownload;
      cell.textContent = "";
      cell.appendChild(link);
    }
    var changed = row.dataset.status !== plan.status ? plan.status : "";
    row.dataset.status = plan.status;
    return changed;
  }

  function setup() {
    var data = readJson("plans-status-data");
    var status = document.getElementById("plans-status");
    var table = document.getElementById("plans-table");
    if (!data || !status || !table || !data.pending) return;
    function poll() {
      fetch(data.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (state) {
          var news = "";
          state.plans.forEach(function (plan) {
            var row = table.querySelector('tr[data-plan="' + plan.id + '"]');
            var changed = row ? update(row, plan, status) : "";
            if (changed === "done") news = status.dataset.textDone;
            else if (changed === "failed" && !news) news = status.dataset.textFailed;
          });
          if (state.pending) {
            status.textContent = news || status.dataset.textPending;
            global.setTimeout(poll, POLL_MS);
          } else {
            status.textContent = news;
          }
        })
        .catch(function () {
          status.textContent = status.dataset.textOffline;
          global.setTimeout(poll, POLL_MS * 2);
        });
    }
    global.setTimeout(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", setup);
})(window);
