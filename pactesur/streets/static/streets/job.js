/* The import job page: poll the job's status every second and move the progress bar. */
(function () {
  "use strict";
  var root = document.getElementById("import-job");
  if (!root) return;
  var d = root.dataset;
  var bar = document.getElementById("import-progress");
  var percent = document.getElementById("import-percent");
  var message = document.getElementById("import-message");
  var outcome = document.getElementById("import-outcome");
  var error = document.getElementById("import-error");
  var links = document.getElementById("import-links");
  var INTERVAL_MS = 1000;

  function show(status) {
    bar.value = status.percent;
    bar.textContent = status.percent + " %";
    percent.textContent = status.percent + " %";
    message.textContent = status.message || "";
    error.textContent = status.error || "";
    root.dataset.status = status.status;
    outcome.className = "streets-outcome streets-status-" + status.status;
    if (status.status === "succeeded") {
      outcome.textContent = d.textSucceeded + (status.network ? " " + d.textVersion + " " + status.network.version + "." : "");
    } else if (status.status === "failed") {
      outcome.textContent = d.textFailed;
    } else {
      outcome.textContent = "";
    }
    links.hidden = !status.finished;
  }

  function poll() {
    fetch(d.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (!status.finished) window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () {
        message.textContent = d.textOffline;
        window.setTimeout(poll, INTERVAL_MS * 3);
      });
  }

  poll();
})();
