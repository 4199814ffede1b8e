/**
 * S3 security events: bucket policy, ACL, Block Public Access and encryption changes (those that weaken
 * protection flagged), and data-event volumes by principal or bucket.
 */
import { h, replace } from '../lib/h.js';
import { get } from '../lib/api.js';
import { color, makeChart, timeLabel } from '../lib/charts.js';
import { fmtNumber } from '../lib/format.js';
import { button, card, chartBox, errorBox, loading, pageHeader, wide } from '../lib/ui.js';
import { eventTable, periodSelect, range } from './activity.js';

export async function render(ctx) {
  const { main } = ctx;
  const period = periodSelect('s3-period', 168);
  const group = h(
    'select',
    { id: 's3-group', 'aria-label': 'Group by' },
    h('option', { value: 'bucket' }, 'By bucket'),
    h('option', { value: 'principal' }, 'By principal'),
    h('option', { value: 'operation' }, 'By operation'),
  );
  const volume = chartBox('S3 data events over time');
  const volumeNote = h('p', { class: 'muted' });
  const changes = h('div', { id: 's3-changes' }, loading());
  const volumeCard = wide(card('Data-event volume', group, volume.box, volumeNote));
  const changesCard = wide(card('Bucket security changes', changes));
  replace(
    main,
    pageHeader('S3 security events', period),
    h('div', { class: 'grid' }, changesCard, volumeCard),
  );
  let chart;
  ctx.onLeave(() => chart?.destroy());

  const extra = [
    { label: 'Change', cell: (c) => `${c.category ?? ''} ${c.action ?? ''}`.trim() },
    {
      label: 'Bucket',
      cell: (c) => (c.scope === 'account' ? '(account)' : (c.bucket ?? '—')),
      class: 'mono wrap s3-bucket',
    },
    { label: '', cell: (c) => (c.weakening ? h('span', { class: 'tag bad' }, 'weakens protection') : '') },
  ];
  const loadChanges = async (cursor) => {
    try {
      const page = await get('/api/s3/changes', { ...range(Number(period.value)), limit: 100, cursor });
      if (!cursor) replace(changes);
      changes.querySelector('.more')?.remove();
      changes.append(eventTable(page.changes ?? page.events ?? page.items ?? [], extra));
      if (page.nextCursor) changes.append(button('More', () => loadChanges(page.nextCursor), 'more'));
    } catch (error) {
      replace(changes, errorBox(error));
    }
  };
  const loadVolume = async () => {
    chart?.destroy();
    chart = undefined;
    try {
      const s = await get('/api/s3/data-volume', { group: group.value, ...range(Number(period.value)) });
      const series = s.series ?? [];
      volumeNote.textContent = series.length
        ? series
            .map(
              (x) => `${x.key}: ${fmtNumber(x.total)} calls${x.bytes ? `, ${fmtNumber(x.bytes)} bytes` : ''}`,
            )
            .join(' · ')
        : 'No S3 data events in this period (data events must be enabled on the trail).';
      chart = makeChart(volume.canvas, () => ({
        type: 'bar',
        data: {
          labels: (s.times ?? []).map(timeLabel),
          datasets: series.map((x, i) => ({
            label: x.key,
            data: x.counts,
            backgroundColor: color(i),
            stack: 's3',
          })),
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      }));
    } catch (error) {
      volumeNote.textContent = error.message;
    }
  };
  period.addEventListener('change', () => {
    replace(changes, loading());
    void loadChanges();
    void loadVolume();
  });
  group.addEventListener('change', () => void loadVolume());
  await Promise.all([loadChanges(), loadVolume()]);
}
