/**
 * Pipeline health (the counterpart of the reference setup's Lambda metrics): ingest rate and lag per
 * source, detection time and errors per detection, deliveries and failures per channel, end-to-end
 * latency percentiles; refreshed every 10 seconds.
 */
import { h, replace } from '../lib/h.js';
import { get } from '../lib/api.js';
import { color, makeChart, timeLabel } from '../lib/charts.js';
import { fmtMs, fmtNumber } from '../lib/format.js';
import { card, chartBox, empty, errorBox, loading, pageHeader, table, tiles } from '../lib/ui.js';

export async function render(ctx) {
  const { main } = ctx;
  const body = h('div', { class: 'grid' }, loading());
  replace(main, pageHeader('Pipeline health'), body);
  let charts = [];
  const destroy = () => {
    for (const c of charts) c.destroy();
    charts = [];
  };
  ctx.onLeave(destroy);
  const load = async () => {
    let s;
    try {
      s = await get('/api/health/pipeline', { minutes: 60 });
    } catch (error) {
      replace(body, errorBox(error));
      return;
    }
    destroy();
    const now = s.now;
    const ingest = chartBox('Records ingested per minute');
    const latency = chartBox('End-to-end latency per minute');
    replace(
      body,
      card(
        `Last ${now.minutes} minutes`,
        tiles([
          {
            label: 'Records/s',
            value: fmtNumber(now.sources.reduce((a, x) => a + x.ratePerSecond, 0).toFixed(1)),
          },
          { label: 'Detection p95', value: fmtMs(now.detection.p95Ms) },
          { label: 'End-to-end p50', value: fmtMs(now.endToEnd.p50Ms) },
          { label: 'End-to-end p95', value: fmtMs(now.endToEnd.p95Ms) },
          { label: 'End-to-end p99', value: fmtMs(now.endToEnd.p99Ms) },
        ]),
      ),
      card(
        'Sources',
        table(
          [
            { label: 'Source', cell: (x) => x.source, class: 'mono' },
            { label: 'Records', cell: (x) => fmtNumber(x.records), class: 'num' },
            { label: 'Rate /s', cell: (x) => x.ratePerSecond.toFixed(2), class: 'num' },
            { label: 'Lag', cell: (x) => fmtMs(x.lagMs), class: 'num' },
          ],
          now.sources,
          { empty: 'No source has delivered records recently.' },
        ),
      ),
      card('Ingest', s.series.length ? ingest.box : empty('No data yet.')),
      card('Latency', s.series.length ? latency.box : empty('No data yet.')),
      card(
        'Deliveries by channel',
        table(
          [
            { label: 'Channel', cell: (c) => c.channel, class: 'mono' },
            { label: 'Delivered', cell: (c) => fmtNumber(c.delivered), class: 'num' },
            { label: 'Retried', cell: (c) => fmtNumber(c.retried), class: 'num' },
            {
              label: 'Dead',
              cell: (c) => h('span', { class: c.dead ? 'bad' : '' }, fmtNumber(c.dead)),
              class: 'num',
            },
          ],
          now.channels,
          { empty: 'No deliveries recently.' },
        ),
      ),
      card(
        'Errors by detection',
        table(
          [
            { label: 'Detection', cell: (d) => d.detectionId, class: 'mono' },
            { label: 'Errors', cell: (d) => fmtNumber(d.errors), class: 'num' },
          ],
          now.errorsByDetection,
          { empty: 'No detection errors.' },
        ),
      ),
    );
    if (!s.series.length) return;
    const labels = s.series.map((p) => timeLabel(p.start));
    charts.push(
      makeChart(ingest.canvas, () => ({
        type: 'line',
        data: {
          labels,
          datasets: [
            {
              label: 'Records',
              data: s.series.map((p) => p.ingested),
              borderColor: color(0),
              pointRadius: 0,
            },
          ],
        },
        options: { scales: { y: { beginAtZero: true } } },
      })),
      makeChart(latency.canvas, () => ({
        type: 'line',
        data: {
          labels,
          datasets: [
            {
              label: 'p50 ms',
              data: s.series.map((p) => p.endToEnd.p50Ms ?? null),
              borderColor: color(1),
              pointRadius: 0,
            },
            {
              label: 'p95 ms',
              data: s.series.map((p) => p.endToEnd.p95Ms ?? null),
              borderColor: color(2),
              pointRadius: 0,
            },
            {
              label: 'Detection p95 ms',
              data: s.series.map((p) => p.detection.p95Ms ?? null),
              borderColor: color(4),
              pointRadius: 0,
            },
          ],
        },
        options: { scales: { y: { beginAtZero: true } } },
      })),
    );
  };
  const timer = setInterval(load, 10_000);
  ctx.onLeave(() => clearInterval(timer));
  await load();
}
