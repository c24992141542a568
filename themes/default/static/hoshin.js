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
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("button.copy");
    if (!btn) return;
    var directive = btn.closest(".directive");
    if (!directive) return;
    var text = btn.getAttribute("data-label") + "\n" + pageUrl(directive.id) + "\n" + btn.getAttribute("data-ref");
    copyText(text, function (ok) {
      var old = btn.textContent;
      btn.textContent = ok ? "コピーしました" : "コピーできません";
      btn.classList.add("copied");
      setTimeout(function () { btn.textContent = old; btn.classList.remove("copied"); }, 1500);
    });
  });
})();
