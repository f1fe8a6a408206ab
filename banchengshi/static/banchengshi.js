/* The workbench's own behaviour, no library: character counts.
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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[maxlength][aria-describedby]").forEach(count);
  });
})();
