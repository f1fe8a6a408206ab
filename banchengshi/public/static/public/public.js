// The public pages work without this file; it only helps: shows the fields that apply, picks a matter,
// counts down the SMS button, and (kiosk) clears the form after two idle minutes.
(function () {
  "use strict";
  function toggle() {
    var kind = document.querySelector('input[name="reporter_kind"]:checked');
    document.querySelectorAll(".enterprise-only").forEach(function (el) {
      el.hidden = !(kind && kind.value === "enterprise");
    });
    var where = document.getElementById("id_where");
    document.querySelectorAll(".online-only").forEach(function (el) {
      el.hidden = !(where && where.value === "online");
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.name === "reporter_kind" || e.target.id === "id_where") toggle();
  });
  document.addEventListener("click", function (e) {
    var option = e.target.closest("[data-matter-code]");
    if (!option) return;
    document.getElementById("id_matter").value = option.dataset.matterCode;
    document.getElementById("matter-search").value = option.dataset.matterName;
    document.getElementById("matter-chosen").textContent = "已选择：" + option.dataset.matterName;
    document.getElementById("matter-options").innerHTML = "";
  });
  document.addEventListener("input", function (e) {
    if (e.target.id === "matter-search") {
      var hidden = document.getElementById("id_matter");
      if (hidden && hidden.value) { hidden.value = ""; document.getElementById("matter-chosen").textContent = ""; }
    }
  });
  // After a code is sent the button waits 60 s before it can send again.
  document.addEventListener("htmx:afterSwap", function (e) {
    var status = document.getElementById("code-status");
    var button = document.querySelector('[data-testid="send-code"]');
    if (!status || !button || !status.dataset.sent) return;
    var left = 60;
    button.disabled = true;
    var timer = setInterval(function () {
      left -= 1;
      button.textContent = left > 0 ? left + "秒后可重新获取" : "重新获取验证码";
      if (left <= 0) { clearInterval(timer); button.disabled = false; }
    }, 1000);
  });
  var files = document.getElementById("id_files");
  if (files) files.addEventListener("change", function () {
    var max = parseInt(files.dataset.maxFiles || "5", 10);
    files.setCustomValidity(files.files.length > max ? "最多上传" + max + "个文件" : "");
    files.reportValidity();
  });
  // 大字模式 without leaving the page: the cookie is set by the same POST, the page changes in place, so
  // what was typed in the form is kept (without this file the form posts and the page comes back).
  var display = document.querySelector('[data-testid="display-toggle"]');
  if (display && window.fetch && window.FormData) display.form.addEventListener("submit", function (e) {
    e.preventDefault();
    fetch(display.form.action, {method: "POST", body: new FormData(display.form), credentials: "same-origin", redirect: "manual"})
      .then(function () {
        var on = document.documentElement.classList.toggle("large-text");
        display.setAttribute("aria-pressed", on ? "true" : "false");
        display.innerHTML = '<i class="bi bi-fonts" aria-hidden="true"></i> ' + (on ? "标准字号" : "大字模式");
      })
      .catch(function () { display.form.submit(); });
  });
  toggle();
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
