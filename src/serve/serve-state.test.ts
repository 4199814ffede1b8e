import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { cloudTrailRecord, type RecordOptions } from '../detect/test-records.js';
import { until } from '../testing/until.js';
import { startServe, type RunningServe } from './serve.js';

const ACCOUNT = '123456789012';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-serve-state-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string) {
  return parseConfig(
    JSON.stringify({
      server: { port: 0, ingestToken: { env: 'TEST_INGEST_TOKEN' } },
      store: { sqlite: join(dir, name, 'vigil.db') },
      sources: [{ id: 'trail', kind: 'folder', path: join(dir, name, 'logs'), pollSeconds: 0.05 }],
    }),
    'test.yaml',
    {},
  );
}

const deps = { env: { TEST_INGEST_TOKEN: 't' }, fetch: globalThis.fetch, log: () => undefined };

/** A failed console sign-in from one address (console-login-failures-burst: 8 within 10 minutes). */
const failedLogin = (id: string, at: number) => ({
  ...cloudTrailRecord({
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    ip: '45.155.205.233',
    at,
    id,
  }),
  eventType: 'AwsConsoleSignIn',
  responseElements: { ConsoleLogin: 'Failure' },
});

/** iam-new-admin-user-with-keys: CreateUser, then an admin policy, then an access key for that user. */
const iam = (id: string, eventName: string, at: number, extra: Record<string, unknown> = {}) =>
  cloudTrailRecord({
    eventName,
    at,
    id,
    requestParameters: { userName: 'backup-admin', ...extra },
  } as RecordOptions);

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

/** The findings of one detector, with how many distinct events each holds. */
function findings(name: string, detector: string): { count: number; events: number }[] {
  const db = new Database(join(dir, name, 'vigil.db'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT f.count AS count, (SELECT count(*) FROM finding_events e WHERE e.finding_id = f.id) AS events
         FROM findings f WHERE detector = ?`,
      )
      .all(detector) as { count: number; events: number }[];
  } finally {
    db.close();
  }
}

describe('vigil serve keeps stateful detection state across a restart', () => {
  it('a brute-force window started before the restart fires once after it', async () => {
    const first = await startServe(config('burst'), deps);
    try {
      dropFile(
        'burst',
        '20261120T1000Z_a',
        [0, 1, 2, 3, 4].map((i) => failedLogin(`f-${i}`, i)),
      );
      await ingested(first, 5);
    } finally {
      await first.stop();
    }
    expect(findings('burst', 'console-login-failures-burst')).toEqual([]);

    const second = await startServe(config('burst'), deps);
    try {
      dropFile(
        'burst',
        '20261120T1005Z_b',
        [5, 6, 7].map((i) => failedLogin(`f-${i}`, i)),
      );
      await ingested(second, 3);
      // More failures in the same window: the window has fired and stays quiet.
      dropFile(
        'burst',
        '20261120T1008Z_c',
        [8, 9].map((i) => failedLogin(`f-${i}`, i)),
      );
      await ingested(second, 5);
    } finally {
      await second.stop();
    }
    // One finding, and it holds all eight events: the five from before the restart counted once each.
    expect(findings('burst', 'console-login-failures-burst')).toEqual([{ count: 8, events: 8 }]);
  });

  it('a sequence begun before the restart completes after it, through HTTP ingest', async () => {
    const first = await startServe(config('sequence'), deps);
    try {
      dropFile('sequence', '20261120T1000Z_a', [
        iam('s-1', 'CreateUser', 0),
        iam('s-2', 'AttachUserPolicy', 1, { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      ]);
      await ingested(first, 2);
    } finally {
      await first.stop();
    }

    const second = await startServe(config('sequence'), deps);
    try {
      const res = await fetch(`${second.url}/ingest/cloudtrail`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
        body: JSON.stringify([iam('s-3', 'CreateAccessKey', 2)]),
      });
      expect(res.status).toBe(200);
    } finally {
      await second.stop();
    }
    expect(findings('sequence', 'iam-new-admin-user-with-keys')).toEqual([{ count: 3, events: 3 }]);
  });
});
