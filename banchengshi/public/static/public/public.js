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

// ---- Kiosk (the hall's touch terminal, /kiosk/): keypads, pickers, and the reset after idle minutes. ----
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.dataset.kioskReset) return;
  // The on-screen keypads: each types into its own input, within its data-max or the input's maxlength.
  document.addEventListener("click", function (e) {
    var key = e.target.closest("[data-key]");
    var pad = key && key.closest("[data-keypad-for]");
    if (!pad) return;
    var input = document.getElementById(pad.dataset.keypadFor);
    if (!input) return;
    var k = key.dataset.key;
    var value = input.value;
    if (k === "back") value = value.slice(0, -1);
    else if (k === "clear") value = "";
    else value += k;
    var max = parseInt(pad.dataset.max || "0", 10) || input.maxLength;
    if (max > 0) value = value.slice(0, max);
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  // The surname and 先生/女士 pickers write the name; the chosen matter and place are shown.
  function checked(name) {
    var el = document.querySelector('input[name="' + name + '"]:checked');
    return el ? el : null;
  }
  function places() {
    var where = checked("where");
    document.querySelectorAll(".online-only").forEach(function (el) {
      el.hidden = !(where && where.value === "online");
    });
  }
  document.addEventListener("change", function (e) {
    var name = e.target.name;
    if (name === "surname" || name === "title") {
      var surname = checked("surname"), title = checked("title");
      var field = document.getElementById("id_reporter_name");
      if (field && surname) field.value = surname.value + (title ? title.value : "");
    } else if (name === "matter") {
      var status = document.getElementById("matter-chosen");
      if (status) status.textContent = "已选择：" + e.target.dataset.matterName;
    } else if (name === "where") {
      places();
    }
  });
  places();
  // Idle reset: after data-idle-seconds without a touch or a key, clear every field (so the browser keeps
  // nothing of it) and load a fresh /kiosk/ in place of this page.
  var seconds = parseInt(body.dataset.idleSeconds || "120", 10);
  var timer = null;
  function reset() {
    document.querySelectorAll("form").forEach(function (form) {
      form.reset();
      form.querySelectorAll("input, textarea, select").forEach(function (el) {
        if (el.type === "hidden" || el.type === "submit" || el.type === "button") return;
        if (el.type === "checkbox" || el.type === "radio") el.checked = false;
        else if (el.tagName === "SELECT") el.selectedIndex = -1;
        else el.value = "";
      });
    });
    try { window.sessionStorage.clear(); } catch (err) { /* storage may be off */ }
    window.location.replace(body.dataset.kioskReset);
  }
  function arm() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(reset, seconds * 1000);
  }
  ["pointerdown", "touchstart", "keydown", "input", "change", "scroll", "wheel"].forEach(function (type) {
    document.addEventListener(type, arm, { passive: true, capture: true });
  });
  arm();
})();
