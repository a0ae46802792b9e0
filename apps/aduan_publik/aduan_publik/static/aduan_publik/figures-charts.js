/* Draws the figures' charts with the vendored Chart.js. Without JavaScript (or if Chart.js fails to
   load) the sentence and the open data table stay: nothing depends on this file. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var specs = JSON.parse(source.textContent);
    var colours = ["#1d4ed8", "#16a34a", "#ea580c", "#9333ea"];
    specs.forEach(function (spec) {
      var canvas = document.querySelector('canvas[data-chart="' + spec.key + '"]');
      if (!canvas || !spec.labels.length) { return; }
      var figure = canvas.closest("figure");
      var box = canvas.parentNode;
      box.hidden = false;
      box.style.position = "relative";
      // Horizontal bars need room per label; other charts a fixed, readable height.
      var horizontal = spec.kind === "bar" && spec.labels.length > 6;
      box.style.height = (horizontal ? Math.max(240, spec.labels.length * spec.series.length * 18 + 80) : 288) + "px";
      var table = figure.querySelector("details.chart-table");
      if (table) { table.open = false; }
      new window.Chart(canvas, {
        type: spec.kind,
        data: {
          labels: spec.labels,
          datasets: spec.series.map(function (s, i) {
            return { label: s.label, data: s.values, backgroundColor: colours[i % colours.length],
                     borderColor: colours[i % colours.length] };
          })
        },
        options: { animation: false, responsive: true, maintainAspectRatio: false,
                   indexAxis: horizontal ? "y" : "x" }
      });
      figure.setAttribute("data-drawn", "1");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
