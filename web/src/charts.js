// Chart.js with only the parts the views draw (bars and lines on category/linear axes).
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement,
  PointElement, Legend, Tooltip, Filler);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
Chart.defaults.animation = false;

export const PALETTE = ["#1f5fa8", "#c0392b", "#1e8449", "#d68910", "#7b3fa0", "#138a8a"];

/**
 * A bar or line chart of per-year series into `canvas`; returns the number of bars/points drawn
 * (non-zero values), for the container's data-items.
 */
export function yearChart(canvas, years, series, { type = "bar", stacked = false, onClick } = {}) {
  const chart = new Chart(canvas, {
    type,
    data: {
      labels: years,
      datasets: series.map((s, i) => ({
        type: s.type || type, order: s.type === "bar" ? 2 : 1,
        label: s.label, data: s.values, backgroundColor: s.colour || PALETTE[i % PALETTE.length],
        borderColor: s.colour || PALETTE[i % PALETTE.length], borderWidth: (s.type || type) === "line" ? 2 : 0,
        pointRadius: (s.type || type) === "line" ? 0 : undefined, stepped: (s.type || type) === "line" ? "middle" : false,
        fill: false,
      })),
    },
    options: {
      responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
      scales: { x: { stacked, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
                y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      onClick: onClick ? (evt, elements) => elements.length && onClick(elements[0]) : undefined,
    },
  });
  return { chart, items: series.reduce((n, s) => n + s.values.filter((v) => v > 0).length, 0) };
}
