// Inside the widget's frame: tell the page around it how tall the widget is, so that
// static/js/embed.js can size the frame to it. Only a height is sent, to any page: it
// says nothing that the widget does not show.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ allianceEmbedHeight: height, href: location.href }, "*");
  }
  window.addEventListener("load", send);
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.body);
  else window.addEventListener("resize", send);
})();
