/* hoshin: a permalink and a copy button beside each directive, and the
   tooltips of the year-over-year marks and backlinks. No framework, no
   network.
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
  // Each directive's tools (a permalink and a copy button) are made here
  // rather than repeated in the HTML of every directive of every page. They
  // go where the directive's own text ends: inside a heading or paragraph,
  // and in a list item, inside its first paragraph or before its sub-list.
  var BLOCKS = /^(P|UL|OL|DIV|TABLE|BLOCKQUOTE|PRE|DETAILS|DL|H[1-6])$/;
  function toolsFor(directive) {
    var tools = document.createElement("span");
    tools.className = "dtools";
    var link = document.createElement("a");
    link.className = "permalink";
    link.href = "#" + directive.id;
    link.setAttribute("aria-label", "リンク");
    link.title = "この項目へのリンク";
    link.textContent = "#";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.title = "ラベル・URL・[[…]] 記法をコピー";
    button.textContent = "コピー";
    tools.appendChild(link);
    tools.appendChild(button);
    return tools;
  }
  function addTools(root) {
    var directives = root.querySelectorAll("article .directive[id]");
    for (var i = 0; i < directives.length; i++) {
      var d = directives[i];
      if (d.querySelector(":scope > .dtools, :scope > p > .dtools")) continue;
      var tools = toolsFor(d);
      if (d.tagName !== "LI") {
        d.appendChild(tools);
        continue;
      }
      var first = d.firstElementChild;
      var lead = d.firstChild;
      while (lead && lead.nodeType === 3 && !lead.nodeValue.trim()) lead = lead.nextSibling;
      if (first && first === lead && first.tagName === "P" && !first.classList.contains("directive")) {
        first.appendChild(tools);
        continue;
      }
      var block = null;
      for (var c = d.firstElementChild; c; c = c.nextElementSibling) {
        if (BLOCKS.test(c.tagName)) {
          block = c;
          break;
        }
      }
      d.insertBefore(tools, block);
    }
  }
  // Tooltips that would be the same words on every mark of every page.
  var TITLES = [
    [".yoy-badge.yoy-new", "前年度にはない新設の項目（新旧対照表の該当行へ）"],
    [".yoy-badge.yoy-changed", "前年度から変更された項目（新旧対照表の該当行へ）"],
    [".yoy-dropped", "次年度の方針にはない項目（次年度の新旧対照表の該当行へ）"],
    ["details.backlinks > summary", "この項目を参照している箇所"]
  ];
  function addTitles(root) {
    for (var i = 0; i < TITLES.length; i++) {
      var els = root.querySelectorAll("article " + TITLES[i][0]);
      for (var j = 0; j < els.length; j++) {
        if (!els[j].title) els[j].title = TITLES[i][1];
      }
    }
  }
  function init() {
    addTools(document);
    addTitles(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
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
