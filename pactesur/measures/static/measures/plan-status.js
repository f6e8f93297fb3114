/* An investment plan being computed: follow its computation and show the result once it is done.
 *
 * While the plan is queued or being computed (#plan-status-data: {statusUrl, pending}), the status
 * URL ({computation, label, pending, message, percent}) is polled: #plan-computation-label,
 * #plan-computation-message and the #plan-progress bar follow it, and #plan-computation gets
 * data-computation; once the computation is done or has failed, the page reloads so that the
 * server draws the result (or why it failed).
 */
(function (global) {
  "use strict";

  var POLL_MS = 2000;

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  function show(box, state) {
    box.dataset.computation = state.computation;
    setText("plan-computation-label", state.label || "");
    setText("plan-computation-message", state.message || "");
    var bar = document.getElementById("plan-progress");
    if (bar) {
      bar.value = state.percent;
      bar.textContent = state.percent + "\u00a0%";
    }
    setText("plan-percent", state.percent + "\u00a0%");
  }

  function follow() {
    var data = readJson("plan-status-data");
    var box = document.getElementById("plan-computation");
    if (!data || !box || !data.pending) return;
    function poll() {
      fetch(data.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (state) {
          show(box, state);
          if (state.pending) {
            global.setTimeout(poll, POLL_MS);
          } else {
            setText("plan-computation-message", box.dataset.textDone);
            global.location.reload();
          }
        })
        .catch(function () {
          setText("plan-computation-message", box.dataset.textOffline);
          global.setTimeout(poll, POLL_MS * 2);
        });
    }
    global.setTimeout(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", follow);
})(window);
