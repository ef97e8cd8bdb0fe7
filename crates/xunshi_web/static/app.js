// The pages work without this file; it adds what a script does better. Served from /static,
// as the policy allows no inline script.
(function () {
  "use strict";

  // Irreversible moves ask first: a button (or form) with data-confirm="…" submits only when
  // the person agrees, and then says so (_confirmed). Such a form also carries its question
  // in _confirm: without a script the server asks it on a page of its own before acting.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var button = e.submitter;
    var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      e.preventDefault();
      return;
    }
    if (form.querySelector("input[name=_confirm]") && !form.querySelector("input[name=_confirmed]")) {
      var yes = document.createElement("input");
      yes.type = "hidden";
      yes.name = "_confirmed";
      yes.value = "1";
      form.appendChild(yes);
    }
  });

  function ready() {
    // Wide screens show the navigation open. The stylesheet does it with ::details-content;
    // where that is unknown, the <details> is opened here.
    var menu = document.querySelector("details.nav-menu");
    if (menu && window.matchMedia("(min-width: 768px)").matches &&
        !(window.CSS && CSS.supports && CSS.supports("selector(::details-content)"))) {
      menu.open = true;
    }

    // After a failed submit the first field in error gets the focus and is scrolled to the
    // middle of the screen, so the message that matters is seen first, not a notice above it.
    var field = document.querySelector(".has-error input:not([type=hidden]), .has-error select, .has-error textarea");
    var target = field || document.querySelector(".field-error, [data-form-error]");
    if (target) {
      if (!field && !target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center" });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
