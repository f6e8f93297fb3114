/* The import job page: poll the job's status every second, move the progress bar and mark the phase
   the import is in (done, under way, to do).
   Polling stops once the job has finished or waits for confirmation; a job that starts waiting
   while the page is open reloads it, so the server draws the warning and its buttons. */
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
  var OUTCOMES = { succeeded: d.textSucceeded, failed: d.textFailed, held: d.textHeld, cancelled: d.textCancelled };

  function showPhases(phases) {
    // The server says where each phase stands; the list only takes its word.
    (phases || []).forEach(function (phase) {
      var item = root.querySelector('#import-phases [data-phase="' + phase.key + '"]');
      if (!item) return;
      item.className = "streets-phase-" + phase.state;
      var state = item.querySelector(".visually-hidden");
      if (state) state.textContent = "(" + phase.state_label + ")";
      if (phase.state === "current") item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    });
  }

  function show(status) {
    showPhases(status.phases);
    bar.value = status.percent;
    bar.textContent = status.percent + " %";
    percent.textContent = status.percent + " %";
    message.textContent = status.message || "";
    error.textContent = status.error || "";
    outcome.className = "streets-outcome streets-status-" + status.status;
    outcome.textContent = OUTCOMES[status.status] || "";
    if (status.status === "succeeded" && status.network) {
      outcome.textContent += " " + d.textVersion + " " + status.network.version + ".";
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
        if (status.held) {
          if (d.status !== "held") window.location.reload();
          return;
        }
        show(status);
        d.status = status.status;
        if (!status.finished) window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () {
        message.textContent = d.textOffline;
        window.setTimeout(poll, INTERVAL_MS * 3);
      });
  }

  // Keep a form from being sent twice by a double click; the server refuses a second one anyway.
  Array.prototype.forEach.call(root.querySelectorAll(".streets-decide form"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(root.querySelectorAll(".streets-decide button"), function (button) {
        button.disabled = true;
      });
    });
  });

  if (d.status !== "held") poll();
})();
