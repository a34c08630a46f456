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
  if (summary) {
    summary.focus();
    // Each link in it takes the focus to its field and shows the field's question above it.
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) { return; }
        event.preventDefault();
        var question = field.closest("fieldset") ? field.closest("fieldset").querySelector("legend")
          : document.querySelector("label[for='" + field.id + "']");
        (question || field).scrollIntoView();
        field.focus({ preventScroll: true });
      });
    });
  }
  // Forms marked data-once cannot be sent twice by a double click.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        window.setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
});
