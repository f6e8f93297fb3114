/* PACTESUR core behaviour for every page: menu toggle on phones, confirmation of destructive buttons,
   keyboard access to tables that scroll sideways, focus on a form's error summary. No inline handlers:
   the Content Security Policy forbids them.
   The city and language switchers submit only with their own button (WCAG 3.2.2: choosing an option
   must not change the page), so nothing here submits a form by itself. */
(function () {
  "use strict";

  function setUpMenu() {
    var header = document.getElementById("site-header");
    var toggle = header && header.querySelector(".nav-toggle");
    if (!toggle) { return; }
    header.classList.add("nav-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function setUpConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { event.preventDefault(); }
    });
  }

  var named = 0;

  function nameOf(wrap) {
    // The region takes the table's own name: its caption, the element naming it, or the heading before it.
    var table = wrap.querySelector("table");
    if (!table) { return null; }
    var source = table.caption || (table.getAttribute("aria-labelledby") &&
      document.getElementById(table.getAttribute("aria-labelledby").split(" ")[0]));
    if (!source) {
      var previous = wrap.previousElementSibling;
      while (previous && !/^H[1-6]$/.test(previous.tagName)) { previous = previous.previousElementSibling; }
      source = previous;
    }
    if (!source) { return null; }
    if (!source.id) { named += 1; source.id = "table-name-" + named; }
    return source.id;
  }

  /* A table wider than its box scrolls sideways (.table-wrap): the box then takes the keyboard focus,
     so that arrow keys scroll it, and is a named region (WCAG 2.1.1; axe's scrollable-region-focusable).
     Boxes that do not scroll stay out of the tab order. */
  function setUpScrollingTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    function update() {
      wraps.forEach(function (wrap) {
        var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
        if (scrolls && !wrap.hasAttribute("tabindex")) {
          wrap.setAttribute("tabindex", "0");
          wrap.setAttribute("role", "region");
          var label = wrap.getAttribute("aria-labelledby") || nameOf(wrap);
          if (label) {
            wrap.setAttribute("aria-labelledby", label);
          } else if (!wrap.hasAttribute("aria-label")) {
            wrap.setAttribute("aria-label", document.body.getAttribute("data-text-table") || "Table");
          }
          wrap.dataset.scrolls = "true";
        } else if (!scrolls && wrap.dataset.scrolls === "true") {
          wrap.removeAttribute("tabindex");
          wrap.removeAttribute("role");
          delete wrap.dataset.scrolls;
        }
      });
    }
    update();
    window.addEventListener("resize", update);
    // Tables shown later (a vehicle class chosen, a details opened) are measured again.
    document.addEventListener("change", function () { window.setTimeout(update, 0); });
    document.addEventListener("toggle", update, true);
    window.PactesurCore = { updateTables: update };
  }

  /* A form sent back with errors: the summary gets the focus, so a screen reader reads it at once
     (WCAG 3.3.1, 4.1.3) and the next Tab leads to the first field. A field's autofocus (the log-in
     form's user name) would take it back when the browser applies it, after this script: the summary
     takes the focus again then, unless the person has moved it. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    var autofocused = Array.prototype.slice.call(document.querySelectorAll("[autofocus]"));
    autofocused.forEach(function (field) { field.removeAttribute("autofocus"); });
    function take() {
      var active = document.activeElement;
      if (!active || active === document.body || autofocused.indexOf(active) >= 0) { summary.focus(); }
    }
    take();
    window.requestAnimationFrame(take);
    window.addEventListener("load", take);
  }

  function ready() {
    setUpMenu();
    setUpConfirm();
    setUpScrollingTables();
    focusErrorSummary();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
