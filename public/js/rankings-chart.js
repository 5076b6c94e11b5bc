// Draws one horizontal bar chart of the DTI value per ranking group from the page's JSON data island.
(function () {
  'use strict';
  var island = document.getElementById('chart-data');
  if (!island || typeof window.Chart === 'undefined') return;
  var groups = JSON.parse(island.textContent || 'null') || [];
  var fmt = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 4, maximumFractionDigits: 4 });
  document.querySelectorAll('canvas[data-chart-index]').forEach(function (canvas) {
    var g = groups[Number(canvas.getAttribute('data-chart-index'))];
    if (!g) return;
    canvas.parentElement.style.height = Math.max(160, g.labels.length * 22 + 60) + 'px';
    new window.Chart(canvas, {
      type: 'bar',
      data: { labels: g.labels, datasets: [{ label: 'Chỉ số DTI', data: g.values, backgroundColor: '#1f5fa8' }] },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { min: 0, max: 1, ticks: { callback: function (v) { return fmt.format(v); } } } },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (c) { return 'DTI: ' + fmt.format(c.parsed.x); } } },
        },
      },
    });
  });
})();
