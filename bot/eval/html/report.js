// Filters for the item list, and a self-check: the page records in
// data-selfcheck on <body> whether its parts fit together (the browser test
// reads it) and any script error in data-jserror on <html>.
window.addEventListener("error", function (e) {
  document.documentElement.setAttribute("data-jserror", String(e.message));
});
(function () {
  var items = Array.prototype.slice.call(document.querySelectorAll("details.it"));
  var lang = document.getElementById("f-lang"), kind = document.getElementById("f-kind");
  var failed = document.getElementById("f-failed"), changed = document.getElementById("f-changed");
  // Only the side-by-side report of several configurations has it.
  var differs = document.getElementById("f-differs");
  var shown = document.getElementById("f-shown");
  function apply() {
    var n = 0;
    items.forEach(function (el) {
      var ok = (!lang.value || el.dataset.lang === lang.value) &&
        (!kind.value || el.dataset.kind === kind.value) &&
        (!failed.checked || el.dataset.failed === "1") &&
        (!changed || !changed.checked || el.dataset.changed === "1") &&
        (!differs || !differs.checked || el.dataset.differs === "1");
      el.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n;
  }
  [lang, kind, failed, changed, differs].forEach(function (el) {
    if (el) el.addEventListener("change", apply);
  });
  // A link to an item or a paragraph opens what it points at.
  window.addEventListener("hashchange", function () {
    var t = document.getElementById(location.hash.slice(1));
    if (t && t.tagName === "DETAILS") t.open = true;
  });
  apply();

  var problems = [];
  var want = Number(document.body.dataset.items), wantFailed = Number(document.body.dataset.failed);
  if (items.length !== want) problems.push("items " + items.length + ", want " + want);
  failed.checked = true;
  apply();
  var visible = items.filter(function (el) { return !el.hidden; }).length;
  if (visible !== wantFailed) problems.push("failed filter shows " + visible + ", want " + wantFailed);
  failed.checked = false;
  apply();
  if (differs) {
    var wantDiffer = Number(document.body.dataset.differ);
    differs.checked = true;
    apply();
    visible = items.filter(function (el) { return !el.hidden; }).length;
    if (visible !== wantDiffer) problems.push("differs filter shows " + visible + ", want " + wantDiffer);
    differs.checked = false;
    apply();
  }
  document.querySelectorAll('a[href^="#p-"]').forEach(function (a) {
    var id = a.getAttribute("href").slice(1);
    if (!document.getElementById(id)) problems.push("link to missing " + id);
  });
  document.body.setAttribute("data-selfcheck", problems.length ? "fail: " + problems.join("; ") : "ok");
})();
