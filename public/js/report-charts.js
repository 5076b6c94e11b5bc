// Draws the report's charts in the browser from the ChartSpec JSON each <canvas data-chart> carries (the same
// description the server renders to PNG for the workbook and the single-file report; reports/charts.ts).
(function () {
  'use strict';
  if (typeof window.Chart === 'undefined') return;
  var colours = ['#1f4e79', '#c55a11', '#548235', '#7f6000', '#7030a0', '#2e75b6'];
  var fmt = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 0, maximumFractionDigits: 4 });
  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var spec;
    try {
      spec = JSON.parse(canvas.getAttribute('data-chart') || 'null');
    } catch (_e) {
      return;
    }
    if (!spec) return;
    var ranking = spec.kind === 'ranking';
    var height = ranking ? Math.max(240, 90 + 18 * spec.labels.length) : 380;
    canvas.parentElement.style.height = height + 'px';
    var scale = { min: 0, max: 1, ticks: { callback: function (v) { return fmt.format(v); } } };
    new window.Chart(canvas, {
      type: spec.kind === 'trend' ? 'line' : 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          return {
            label: s.label,
            data: s.data,
            backgroundColor: colours[i % colours.length],
            borderColor: colours[i % colours.length],
            borderWidth: spec.kind === 'trend' ? 2 : 0,
            spanGaps: true,
          };
        }),
      },
      options: {
        indexAxis: ranking ? 'y' : 'x',
        maintainAspectRatio: false,
        animation: false,
        scales: ranking ? { x: scale } : { y: scale },
        plugins: {
          title: { display: true, text: spec.title },
          legend: { display: spec.series.length > 1, position: 'bottom' },
        },
      },
    });
  });
})();
