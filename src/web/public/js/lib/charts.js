/**
 * chart.js (loaded as /assets/vendor/chart.umd.js, a global) with the theme's colours. Labels come from
 * logs: chart.js draws them on a canvas as text, so they cannot become markup.
 */
import { onThemeChange } from './theme.js';

const PALETTE = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6', '--c7', '--c8'];

export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function color(i) {
  return cssVar(PALETTE[i % PALETTE.length]);
}

export const SEVERITY_COLORS = {
  CRITICAL: '--sev-critical',
  HIGH: '--sev-high',
  MEDIUM: '--sev-medium',
  LOW: '--sev-low',
};

function themeDefaults() {
  const Chart = window.Chart;
  Chart.defaults.color = cssVar('--muted');
  Chart.defaults.borderColor = cssVar('--grid');
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

/**
 * Makes a chart inside `canvas`; `build()` returns the chart.js config and is called again on a theme
 * change, so colours follow the theme. Returns { chart, destroy }.
 */
export function makeChart(canvas, build) {
  if (!window.Chart) return { chart: undefined, update() {}, destroy() {} };
  themeDefaults();
  let chart = new window.Chart(canvas, build());
  const off = onThemeChange(() => {
    themeDefaults();
    chart.destroy();
    chart = new window.Chart(canvas, build());
  });
  return {
    get chart() {
      return chart;
    },
    update() {
      chart.update();
    },
    destroy() {
      off();
      chart.destroy();
    },
  };
}

/** Labels of time buckets as short local clock times. */
export function timeLabel(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toISOString().slice(5, 16).replace('T', ' ');
}
