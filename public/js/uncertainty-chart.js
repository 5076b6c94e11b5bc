// Draws, per ranking group, each agency's rank interval (5th–95th percentile) as a floating bar with its rank as a
// point, from the page's JSON data island. Rank 1 is at the top.
(function () {
  'use strict';
  var island = document.getElementById('chart-data');
  if (!island || typeof window.Chart === 'undefined') return;
  var groups = JSON.parse(island.textContent || 'null') || [];
  document.querySelectorAll('canvas[data-chart-index]').forEach(function (canvas) {
    var g = groups[Number(canvas.getAttribute('data-chart-index'))];
    if (!g) return;
    canvas.parentElement.style.height = Math.max(160, g.labels.length * 22 + 60) + 'px';
    new window.Chart(canvas, {
      data: {
        labels: g.labels,
        datasets: [
          { type: 'bar', label: 'Khoảng xếp hạng (5 %–95 %)', data: g.intervals, backgroundColor: 'rgba(31, 95, 168, 0.35)', borderColor: '#1f5fa8', borderWidth: 1 },
          { type: 'line', label: 'Hạng', data: g.ranks, showLine: false, pointRadius: 4, pointBackgroundColor: '#b3261e', borderColor: '#b3261e' },
        ],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { min: 0.5, max: g.size + 0.5, reverse: false, ticks: { stepSize: 1, precision: 0 }, title: { display: true, text: 'Hạng' } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (c) {
                if (c.dataset.type === 'line') return 'Hạng: ' + c.parsed.x;
                var v = c.raw;
                return v ? 'Khoảng: ' + v[0] + '–' + v[1] : '';
              },
            },
          },
        },
      },
    });
  });
})();
