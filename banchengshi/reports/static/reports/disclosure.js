/* 信息公开: the quarters chart (counts as bars, rates as lines) from #disclosure-data (json_script: data,
   never run). 大字模式 (html.large-text, switched in place by public.js) redraws it taller with larger type.
   Tooltips are drawn on the canvas (richText): the CSP refuses the style attributes of HTML tooltips. */
(function () {
  "use strict";
  var source = document.getElementById("disclosure-data");
  var box = document.querySelector("[data-chart=quarters]");
  if (!source || !box || typeof echarts === "undefined") return;
  var d = JSON.parse(source.textContent);
  var chart = echarts.init(box, null, { renderer: "canvas" });

  // "2026年第3季度" as "2026\n三季度": four quarters side by side fit a phone's width, in large type too.
  var NUMERALS = { 1: "一", 2: "二", 3: "三", 4: "四" };
  function twoLines(label) {
    var m = /^(\d+)年第(\d)季度$/.exec(String(label));
    return m ? m[1] + "\n" + NUMERALS[m[2]] + "季度" : String(label);
  }

  function option(large) {
    var size = large ? 18 : 13;
    var axis = { fontSize: size };
    return {
      textStyle: { fontSize: size },
      tooltip: { trigger: "axis", renderMode: "richText", confine: true, textStyle: { fontSize: size } },
      legend: { bottom: 0, textStyle: { fontSize: size } },
      grid: { left: 8, right: 8, top: 36, bottom: large ? 90 : 64, containLabel: true },
      xAxis: { type: "category", data: d.labels, axisLabel: { fontSize: large ? 16 : size, interval: 0, lineHeight: large ? 20 : 16, formatter: twoLines } },
      yAxis: [
        { type: "value", name: "件", minInterval: 1, axisLabel: axis, nameTextStyle: axis },
        { type: "value", name: "%", min: 0, max: 100, axisLabel: axis, nameTextStyle: axis }
      ],
      color: ["#0b4ea2", "#5b8fd1", "#198754", "#b35c00", "#6f42c1"],
      series: [
        { name: "登记", type: "bar", data: d.registered },
        { name: "受理", type: "bar", data: d.accepted },
        { name: "办结", type: "bar", data: d.closed },
        { name: "按时办结率", type: "line", yAxisIndex: 1, data: d.on_time, symbolSize: large ? 10 : 6 },
        { name: "满意率", type: "line", yAxisIndex: 1, data: d.satisfied, symbolSize: large ? 10 : 6 }
      ]
    };
  }

  var drawnLarge = null;
  function draw() {
    var large = document.documentElement.classList.contains("large-text");
    if (large === drawnLarge) return;
    drawnLarge = large;
    chart.resize();
    chart.setOption(option(large), true);
    box.setAttribute("data-drawn", "true");
    box.setAttribute("data-large", large ? "true" : "false");
  }
  draw();
  new MutationObserver(draw).observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  window.addEventListener("resize", function () { chart.resize(); });
})();
