/* KPI charts: reads the figures the page embeds (json_script "kpi-chart-data") and draws each
   [data-chart] element with the vendored ECharts. Without JavaScript the tables below carry the same figures. */
(function () {
  "use strict";
  var source = document.getElementById("kpi-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#2f6fb0", "#4fa36b", "#e0a030", "#c0504d", "#8064a2", "#4bacc6", "#9bbb59", "#f79646"];

  function options(kind) {
    if (kind === "monthly") {
      return {
        color: palette, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 40, right: 16, top: 36, bottom: 28 },
        xAxis: { type: "category", data: data.monthly.months },
        yAxis: { type: "value", minInterval: 1 },
        series: data.monthly.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
      };
    }
    if (kind === "ip_types") {
      return {
        color: palette, tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: data.ip_types, label: { formatter: "{b}\n{d}%" } }]
      };
    }
    if (kind === "regions") {
      return {
        color: palette, tooltip: { trigger: "axis" }, grid: { left: 90, right: 16, top: 10, bottom: 20 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: data.regions.names },
        series: [{ type: "bar", data: data.regions.values }]
      };
    }
    if (kind === "children") {
      var c = data.children;
      return {
        color: palette, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 48, right: 48, top: 36, bottom: 80 },
        xAxis: { type: "category", data: c.names, axisLabel: { rotate: 40, interval: 0 } },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100 }],
        series: [
          { name: c.labels.applications, type: "bar", data: c.applications },
          { name: c.labels.on_time, type: "line", yAxisIndex: 1, data: c.on_time }
        ]
      };
    }
    return null;
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var opts = options(element.getAttribute("data-chart"));
    if (!opts) { return; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(opts);
    element.setAttribute("data-chart-ready", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
