import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../notify/types.js';
import { createRouter } from '../router/index.js';
import { buildContext } from '../scan/context.js';
import { openFindingStore, type FindingStore } from '../store/index.js';
import { openAlertState } from './alert-state.js';
import { createPipeline } from './pipeline.js';

const ACCOUNT = '123456789012';
const HOUR = 3_600_000;
let dir: string;
let store: FindingStore;
let stateDb: Database.Database;

function stopLogging(id: string, time: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEMALLORY01',
      userName: 'mallory',
    },
    eventTime: time,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.77',
    userAgent: 'aws-cli/2.15.30',
    requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
    responseElements: null,
    eventID: id,
    readOnly: false,
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
    ...extra,
  };
}

function pipeline() {
  const ctx = buildContext({ ruleDirs: [], builtin: true, experimental: false, threatIntel: [] });
  const alerts: Alert[] = [];
  const p = createPipeline({
    detections: ctx.detections,
    getField: ctx.getField,
    store,
    router: createRouter([{ name: 'all', pattern: { source: ['vigil'] } }]),
    targets: new Map([['all', ['sink']]]),
    outbox: { enqueue: (alert) => (alerts.push(alert), 1) },
    alerts: openAlertState(stateDb),
    realertWindowMs: 24 * HOUR,
    onProblem: () => undefined,
  });
  const feed = (...records: unknown[]) =>
    p.records(records.map((record, index) => ({ record, file: 't', index })));
  return { feed, alerts };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-pipeline-'));
  store = openFindingStore(join(dir, 'vigil.db'));
  stateDb = new Database(join(dir, 'state.db'));
});
afterEach(() => {
  store.close();
  stateDb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serve pipeline alerting', () => {
  it('alerts once for a finding, again only after the re-alert window, and survives a restart', () => {
    const first = pipeline();
    first.feed(stopLogging('e1', '2026-11-20T10:00:00Z'), stopLogging('e2', '2026-11-20T12:00:00Z'));
    expect(first.alerts.map((a) => a.reason)).toEqual(['new']);

    // A restart (fresh in-memory state, same databases): the same finding within the window is quiet.
    const second = pipeline();
    second.feed(stopLogging('e1', '2026-11-20T10:00:00Z'), stopLogging('e3', '2026-11-20T20:00:00Z'));
    expect(second.alerts).toEqual([]);

    // After the window it alerts again, as a new occurrence with its own event id.
    second.feed(stopLogging('e4', '2026-11-21T11:00:00Z'));
    expect(second.alerts.map((a) => a.reason)).toEqual(['new']);
    expect(second.alerts[0]!.event.id).not.toBe(first.alerts[0]!.event.id);
    expect(store.list().find((f) => f.detector === 'cloudtrail-logging-stopped')?.count).toBe(4);
  });

  it('alerts when a finding from AWS comes back with a higher severity', () => {
    const { alerts } = pipeline();
    const p = createPipeline({
      detections: [],
      getField: buildContext({ ruleDirs: [], builtin: false, experimental: false, threatIntel: [] }).getField,
      store,
      router: createRouter([{ name: 'all', pattern: { source: ['vigil'] } }]),
      targets: new Map([['all', ['sink']]]),
      outbox: { enqueue: (alert) => (alerts.push(alert), 1) },
      alerts: openAlertState(stateDb),
      realertWindowMs: 24 * HOUR,
      onProblem: () => undefined,
    });
    const base = {
      id: 'a'.repeat(32),
      type: 'Recon:IAMUser/MaliciousIPCaller.Custom',
      detector: 'guardduty',
      title: 't',
      description: 'd',
      severity: 5,
      severityLabel: 'MEDIUM' as const,
      status: 'NEW' as const,
      accountId: ACCOUNT,
      region: 'us-east-1',
      firstSeen: '2026-11-20T10:00:00Z',
      lastSeen: '2026-11-20T10:00:00Z',
      count: 1,
      actor: {},
      resources: [],
      evidence: { eventIds: ['gd-1'], eventNames: [] },
      mitre: { tactics: [], techniques: [] },
      remediation: 'r',
      references: [],
    };
    p.findings([base]);
    // GuardDuty updates the same finding (same id) with its own running count.
    p.findings([
      {
        ...base,
        lastSeen: '2026-11-20T11:00:00Z',
        count: 4,
        evidence: { eventIds: ['gd-1'], eventNames: [] },
      },
    ]);
    expect(store.get(base.id)).toMatchObject({ count: 4, lastSeen: '2026-11-20T11:00:00Z' });
    // A replayed older update lowers nothing.
    p.findings([{ ...base, count: 2 }]);
    expect(store.get(base.id)!.count).toBe(4);
    p.findings([{ ...base, severity: 8, severityLabel: 'HIGH', lastSeen: '2026-11-20T12:00:00Z', count: 9 }]);
    expect(alerts.map((a) => a.reason)).toEqual(['new', 'severity-raised']);
    expect(store.get(base.id)).toMatchObject({ count: 9, severityLabel: 'HIGH' });
  });
});
