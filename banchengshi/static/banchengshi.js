/* The workbench's own behaviour, no library: character counts, finding an option by typing, confirming a send.
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

  // <input data-filter-select="ID"> narrows the options of select#ID to those whose name, code or keywords
  // (data-search) contain every typed word. Enter takes the first match; ArrowDown moves into the list.
  function options(select) {
    if (!select._all) select._all = Array.prototype.slice.call(select.options);
    return select._all;
  }

  function matches(option, words) {
    if (!option.value) return true; // the empty choice stays
    var text = ((option.getAttribute("data-search") || "") + " " + option.text + " " + option.value).toLowerCase();
    return words.every(function (w) { return text.indexOf(w) !== -1; });
  }

  function filter(input) {
    var select = document.getElementById(input.getAttribute("data-filter-select"));
    if (!select) return;
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var chosen = select.value;
    var shown = options(select).filter(function (o) { return matches(o, words); });
    // Rebuilt rather than hidden: iOS shows hidden options anyway.
    select.replaceChildren.apply(select, shown);
    var found = shown.filter(function (o) { return o.value; });
    if (found.some(function (o) { return o.value === chosen; })) select.value = chosen;
    else if (found.length === 1) choose(select, found[0]);
    else select.value = "";
    select.size = words.length && found.length > 1 ? Math.min(found.length + 1, 8) : 1;
    var status = document.getElementById(input.id + "-found");
    if (status) status.textContent = words.length ? (found.length ? "找到" + found.length + "项" : "没有匹配的事项") : "";
  }

  function choose(select, option) {
    select.value = option.value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("input", function (e) {
    var t = e.target;
    if (t.hasAttribute && t.hasAttribute("maxlength")) count(t);
    if (t.hasAttribute && t.hasAttribute("data-filter-select")) filter(t);
  });

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!t.hasAttribute || !t.hasAttribute("data-filter-select")) return;
    var select = document.getElementById(t.getAttribute("data-filter-select"));
    if (!select) return;
    var first = Array.prototype.find.call(select.options, function (o) { return o.value; });
    if (e.key === "Enter") {
      e.preventDefault(); // never submits the form it sits in
      if (first) choose(select, first);
      select.size = 1;
    } else if (e.key === "ArrowDown" && first) {
      e.preventDefault();
      select.focus();
    }
  });

  // A file input styled in Chinese: the browser's own button says "Choose File".
  document.addEventListener("change", function (e) {
    var shown = e.target.getAttribute && e.target.getAttribute("data-file-name");
    if (!shown) return;
    var names = Array.prototype.map.call(e.target.files || [], function (f) { return f.name; });
    document.getElementById(shown).textContent = names.length ? names.join("、") : "未选择文件";
  });

  document.addEventListener("change", function (e) {
    if (e.target.tagName === "SELECT" && e.target.size > 1 && !e.target.multiple) e.target.size = 1;
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

  // A refused htmx request (403, 429: too many look-ups) answers with a fragment that says why, in Chinese:
  // it is shown where the answer would have gone, not dropped as htmx does with errors by default.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (status === 403 || status === 429) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[maxlength][aria-describedby]").forEach(count);
  });
})();
