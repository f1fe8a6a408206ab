/* 数据看板: draws each [data-chart] box from the JSON in #dashboard-data (json_script: data, never run).
   Clicking a bar, point or slice opens the ledger filtered to the cases behind it. Tooltips are drawn on
   the canvas (renderMode richText): ECharts' HTML tooltips carry style attributes the CSP refuses. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var LIGHT_COLOURS = { red: "#dc3545", yellow: "#ffc107", green: "#198754" };
  var drawn = [];

  function open(params) {
    var url = params.data && params.data.url;
    if (url) window.location.href = url;
  }

  function option(chart) {
    var items = chart.items;
    var tooltip = { renderMode: "richText", confine: true };
    if (chart.type === "pie") {
      return {
        tooltip: Object.assign({ trigger: "item", formatter: "{b}：{c} 件（{d}%）" }, tooltip),
        legend: { type: "scroll", bottom: 0 },
        series: [{
          type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
          label: { formatter: "{b}\n{c} 件" },
          data: items.map(function (i) {
            var d = { name: i.label, value: i.count, url: i.url };
            if (LIGHT_COLOURS[i.key]) d.itemStyle = { color: LIGHT_COLOURS[i.key] };
            return d;
          })
        }]
      };
    }
    if (chart.type === "on_time") {
      return {
        tooltip: Object.assign({ trigger: "axis" }, tooltip),
        legend: { data: ["按时", "超时"], bottom: 0 },
        grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
        xAxis: { type: "category", data: items.map(function (i) { return i.label; }), axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", name: "件" },
        series: [
          { name: "按时", type: "bar", stack: "t", itemStyle: { color: "#198754" },
            data: items.map(function (i) { return { value: i.on_time, url: i.on_time_url }; }) },
          { name: "超时", type: "bar", stack: "t", itemStyle: { color: "#dc3545" },
            data: items.map(function (i) { return { value: i.late, url: i.late_url }; }) }
        ]
      };
    }
    var categories = items.map(function (i) { return i.label; });
    // Bars lie down when there are many or their names are long (a unit, a center, a reason): under an
    // upright bar a long name would be skipped or cut, and the clerk could not tell which bar is which.
    var longest = Math.max.apply(null, categories.map(function (c) { return c.length; }).concat([0]));
    var horizontal = chart.type === "bar" && (items.length > 5 || longest > 5);
    var values = items.map(function (i) { return { value: i.count, url: i.url }; });
    var category = { type: "category", data: categories,
                     axisLabel: { interval: chart.type === "line" ? "auto" : 0, width: 160, overflow: "truncate", rotate: !horizontal && items.length > 6 ? 30 : 0 } };
    var value = { type: "value", name: "件", minInterval: 1 };
    if (horizontal) category.inverse = true;
    return {
      tooltip: Object.assign({ trigger: "axis", formatter: "{b}：{c} 件" }, tooltip),
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      // barMaxWidth: one or two bars would otherwise fill the whole box.
      series: [{ type: chart.type === "line" ? "line" : "bar", data: values, smooth: false, barMaxWidth: 40,
                 label: { show: true, position: horizontal ? "right" : "top" } }]
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var chart = charts[box.getAttribute("data-chart")];
    if (!chart) return;
    var instance = echarts.init(box, null, { renderer: "canvas", locale: "ZH" });
    instance.setOption(option(chart));
    instance.on("click", open);
    box.setAttribute("data-drawn", "true");
    drawn.push(instance);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
