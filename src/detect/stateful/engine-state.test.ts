import { describe, it, expect } from 'vitest';
import { normalizeCloudTrail } from '../../sources/cloudtrail/normalize.js';
import { createEngine } from '../engine.js';
import { createFieldGetter } from '../fields/index.js';
import { cloudTrailRecord, type RecordOptions } from '../test-records.js';
import type { Aggregate, Detection } from '../types.js';
import type { StateRow } from './engine-state.js';

const getField = createFieldGetter();
const ev = (o: RecordOptions) => normalizeCloudTrail(cloudTrailRecord(o));
const MIN = 60_000;

function stateful(id: string, block: Record<string, unknown>, aggregate: Aggregate): Detection {
  return {
    id,
    title: id,
    type: 'Test:IAMUser/Example',
    severity: 5,
    maturity: 'stable',
    source: 'cloudtrail',
    description: '{{aggregate.values}}',
    mitre: { tactics: [], techniques: [] },
    detection: block,
    aggregate,
    dedupKey: ['vigil.accountId', 'vigil.principal'],
    resources: [],
    remediation: 'r',
    references: [],
    falsepositives: ['f'],
    tests: [],
    origin: 'builtin',
    file: `${id}.yml`,
  };
}

const burst = (threshold = 3) =>
  stateful(
    'burst',
    { selection: { eventName: 'GetUser' }, condition: 'selection' },
    { kind: 'count', groupBy: ['vigil.principal'], window: 60 * MIN, threshold },
  );
const chain = () =>
  stateful(
    'chain',
    { a: { eventName: 'ListUsers' }, b: { eventName: 'AttachUserPolicy' }, condition: 'a or b' },
    { kind: 'sequence', groupBy: ['vigil.principal'], window: 60 * MIN, steps: ['a', 'b'] },
  );
const newRegion = () =>
  stateful(
    'new-region',
    { selection: { eventName: 'RunInstances' }, condition: 'selection' },
    { kind: 'first-seen', key: ['vigil.region'], scope: ['vigil.accountId'], learning: 30 * MIN },
  );

/** Rows as the database gives them back: JSON values, removed entries gone. */
function saved(rows: StateRow[]): StateRow[] {
  const live = new Map<string, StateRow>();
  for (const r of rows) {
    const k = `${r.owner}\u0000${r.key}`;
    if (r.value === undefined) live.delete(k);
    else live.set(k, JSON.parse(JSON.stringify(r)) as StateRow);
  }
  return [...live.values()];
}

describe('engine state across a restart', () => {
  it('windows, sequences, first-seen keys and clocks carry over to a new engine', () => {
    const detections = [burst(), chain(), newRegion()];
    const first = createEngine(detections, { getField, trackState: true });
    const n = (e: ReturnType<typeof ev>, engine = first) => engine.process(e).length;
    expect(n(ev({ eventName: 'DescribeInstances', eventSource: 'ec2.amazonaws.com', at: 0 }))).toBe(0);
    expect(n(ev({ eventName: 'RunInstances', eventSource: 'ec2.amazonaws.com', at: 1 }))).toBe(0);
    expect(n(ev({ eventName: 'GetUser', at: 2 }))).toBe(0);
    expect(n(ev({ eventName: 'GetUser', at: 3 }))).toBe(0);
    expect(n(ev({ eventName: 'ListUsers', at: 4 }))).toBe(0);
    const rows = saved(first.state.takeChanges());
    expect(new Set(rows.map((r) => r.owner))).toEqual(
      new Set(['clock:["vigil.accountId"]', 'detection:burst', 'detection:chain', 'detection:new-region']),
    );

    const second = createEngine(detections, { getField, trackState: true });
    second.state.importAll(rows);
    expect(n(ev({ eventName: 'GetUser', at: 5 }), second)).toBe(1);
    // Same second as the ListUsers above: the restored step still comes first.
    expect(n(ev({ eventName: 'AttachUserPolicy', at: 4 }), second)).toBe(1);
    // us-east-1 was learned before the restart; the clock says the account is old enough.
    expect(n(ev({ eventName: 'RunInstances', eventSource: 'ec2.amazonaws.com', at: 40 }), second)).toBe(0);
    const fresh = ev({
      eventName: 'RunInstances',
      eventSource: 'ec2.amazonaws.com',
      region: 'eu-west-1',
      at: 41,
    });
    expect(n(fresh, second)).toBe(1);
  });

  it('drops the state of a detection whose definition changed, and of one that is gone', () => {
    const first = createEngine([burst(3), chain()], { getField, trackState: true });
    first.process(ev({ eventName: 'GetUser', at: 0 }));
    first.process(ev({ eventName: 'GetUser', at: 1 }));
    first.process(ev({ eventName: 'ListUsers', at: 1 }));
    const rows = saved(first.state.takeChanges());

    const changed = createEngine([burst(4)], { getField, trackState: true });
    expect(changed.state.owners.get('detection:burst')).not.toBe(first.state.owners.get('detection:burst'));
    changed.state.importAll(rows);
    expect(changed.state.exportAll()).toEqual([]);
    expect(changed.process(ev({ eventName: 'GetUser', at: 2 }))).toHaveLength(0);

    const same = createEngine([burst(3)], { getField });
    same.state.importAll(rows);
    expect(same.process(ev({ eventName: 'GetUser', at: 2 }))).toHaveLength(1);
  });

  it('importing again replaces the state: changes since the last save are forgotten', () => {
    const engine = createEngine([burst()], { getField, trackState: true });
    engine.process(ev({ eventName: 'GetUser', at: 0 }));
    const rows = saved(engine.state.takeChanges());
    engine.process(ev({ eventName: 'GetUser', at: 1 })); // a batch that failed before its commit
    engine.state.importAll(rows);
    expect(engine.state.takeChanges()).toEqual([]);
    expect(engine.process(ev({ eventName: 'GetUser', at: 1 }))).toHaveLength(0);
    expect(engine.process(ev({ eventName: 'GetUser', at: 2 }))).toHaveLength(1);
  });
});
