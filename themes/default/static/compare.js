/* hoshin: the 新旧対照表 collapses runs of unchanged rows behind a toggle.
   Without this script every row is shown; printing shows every row too.
   The toggles are made here (they would only be dead markup without it).
   Only rows that document pages link to carry an id (new-<id>, old-<id>);
   a link to an unchanged row (#new-<id>) is found by its data-new here. */
(function () {
  "use strict";
  function label(button, expanded) {
    var n = button.getAttribute("data-count");
    button.textContent = expanded ? "変更のない" + n + "項目を隠す" : "変更のない" + n + "項目を表示";
  }
  function set(run, button, expanded) {
    run.setAttribute("data-collapsed", expanded ? "false" : "true");
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    label(button, expanded);
  }
  // The row a fragment names: its id, else new-<id> / old-<id> by data-new / data-old.
  function rowOf(hash) {
    if (!hash) return null;
    var id = decodeURIComponent(hash.slice(1));
    var el = document.getElementById(id);
    if (el) return el;
    var m = /^(new|old)-(.+)$/.exec(id);
    if (!m) return null;
    var rows = document.querySelectorAll("tr[data-" + m[1] + "]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-" + m[1]) === m[2]) return rows[i];
    }
    return null;
  }
  function reveal(row) {
    if (!row) return;
    var run = row.closest ? row.closest("tbody.same-run") : null;
    var opened = false;
    if (run && run.getAttribute("data-collapsed") === "true") {
      var button = run.querySelector("button.run-button");
      if (button) { set(run, button, true); opened = true; }
    }
    // The browser scrolls to an id it can see; a hidden or id-less row is ours.
    if (opened || !row.id) row.scrollIntoView();
  }
  var runs = document.querySelectorAll("tbody.same-run");
  var target = rowOf(location.hash);
  for (var i = 0; i < runs.length; i++) {
    var run = runs[i];
    if (!run.id) run.id = "rows-" + (i + 1);
    var count = run.querySelectorAll("tr[data-change]").length;
    var toggle = document.createElement("tr");
    toggle.className = "run-toggle";
    var cell = document.createElement("td");
    cell.colSpan = 2;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "run-button";
    button.setAttribute("aria-controls", run.id);
    button.setAttribute("data-count", String(count));
    cell.appendChild(button);
    toggle.appendChild(cell);
    run.insertBefore(toggle, run.firstChild);
    // A link to a row inside the run (from a document page) keeps it open.
    set(run, button, !!(target && run.contains(target)));
    button.addEventListener("click", (function (run, button) {
      return function () { set(run, button, run.getAttribute("data-collapsed") === "true"); };
    })(run, button));
  }
  if (target && !target.id) target.scrollIntoView();
  window.addEventListener("hashchange", function () { reveal(rowOf(location.hash)); });
})();
