/* The workbench's own behaviour, no library: character counts, confirming a send.
   Everything is delegated from the document, so content that htmx swaps in behaves the same. */
(function () {
  "use strict";

  // A field with maxlength names its hint (aria-describedby → .char-count); the hint counts as one types.
  function count(field) {
    var max = field.getAttribute("maxlength");
    var id = field.getAttribute("aria-describedby");
    var hint = max && id ? document.getElementById(id) : null;
    if (!hint || !hint.classList.contains("char-count")) return;
    var used = field.value.length;
    hint.textContent = used ? "已输入" + used + "字（最多" + max + "字）" : "最多" + max + "字";
    hint.classList.toggle("text-danger", used >= Number(max));
  }

  document.addEventListener("input", function (e) {
    var t = e.target;
    if (t.hasAttribute && t.hasAttribute("maxlength")) count(t);
  });

  // <form data-confirm="确认……{unit}……？"> asks before sending, naming the unit chosen in its select.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (!question) return;
    var select = form.querySelector("select");
    var unit = select && select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : "";
    if (!window.confirm(question.replace("{unit}", unit))) e.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[maxlength][aria-describedby]").forEach(count);
  });
})();
