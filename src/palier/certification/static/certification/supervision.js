// The supervision page's live list: fetches the list again every few seconds and swaps it in.
// Keyboard focus stays on the same button or link after a swap; a new alert is announced to
// screen readers (a polite live region outside the list). Without JavaScript, the page's
// "Rafraîchir" link reloads the same list.
(function () {
  "use strict";
  var box = document.getElementById("supervision-live");
  if (!box || !box.getAttribute("data-live-url")) { return; }
  var announce = document.getElementById("supervision-announce");
  var url = box.getAttribute("data-live-url");
  var every = Number(box.getAttribute("data-refresh-seconds") || "5") * 1000;
  // Each rendering masks the CSRF token anew: compare the lists without it. The first
  // answer is always swapped in (the page's own copy was serialised by the browser).
  function comparable(html) { return html.replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, ""); }
  var last = null;

  function alertIds(root) {
    var holder = root.querySelector("[data-alert-ids]");
    var ids = holder ? holder.getAttribute("data-alert-ids") : "";
    return ids ? ids.split(" ") : [];
  }

  // What has the focus, by the address of its form or link, to find it again after a swap.
  function focusKey() {
    var active = document.activeElement;
    if (!active || !box.contains(active)) { return null; }
    if (active.form) { return { selector: "form[action=\"" + active.form.getAttribute("action") + "\"] button" }; }
    if (active.getAttribute("href")) { return { selector: "a[href=\"" + active.getAttribute("href") + "\"]" }; }
    return null;
  }

  function swap(html) {
    if (comparable(html) === last) { return; }
    var before = alertIds(box);
    var key = focusKey();
    box.innerHTML = html;
    last = comparable(html);
    if (key) {
      var again = box.querySelector(key.selector);
      if (again) { again.focus(); }
    }
    var fresh = alertIds(box).filter(function (id) { return before.indexOf(id) === -1; });
    if (fresh.length && announce) {
      var names = fresh.map(function (id) {
        var title = document.querySelector("#signalement-" + id + " .supervision-alert__title");
        return title ? title.textContent.trim() : "";
      });
      announce.textContent = box.getAttribute("data-new-alert") + " " + names.join(" ; ");
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 403) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) { swap(html); }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
}());
