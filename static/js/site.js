// Progressive enhancement only: every flow works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Ask before actions that are hard to undo (buttons carry data-confirm="question").
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  // Move focus to an error summary so screen readers announce it at once.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  // Forms marked data-once cannot be sent twice by a double click.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        window.setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
});
