// The catalogue's filters start folded, so that the list comes first on a phone; a wide
// screen has room for them, so they open there. Without JavaScript "Filtrer" opens them.
(function () {
  "use strict";
  if (!window.matchMedia("(min-width: 62em)").matches) return;
  document.querySelectorAll("details[data-open-when-wide]").forEach(function (details) {
    details.open = true;
  });
})();
