// askplan: copy buttons, the department filter and recent questions. Plain JS, no framework, no inline script.
// Copy: navigator.clipboard.writeText in a secure context; otherwise (plain-HTTP intranets, or a rejected
// write) document.execCommand('copy') on an off-screen textarea; if that fails too, a visible field holding
// the text, already selected for Ctrl+C / long-press.
(function () {
  "use strict";

  function showFallback(wrap, text) {
    var field = wrap.querySelector(".citation-fallback");
    var status = wrap.querySelector(".copy-status");
    field.value = text;
    field.hidden = false;
    field.focus();
    field.select();
    try { field.setSelectionRange(0, text.length); } catch (e) { /* some fields refuse */ }
    status.textContent = "请手动复制";
  }

  function copied(wrap, how) {
    var status = wrap.querySelector(".copy-status");
    status.textContent = "已复制";
    wrap.setAttribute("data-copied-by", how);
    wrap.classList.add("done");
    window.setTimeout(function () { status.textContent = ""; wrap.classList.remove("done"); }, 2500);
  }

  function execCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.left = "-9999px";
    area.style.opacity = "0";
    document.body.appendChild(area);
    var active = document.activeElement;
    area.focus();
    area.select();
    try { area.setSelectionRange(0, text.length); } catch (e) { /* ignore */ }
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    if (active && active.focus) { active.focus(); }
    return ok;
  }

  function legacyCopy(wrap, text) {
    if (execCopy(text)) { copied(wrap, "execCommand"); } else { showFallback(wrap, text); }
  }

  function onCopy(event) {
    var button = event.target.closest(".copy-wrap button[data-copy]");
    if (!button) { return false; }
    var wrap = button.closest(".copy-wrap");
    var text = button.getAttribute("data-copy");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(wrap, "clipboard"); },
        function () { legacyCopy(wrap, text); }
      );
    } else {
      legacyCopy(wrap, text);
    }
    return true;
  }

  // --- recent questions (this browser only) ---
  var RECENT_KEY = "askplan.recent";
  var RECENT_MAX = 10;

  function readRecent() {
    try { return JSON.parse(window.localStorage.getItem(RECENT_KEY) || "[]").filter(function (q) { return typeof q === "string"; }); }
    catch (e) { return []; }
  }

  function writeRecent(list) {
    try { window.localStorage.setItem(RECENT_KEY, JSON.stringify(list)); } catch (e) { /* private mode */ }
  }

  function rememberQuestion() {
    var box = document.querySelector("[data-asked]");
    if (!box) { return; }
    var q = box.getAttribute("data-asked");
    if (!q) { return; }
    var list = readRecent().filter(function (x) { return x !== q; });
    list.unshift(q);
    writeRecent(list.slice(0, RECENT_MAX));
  }

  function showRecent() {
    var section = document.getElementById("recent");
    if (!section) { return; }
    var list = readRecent();
    var ul = section.querySelector("ul");
    ul.textContent = "";
    list.forEach(function (q) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/?q=" + encodeURIComponent(q);
      a.textContent = q;
      li.appendChild(a);
      ul.appendChild(li);
    });
    section.hidden = list.length === 0;
  }

  function onClearRecent(event) {
    if (!event.target.closest("#recent-clear")) { return false; }
    try { window.localStorage.removeItem(RECENT_KEY); } catch (e) { /* ignore */ }
    showRecent();
    return true;
  }

  // Each typed character found in order (发改 in 省发展改革委), within one of the space-separated names.
  function inOrder(needle, names) {
    return names.split(" ").some(function (name) {
      var at = 0;
      for (var i = 0; i < needle.length; i += 1) {
        at = name.indexOf(needle.charAt(i), at);
        if (at < 0) { return false; }
        at += 1;
      }
      return true;
    });
  }

  // --- the department list's search box: filters the rows as one types (the form also works without JS) ---
  function onFilter(event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-filter]")) { return; }
    var table = document.getElementById(input.getAttribute("data-filter"));
    var needle = input.value.trim().toLowerCase();
    var shown = 0;
    table.querySelectorAll("tbody tr[data-name]").forEach(function (row) {
      var hit = !needle || inOrder(needle, row.getAttribute("data-name").toLowerCase());
      row.hidden = !hit;
      shown += hit ? 1 : 0;
    });
    var count = document.querySelector("[data-filter-count]");
    if (count) { count.textContent = String(shown); }
  }

  document.addEventListener("click", function (event) {
    if (onCopy(event)) { return; }
    onClearRecent(event);
  });
  document.addEventListener("input", onFilter);
  document.addEventListener("DOMContentLoaded", function () {
    rememberQuestion();
    showRecent();
  });
})();
