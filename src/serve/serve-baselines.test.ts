import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { DAY, T0, callRecord, officeRecords, rng } from '../baseline/test-support.js';
import { until } from '../testing/until.js';
import { startServe, type RunningServe } from './serve.js';

const ACCOUNT = '111122223333';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-serve-baselines-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, baselines: Record<string, unknown> = {}) {
  return parseConfig(
    JSON.stringify({
      server: { port: 0, dashboard: false },
      store: { sqlite: join(dir, name, 'vigil.db'), events: { enabled: false } },
      detections: { baselines },
      sources: [{ id: 'trail', kind: 'folder', path: join(dir, name, 'logs'), pollSeconds: 0.05 }],
    }),
    'test.yaml',
    {},
  );
}

const deps = { env: {}, fetch: globalThis.fetch, log: () => undefined };

async function ingested(serve: RunningServe, n: number): Promise<void> {
  let text = '';
  await until(
    () =>
      new RegExp(`vigil_records_ingested_total\\{source="trail"\\} ${n}\\b`).test(text) ||
      (void fetch(`${serve.url}/metrics`).then(async (r) => (text = await r.text())), false),
    `${n} records ingested`,
  );
}

function dropFile(name: string, file: string, records: unknown[]): void {
  mkdirSync(join(dir, name, 'logs'), { recursive: true });
  writeFileSync(
    join(dir, name, 'logs', `${ACCOUNT}_CloudTrail_us-east-1_${file}.json`),
    JSON.stringify({ Records: records }),
  );
}

function anomalies(name: string): { type: string; description: string }[] {
  const db = new Database(join(dir, name, 'vigil.db'), { readonly: true });
  try {
    return (
      db.prepare('SELECT j.json FROM findings f JOIN finding_json j ON j.n = f.n').all() as { json: string }[]
    )
      .map((r) => JSON.parse(r.json) as { type: string; description: string })
      .filter((f) => f.type.endsWith('/AnomalousBehavior'));
  } finally {
    db.close();
  }
}

/** Alice deletes a KMS key, with a tool she never used, the day after two weeks of routine work. */
const attack = () =>
  [0, 1, 2].map((i) =>
    callRecord(T0 + 15 * DAY + 10 * 3_600_000 + i * 60_000, {
      eventSource: 'kms.amazonaws.com',
      eventName: 'ScheduleKeyDeletion',
      ua: 'python-requests/2.31.0',
      readOnly: false,
    }),
  );

/** Learns two weeks of history in one run, stops it, then replays the attack in a second run. */
async function learnRestartAttack(name: string, baselines?: Record<string, unknown>): Promise<void> {
  const random = rng(3);
  const history = ['alice', 'bob', 'carol']
    .flatMap((u) => officeRecords(u, T0, 14, random))
    .sort((a, b) => (a.eventTime as string).localeCompare(b.eventTime as string));
  const first = await startServe(config(name, baselines), deps);
  try {
    dropFile(name, '20240317T2355Z_history', history);
    await ingested(first, history.length);
  } finally {
    await first.stop();
  }
  expect(anomalies(name)).toEqual([]);
  const second = await startServe(config(name, baselines), deps);
  try {
    dropFile(name, '20240319T1005Z_attack', attack());
    await ingested(second, 3);
  } finally {
    await second.stop();
  }
}

describe('vigil serve keeps behavioural baselines across a restart', () => {
  it('an anomaly after the restart is judged against the history learned before it', async () => {
    await learnRestartAttack('kept');
    const found = anomalies('kept');
    expect(found.map((f) => f.type)).toEqual(['Impact:IAMUser/AnomalousBehavior']);
    // Only the restored history can say this: the second run saw three events of alice's.
    expect(found[0]!.description).toMatch(
      /kms:ScheduleKeyDeletion never seen for this principal in \d{3} events over 1[45] days/,
    );
  });

  it('with baselines off, the same records raise nothing', async () => {
    await learnRestartAttack('off', { enabled: false });
    expect(anomalies('off')).toEqual([]);
  });
});
