// Move focus to the error summary, so that keyboard and screen-reader users start from
// the list of problems (templates/includes/error_summary.html).
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
