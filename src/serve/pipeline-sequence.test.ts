import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../notify/types.js';
import { createRouter } from '../router/index.js';
import { buildContext } from '../scan/context.js';
import { deliveryOrderKey } from '../sources/index.js';
import { openFindingStore, type FindingStore } from '../store/index.js';
import { openAlertState } from './alert-state.js';
import { createPipeline } from './pipeline.js';

const DEMO = fileURLToPath(new URL('../../demo/cloudtrail/AWSLogs/123456789012/CloudTrail', import.meta.url));
let dir: string;
let store: FindingStore;
let stateDb: Database.Database;

/** The demo's records in delivery order, one batch per file, as the folder source hands them over. */
function demoBatches(): { record: unknown; file: string; index: number }[][] {
  const files = (readdirSync(DEMO, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json.gz'))
    .sort((a, b) =>
      deliveryOrderKey(a) < deliveryOrderKey(b) ? -1 : deliveryOrderKey(a) > deliveryOrderKey(b) ? 1 : 0,
    );
  return files.map((file) => {
    const { Records } = JSON.parse(gunzipSync(readFileSync(join(DEMO, file))).toString('utf8')) as {
      Records: unknown[];
    };
    return Records.map((record, index) => ({ record, file, index }));
  });
}

function pipeline() {
  const ctx = buildContext({ ruleDirs: [], builtin: true, experimental: false, threatIntel: [] });
  const alerts: Alert[] = [];
  const p = createPipeline({
    detections: ctx.detections,
    getField: ctx.getField,
    store,
    router: createRouter([{ name: 'critical', pattern: { detail: { severityLabel: ['CRITICAL'] } } }]),
    targets: new Map([['critical', ['pager']]]),
    outbox: { enqueue: (alert) => (alerts.push(alert), 1) },
    alerts: openAlertState(stateDb),
    realertWindowMs: 24 * 3_600_000,
    onProblem: () => undefined,
  });
  return { p, alerts };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-pipeline-seq-'));
  store = openFindingStore(join(dir, 'vigil.db'));
  stateDb = new Database(join(dir, 'state.db'));
});
afterEach(() => {
  store.close();
  stateDb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serve pipeline: attack sequences', () => {
  it('stores and alerts the demo attack sequence once, growing it as members join; a replay after a restart changes nothing', () => {
    const first = pipeline();
    let sizes: number[] = [];
    for (const batch of demoBatches()) {
      first.p.records(batch);
      const seq = store.list({ detector: 'attack-sequence' });
      expect(seq.length).toBeLessThanOrEqual(1);
      if (seq[0]) sizes.push(seq[0].related!.length);
    }
    const [seq, ...more] = store.list({ detector: 'attack-sequence' });
    expect(more).toEqual([]);
    expect(seq).toMatchObject({ type: 'AttackSequence:S3/CompromisedData', severityLabel: 'CRITICAL' });
    // It grew as the attack went on, and its stored story is the full one.
    sizes = [...new Set(sizes)];
    expect(sizes.length).toBeGreaterThan(1);
    expect(seq!.count).toBe(seq!.related!.length);
    expect(seq!.description.split('\n')).toHaveLength(seq!.related!.length + 1);
    for (const r of seq!.related!) expect(store.get(r.id)?.actor.ip).toBe('203.0.113.77');
    // Alerted (routed to the CRITICAL route) once, as a new finding.
    expect(first.alerts.filter((a) => a.finding.id === seq!.id).map((a) => a.reason)).toEqual(['new']);

    const second = pipeline();
    for (const batch of demoBatches()) second.p.records(batch);
    expect(second.alerts).toEqual([]);
    expect(store.list({ detector: 'attack-sequence' })).toEqual([seq]);
  });
});
