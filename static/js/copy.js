// "Copy" buttons beside the read-only fields marked data-copy (the share section of the
// statement page). Without JavaScript the fields stay, to select and copy by hand. The
// buttons' words come from the page (data-copy-label, data-copied-label), translated.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (field) {
    var words = field.closest("[data-copy-label]");
    if (!words) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary button--small";
    button.textContent = words.dataset.copyLabel;
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "meta";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = " " + words.dataset.copiedLabel;
      });
    });
    field.insertAdjacentElement("afterend", status);
    field.insertAdjacentElement("afterend", button);
  });
  document.querySelectorAll("[data-copy]").forEach(function (field) {
    field.addEventListener("focus", function () {
      field.select();
    });
  });
})();
