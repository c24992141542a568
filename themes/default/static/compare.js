/* hoshin: the 新旧対照表 collapses runs of unchanged rows behind a toggle.
   Without this script every row is shown; printing shows every row too. */
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
  var runs = document.querySelectorAll("tbody.same-run");
  var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  for (var i = 0; i < runs.length; i++) {
    (function (run) {
      var toggle = run.querySelector("tr.run-toggle");
      var button = toggle && toggle.querySelector("button");
      if (!button) return;
      toggle.hidden = false;
      // A link to a row inside the run (from a document page) keeps it open.
      set(run, button, !!(target && run.contains(target)));
      button.addEventListener("click", function () {
        set(run, button, run.getAttribute("data-collapsed") === "true");
      });
    })(runs[i]);
  }
  window.addEventListener("hashchange", function () {
    var row = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var run = row && row.closest ? row.closest("tbody.same-run") : null;
    if (run && run.getAttribute("data-collapsed") === "true") {
      var button = run.querySelector("button");
      if (button) { set(run, button, true); row.scrollIntoView(); }
    }
  });
})();
