/**
 * Automated response statistics: actions run, succeeded, failed, waiting for approval, and time to
 * respond. Until automated responses exist, the API answers zeros and the page says so plainly.
 */
import { h, replace } from '../lib/h.js';
import { get } from '../lib/api.js';
import { color, makeChart, timeLabel } from '../lib/charts.js';
import { fmtMs, fmtNumber } from '../lib/format.js';
import { card, chartBox, empty, errorBox, loading, pageHeader, table, tiles } from '../lib/ui.js';

export async function render(ctx) {
  const { main } = ctx;
  const hours = h(
    'select',
    { id: 'responses-hours', 'aria-label': 'Period' },
    [24, 168, 720].map((n) =>
      h('option', { value: String(n) }, n === 24 ? 'Last 24 hours' : `Last ${n / 24} days`),
    ),
  );
  const body = h('div', { class: 'grid' }, loading());
  replace(main, pageHeader('Automated responses', hours), body);
  let chart;
  ctx.onLeave(() => chart?.destroy());
  const load = async () => {
    let s;
    try {
      s = await get('/api/responses/stats', { hours: hours.value });
    } catch (error) {
      replace(body, errorBox(error));
      return;
    }
    chart?.destroy();
    chart = undefined;
    const nothing = s.run === 0 && s.awaitingApproval === 0 && !s.byAction?.length;
    const { box, canvas } = chartBox('Response actions over time');
    replace(
      body,
      card(
        'Actions',
        tiles([
          { label: 'Run', value: fmtNumber(s.run) },
          { label: 'Succeeded', value: fmtNumber(s.succeeded), class: 'ok' },
          { label: 'Failed', value: fmtNumber(s.failed), class: s.failed ? 'bad' : '' },
          {
            label: 'Awaiting approval',
            value: fmtNumber(s.awaitingApproval),
            class: s.awaitingApproval ? 'warn' : '',
          },
        ]),
        nothing
          ? h(
              'p',
              { class: 'empty', id: 'responses-empty' },
              'No automated response actions have run in this period. Responses appear here once response playbooks are configured and triggered by findings.',
            )
          : null,
      ),
      card(
        'Time to respond',
        s.timeToRespond?.count
          ? tiles([
              { label: 'p50', value: fmtMs(s.timeToRespond.p50Ms) },
              { label: 'p95', value: fmtMs(s.timeToRespond.p95Ms) },
              { label: 'p99', value: fmtMs(s.timeToRespond.p99Ms) },
              { label: 'max', value: fmtMs(s.timeToRespond.maxMs) },
            ])
          : empty('No completed responses to measure yet.'),
      ),
      card('Over time', s.series?.length ? box : empty('No actions in this period.')),
      card(
        'By action',
        table(
          [
            { label: 'Action', cell: (a) => a.action, class: 'mono' },
            { label: 'Run', cell: (a) => fmtNumber(a.run), class: 'num' },
            { label: 'Succeeded', cell: (a) => fmtNumber(a.succeeded), class: 'num' },
            { label: 'Failed', cell: (a) => fmtNumber(a.failed), class: 'num' },
            { label: 'Awaiting approval', cell: (a) => fmtNumber(a.awaitingApproval), class: 'num' },
          ],
          s.byAction ?? [],
          { empty: 'No actions yet.' },
        ),
      ),
    );
    if (s.series?.length) {
      chart = makeChart(canvas, () => ({
        type: 'bar',
        data: {
          labels: s.series.map((p) => timeLabel(p.start)),
          datasets: [
            {
              label: 'Succeeded',
              data: s.series.map((p) => p.succeeded),
              backgroundColor: color(1),
              stack: 'r',
            },
            { label: 'Failed', data: s.series.map((p) => p.failed), backgroundColor: color(3), stack: 'r' },
          ],
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      }));
    }
  };
  hours.addEventListener('change', load);
  await load();
}
