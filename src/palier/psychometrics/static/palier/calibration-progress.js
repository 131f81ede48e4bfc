// Progress of a calibration run: asks the server for the run's state every few seconds and
// updates the progress bar and its text (a polite live region, changed only when the text
// changes); reloads the page when the run is finished. Without JavaScript, the page's
// <noscript> refresh does the same.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box) { return; }
  var text = document.getElementById("run-progress-text");
  var bar = document.getElementById("run-progress-bar");
  var every = Number(box.getAttribute("data-refresh-seconds") || "2") * 1000;
  var url = box.getAttribute("data-status-url");

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.finished) { window.location.reload(); return; }
        if (state) {
          bar.value = state.progress;
          bar.textContent = state.progress + " %";
          if (text.textContent !== state.text) { text.textContent = state.text; }
        }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
}());
