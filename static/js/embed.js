// The optional script of the widget's snippet (statements/sharing.py): it replaces each
// <div data-alliance-embed="https://…/statements/<slug>/embed/"> with the widget's frame,
// and keeps that frame as tall as the widget (static/js/embed-frame.js sends its height).
// Without it, the plain <iframe> snippet works as well, at a fixed height.
(function () {
  "use strict";
  var frames = [];
  var placeholders = document.querySelectorAll("div[data-alliance-embed]");
  Array.prototype.forEach.call(placeholders, function (placeholder) {
    var source;
    try {
      source = new URL(placeholder.getAttribute("data-alliance-embed"), document.baseURI);
    } catch (error) {
      return;
    }
    if (source.protocol !== "https:" && source.protocol !== "http:") return;
    var frame = document.createElement("iframe");
    frame.src = source.href;
    frame.title = placeholder.getAttribute("data-title") || "Alliance Hub";
    frame.loading = "lazy";
    frame.style.border = "0";
    frame.style.width = "100%";
    frame.style.maxWidth = "100%";
    frame.style.height = "520px";
    placeholder.replaceWith(frame);
    frames.push({ element: frame, origin: source.origin });
  });
  window.addEventListener("message", function (event) {
    var height = event.data && event.data.allianceEmbedHeight;
    if (typeof height !== "number" || height <= 0 || height > 20000) return;
    frames.forEach(function (frame) {
      if (event.source === frame.element.contentWindow && event.origin === frame.origin) {
        frame.element.style.height = Math.ceil(height) + "px";
      }
    });
  });
})();
