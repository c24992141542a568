// hoshin serve: live reload and the build-error overlay.
// The preview server injects this into every HTML page it serves; the built
// site never contains it.
(function () {
  "use strict";
  if (window.__hoshinLive) return;
  window.__hoshinLive = true;

  // The build this page came from, filled in by the server when it sends this
  // file. The stream's first event ("hello") names the server's current build:
  // a mismatch means a rebuild (or a server restart) happened while this page
  // was not listening, so it reloads then instead of never.
  var BUILD = "__HOSHIN_BUILD__";
  var CLOSED = 2; // EventSource.CLOSED
  var source = null;
  var retryDelay = 1000;
  var overlay = null;
  var overlayText = null;

  function whenBody(fn) {
    if (document.body) fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function hideError() {
    if (overlay) overlay.style.display = "none";
  }

  function buildOverlay() {
    overlay = document.createElement("div");
    overlay.id = "hoshin-build-error";
    overlay.lang = "ja";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-labelledby", "hoshin-build-error-title");
    // Inline styles with explicit values, so the site's own CSS cannot restyle it.
    overlay.style.cssText =
      "position:fixed;top:0;right:0;bottom:0;left:0;z-index:2147483647;" +
      "display:flex;align-items:flex-start;justify-content:center;" +
      "padding:4vh 2vw;box-sizing:border-box;background:rgba(0,0,0,.55);";
    overlay.addEventListener("click", function (e) {
      if (e.target === overlay) hideError();
    });

    var box = document.createElement("div");
    box.style.cssText =
      "display:block;box-sizing:border-box;width:100%;max-width:1100px;max-height:92vh;overflow:auto;" +
      "background:#fff;color:#1a1a1a;border-top:6px solid #c62828;border-radius:6px;" +
      "box-shadow:0 8px 32px rgba(0,0,0,.4);padding:16px 20px;text-align:left;" +
      "font:15px/1.6 system-ui,'Hiragino Sans','Yu Gothic UI',Meiryo,sans-serif;";

    var bar = document.createElement("div");
    bar.style.cssText =
      "display:flex;align-items:center;justify-content:space-between;gap:16px;";

    var title = document.createElement("h2");
    title.id = "hoshin-build-error-title";
    title.textContent = "ビルドエラー";
    title.style.cssText = "display:block;margin:0;padding:0;font-size:20px;font-weight:bold;color:#c62828;";

    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "閉じる";
    close.title = "閉じる（Esc）";
    close.style.cssText =
      "display:inline-block;visibility:visible;font:inherit;font-size:14px;padding:4px 14px;cursor:pointer;color:#1a1a1a;" +
      "background:#f2f2f2;border:1px solid #999;border-radius:4px;";
    close.addEventListener("click", hideError);

    var note = document.createElement("p");
    note.textContent =
      "最後に成功したビルドを表示しています。修正して保存すると自動で再読み込みします。";
    note.style.cssText = "display:block;margin:8px 0 12px;padding:0;font-size:13px;color:#555;";

    overlayText = document.createElement("pre");
    overlayText.style.cssText =
      "display:block;margin:0;padding:12px;border-radius:4px;background:#fdf0f0;color:#1a1a1a;" +
      "white-space:pre-wrap;overflow-wrap:anywhere;text-align:left;" +
      "font:13px/1.5 ui-monospace,Consolas,'BIZ UDGothic','MS Gothic',monospace;";

    bar.appendChild(title);
    bar.appendChild(close);
    box.appendChild(bar);
    box.appendChild(note);
    box.appendChild(overlayText);
    overlay.appendChild(box);

    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") hideError();
    });
  }

  function showError(diagnostics) {
    whenBody(function () {
      if (!overlay) buildOverlay();
      // textContent, never innerHTML: diagnostics quote the author's text verbatim.
      overlayText.textContent = diagnostics;
      overlay.style.display = "flex";
      if (!overlay.parentNode) document.body.appendChild(overlay);
    });
  }

  function reload() {
    if (source) source.close();
    location.reload();
  }

  function connect() {
    if (!window.EventSource) return;
    var es = new EventSource("/__hoshin/events");
    source = es;
    es.addEventListener("open", function () {
      retryDelay = 1000;
    });
    es.addEventListener("hello", function (e) {
      if (e.data !== BUILD) reload();
    });
    es.addEventListener("reload", reload);
    es.addEventListener("error", function (e) {
      // The server's "error" event carries diagnostics; the browser's own
      // "error" event (connection lost) has no data.
      if (typeof e.data === "string") {
        showError(e.data);
        return;
      }
      // Connection lost. The browser retries by itself while CONNECTING; if it
      // gave up (CLOSED), start over later, quietly, backing off.
      if (es.readyState === CLOSED && source === es) {
        es.close();
        source = null;
        setTimeout(function () {
          if (!source && !document.hidden) connect();
        }, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 10000);
      }
    });
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  // Hidden tabs let go of their stream: a browser allows only about six
  // connections per server, and every open tab would otherwise hold one. On
  // return, "hello" reloads the page if a build happened meanwhile.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) disconnect();
    else if (!source) connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function () {
    if (!source && !document.hidden) connect();
  });

  if (!document.hidden) connect();
})();
