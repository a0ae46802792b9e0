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
      canvas.parentNode.hidden = false;
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
                   indexAxis: spec.kind === "bar" && spec.labels.length > 6 ? "y" : "x" }
      });
      figure.setAttribute("data-drawn", "1");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
