// askplan upload page: while a job runs, poll /upload/status and show its progress lines and result.
// Every value goes in through textContent or an attribute, never as markup, so uploaded text stays text.
(function () {
  "use strict";
  var box = document.getElementById("upload-status");
  if (!box || box.getAttribute("data-state") !== "running") { return; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function show(job) {
    box.setAttribute("data-state", job.state);
    box.textContent = "";
    box.appendChild(el("h2", "", job.name));
    var state = job.state === "running" ? "正在处理（" + job.seconds + " 秒）…"
      : job.state === "done" ? "已加入：《" + job.result.title + "》，" + job.result.measures + " 条条款（"
        + job.result.seconds + " 秒）。"
      : job.error;
    box.appendChild(el("p", "upload-state", state));
    if (job.state === "done") {
      var p = el("p", "upload-result"), a = el("a", "", "查看文件：" + job.result.title);
      a.setAttribute("href", job.result.url);
      p.appendChild(a);
      box.appendChild(p);
    }
    box.appendChild(el("pre", "upload-lines", job.lines.join("\n")));
    if (job.state !== "running") {
      var button = document.querySelector(".upload-form button");
      if (button) { button.disabled = false; }
    }
  }

  function poll() {
    fetch("/upload/status", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (job) {
      show(job);
      if (job.state === "running") { window.setTimeout(poll, 1000); }
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
