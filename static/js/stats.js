// Dashboard charts: the page embeds its figures as JSON (#stats-data); each chart also has a
// table under "As a table", so nothing depends on this script to be read.
(function () {
  "use strict";
  const source = document.getElementById("stats-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels;
  const draw = function (id, config) {
    const canvas = document.getElementById(id);
    if (canvas) window.clubinCharts[id] = new Chart(canvas, config);
  };
  window.clubinCharts = {};
  // Each canvas fills its .chart-box, whose height the stylesheet sets: on a phone a chart keeps
  // a readable height instead of shrinking with the width under its legend.
  const narrow = window.matchMedia("(max-width: 600px)").matches;
  const legend = {
    position: "bottom",
    labels: { boxWidth: 12, font: { size: narrow ? 11 : 12 } },
  };
  const base = { responsive: true, maintainAspectRatio: false, plugins: { legend: legend } };
  draw("chart-members", {
    type: "line",
    data: {
      labels: data.months,
      datasets: Object.entries(data.members).map(function ([name, points]) {
        return { label: name, data: points, tension: 0.2 };
      }),
    },
    options: Object.assign({}, base, { scales: { y: { beginAtZero: true } } }),
  });
  draw("chart-applications", {
    type: "bar",
    data: {
      labels: data.months,
      datasets: [
        { label: labels.applications, data: data.applications },
        { label: labels.approved, data: data.approved },
        { label: labels.rejected, data: data.rejected },
      ],
    },
    options: Object.assign({}, base, { scales: { y: { beginAtZero: true } } }),
  });
  draw("chart-funnel", {
    type: "bar",
    data: {
      labels: labels.funnel,
      datasets: [{ label: "", data: data.funnel.values }],
    },
    options: Object.assign({}, base, { indexAxis: "y", plugins: { legend: { display: false } } }),
  });
})();
