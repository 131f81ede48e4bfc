// Countdown for timed questions. Without JavaScript the limit is shown as text and the
// server still records a late answer as timed out; with it, the remaining time is shown and
// the answer is sent when the time is up. Screen readers hear it at one minute and at the end.
(function () {
  "use strict";
  var timer = document.querySelector("[data-seconds-left]");
  if (!timer) { return; }
  var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
  var display = timer.querySelector(".timer__value");
  var announce = document.getElementById("timer-announcement");
  var form = timer.closest("main").querySelector("form.question-form");
  function show() {
    var minutes = Math.floor(left / 60), seconds = left % 60;
    display.textContent = minutes + " min " + (seconds < 10 ? "0" : "") + seconds + " s";
  }
  show();
  var interval = window.setInterval(function () {
    left -= 1;
    if (left === 60 && announce) { announce.textContent = timer.getAttribute("data-one-minute"); }
    if (left <= 0) {
      window.clearInterval(interval);
      left = 0;
      show();
      if (announce) { announce.textContent = timer.getAttribute("data-time-up"); }
      if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
      return;
    }
    show();
  }, 1000);
}());
