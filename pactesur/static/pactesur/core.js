/* PACTESUR core behaviour for every page: menu toggle on phones, switchers that submit on change,
   confirmation of destructive buttons. No inline handlers: the Content Security Policy forbids them.
   The switchers' fallback buttons are <input type=submit> so that a page's own form keeps the first
   <button type=submit>. */
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

  function setUpAutoSubmit() {
    document.querySelectorAll("form.auto-submit select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
      var button = select.form.querySelector("[type=submit]");
      if (button) { button.classList.add("visually-hidden"); }
    });
  }

  function setUpConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { event.preventDefault(); }
    });
  }

  function ready() {
    setUpMenu();
    setUpAutoSubmit();
    setUpConfirm();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
