// askplan: the "copy citation" buttons. Plain JS, no framework.
// navigator.clipboard.writeText when available; otherwise (no API, insecure context, or the write is
// rejected) a visible read-only field holding the citation, already selected for Ctrl+C / long-press.
(function () {
  "use strict";

  function showFallback(wrap, citation) {
    var field = wrap.querySelector(".citation-fallback");
    var status = wrap.querySelector(".copy-status");
    field.value = citation;
    field.hidden = false;
    field.focus();
    field.select();
    try { field.setSelectionRange(0, citation.length); } catch (e) { /* some inputs refuse */ }
    status.textContent = "请手动复制";
  }

  function copied(wrap) {
    var status = wrap.querySelector(".copy-status");
    status.textContent = "已复制";
    wrap.classList.add("done");
    window.setTimeout(function () { status.textContent = ""; wrap.classList.remove("done"); }, 2000);
  }

  function onClick(event) {
    var button = event.target.closest(".copy-citation");
    if (!button) { return; }
    var wrap = button.closest(".copy-wrap");
    var citation = button.getAttribute("data-citation");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(citation).then(
        function () { copied(wrap); },
        function () { showFallback(wrap, citation); }
      );
    } else {
      showFallback(wrap, citation);
    }
  }

  document.addEventListener("click", onClick);
})();
