// Waiting pages of a candidate (before the start, a resume to authorise, a question frozen
// by an alert): ask the server every 3 seconds where the candidacy stands and reload the
// page when it changed. Without JavaScript the page has a "check now" link.
(function () {
  "use strict";
  var box = document.getElementById("candidate-state");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-state-url");
  var known = [box.getAttribute("data-status"), box.getAttribute("data-awaiting"), box.getAttribute("data-frozen")].join("|");
  function check() {
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        var now = [state.status, state.awaiting_authorisation ? "1" : "0", state.question_frozen ? "1" : "0"].join("|");
        if (now !== known) { window.location.reload(); }
      })
      .catch(function () { /* the next round tries again */ });
  }
  window.setInterval(check, 3000);
}());
