// Registers the Chart.js pieces the client uses (tree-shaken build) and the defaults every chart
// shares: no animation (charts redraw many times a second), readable text colour.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

let registered = false;

export function setupCharts(): typeof Chart {
  if (!registered) {
    Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Legend, Tooltip);
    Chart.defaults.animation = false;
    Chart.defaults.color = '#1b1e24';
    Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    registered = true;
  }
  return Chart;
}

export { Chart };
