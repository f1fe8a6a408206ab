/* 信息公开: the quarters chart (counts as bars, rates as lines) from #disclosure-data (json_script: data,
   never run). Larger type in 大字模式. Tooltips are drawn on the canvas (richText): the CSP refuses the
   style attributes of ECharts' HTML tooltips. */
(function () {
  "use strict";
  var source = document.getElementById("disclosure-data");
  var box = document.querySelector("[data-chart=quarters]");
  if (!source || !box || typeof echarts === "undefined") return;
  var d = JSON.parse(source.textContent);
  var large = document.documentElement.classList.contains("large-text");
  var size = large ? 18 : 13;
  var chart = echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    textStyle: { fontSize: size },
    tooltip: { trigger: "axis", renderMode: "richText", confine: true },
    legend: { bottom: 0, textStyle: { fontSize: size } },
    grid: { left: 8, right: 8, top: 36, bottom: large ? 72 : 56, containLabel: true },
    xAxis: { type: "category", data: d.labels, axisLabel: { fontSize: size, interval: 0 } },
    yAxis: [
      { type: "value", name: "件", minInterval: 1, axisLabel: { fontSize: size }, nameTextStyle: { fontSize: size } },
      { type: "value", name: "%", min: 0, max: 100, axisLabel: { fontSize: size }, nameTextStyle: { fontSize: size } }
    ],
    color: ["#0b4ea2", "#5b8fd1", "#198754", "#b35c00", "#6f42c1"],
    series: [
      { name: "登记", type: "bar", data: d.registered },
      { name: "受理", type: "bar", data: d.accepted },
      { name: "办结", type: "bar", data: d.closed },
      { name: "按时办结率", type: "line", yAxisIndex: 1, data: d.on_time, symbolSize: large ? 10 : 6 },
      { name: "满意率", type: "line", yAxisIndex: 1, data: d.satisfied, symbolSize: large ? 10 : 6 }
    ]
  });
  box.setAttribute("data-drawn", "true");
  window.addEventListener("resize", function () { chart.resize(); });
})();
