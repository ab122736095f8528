// Times in the reader's own zone. The server wrote each <time data-local-time> in the
// zone of the event (or UTC) and named it; this rewrites them in the browser's zone,
// named too, and keeps the server's text as the title. Without JavaScript, or without
// Intl, the page keeps the server's text.
(function () {
  "use strict";
  if (typeof Intl === "undefined" || !Intl.DateTimeFormat) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  var format;
  try {
    format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: zone,
    });
  } catch (error) {
    return;
  }
  var times = document.querySelectorAll("time[data-local-time]");
  for (var i = 0; i < times.length; i++) {
    var element = times[i];
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment.getTime())) continue;
    element.title = element.textContent;
    element.textContent = format.format(moment) + " (" + zone + ")";
    element.setAttribute("data-zone", zone);
  }
})();
