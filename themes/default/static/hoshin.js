/* hoshin: copy buttons beside each directive. No framework, no network.
   Works over http:// and file:// (where the clipboard API may be missing,
   fall back to a hidden textarea). */
(function () {
  "use strict";
  function pageUrl(id) {
    var base = location.href.split("#")[0];
    return base + "#" + id;
  }
  function copyText(text, done) {
    function fallback() {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }
  // Tooltips are added here rather than repeated in the HTML of every directive.
  function addTitles(root) {
    var links = root.querySelectorAll(".dtools .permalink");
    for (var i = 0; i < links.length; i++) links[i].title = "この項目へのリンク";
    var buttons = root.querySelectorAll(".dtools .copy");
    for (var j = 0; j < buttons.length; j++) buttons[j].title = "ラベル・URL・[[…]] 記法をコピー";
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { addTitles(document); });
  } else {
    addTitles(document);
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("button.copy");
    if (!btn) return;
    var directive = btn.closest(".directive");
    var article = btn.closest("article");
    if (!directive || !article) return;
    var cite = directive.getAttribute("data-cite");
    var label = article.getAttribute("data-label-prefix") + cite;
    var ref = "[[" + article.getAttribute("data-ref-prefix") + "#" + cite + "]]";
    var text = label + "\n" + pageUrl(directive.id) + "\n" + ref;
    copyText(text, function (ok) {
      var old = btn.textContent;
      btn.textContent = ok ? "コピーしました" : "コピーできません";
      btn.classList.add("copied");
      setTimeout(function () { btn.textContent = old; btn.classList.remove("copied"); }, 1500);
    });
  });
})();
