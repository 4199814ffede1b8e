import {
  AttachUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../audit/log.js';
import { parseConfig } from '../config/load.js';
import { testClients } from '../respond/testing.js';
import { until } from '../testing/until.js';
import { startServe } from './serve.js';
import { login, TEST_ADMIN_PASSWORD } from '../testing/api-client.js';

const ACCOUNT = '123456789012';
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const iam = mockClient(IAMClient);
let dir: string;
const state = { keyStatus: 'Active' as 'Active' | 'Inactive', attached: [] as string[] };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-serve-respond-'));
  mkdirSync(join(dir, 'logs'));
  iam.on(ListAccessKeysCommand).callsFake(async () => ({
    AccessKeyMetadata: [{ AccessKeyId: KEY, Status: state.keyStatus, UserName: 'mallory' }],
  }));
  iam.on(UpdateAccessKeyCommand).callsFake(async (input: { Status: 'Active' | 'Inactive' }) => {
    state.keyStatus = input.Status;
    return { $metadata: { requestId: 'req-1' } };
  });
  iam.on(ListUserTagsCommand).resolves({ Tags: [] });
  iam.on(ListAttachedUserPoliciesCommand).callsFake(async () => ({
    AttachedPolicies: state.attached.map((PolicyArn) => ({ PolicyArn })),
  }));
  iam.on(AttachUserPolicyCommand).callsFake(async (input: { PolicyArn: string }) => {
    state.attached.push(input.PolicyArn);
    return {};
  });
});
afterAll(() => {
  iam.restore();
  rmSync(dir, { recursive: true, force: true });
});

function trailFile(name: string, eventId: string, minute: number): void {
  writeFileSync(
    join(
      dir,
      'logs',
      `${ACCOUNT}_CloudTrail_us-east-1_20261120T10${String(minute).padStart(2, '0')}Z_${name}.json`,
    ),
    JSON.stringify({
      Records: [
        {
          eventVersion: '1.09',
          userIdentity: {
            type: 'IAMUser',
            principalId: 'AIDAEXAMPLE',
            arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
            accountId: ACCOUNT,
            accessKeyId: KEY,
            userName: 'mallory',
          },
          eventTime: `2026-11-20T10:${String(minute).padStart(2, '0')}:00Z`,
          eventSource: 'cloudtrail.amazonaws.com',
          eventName: 'StopLogging',
          awsRegion: 'us-east-1',
          sourceIPAddress: '203.0.113.77',
          userAgent: 'aws-cli/2.15.30',
          requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
          responseElements: null,
          eventID: eventId,
          readOnly: false,
          eventType: 'AwsApiCall',
          recipientAccountId: ACCOUNT,
        },
      ],
    }),
  );
}

const config = (approval: 'auto' | 'required' = 'auto', sqlite = join(dir, 'data', 'vigil.db')) =>
  parseConfig(
    JSON.stringify({
      server: { port: 0, dashboard: false },
      store: { sqlite },
      sources: [{ id: 'trail', kind: 'folder', path: join(dir, 'logs'), pollSeconds: 0.05 }],
      respond: {
        homeAccountId: ACCOUNT,
        playbooks: [
          {
            id: 'contain',
            dryRun: false,
            trigger: { pattern: { detail: { type: [{ prefix: 'Stealth:' }] } } },
            steps: [
              {
                id: 'deactivate',
                action: 'iam.deactivate-access-key',
                params: {
                  userName: '{{ finding.actor.principal | name }}',
                  accessKeyId: '{{ finding.actor.accessKeyId }}',
                },
              },
              {
                id: 'quarantine',
                action: 'iam.quarantine-user',
                approval,
                params: { userName: '{{ finding.actor.principal | name }}' },
              },
            ],
          },
        ],
      },
    }),
    'test.yaml',
    {},
  );

const start = (c = config()) =>
  startServe(c, {
    env: { VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
    fetch: globalThis.fetch,
    log: () => undefined,
    respondClients: testClients,
  });

describe('vigil serve with a live playbook', () => {
  it('acts once per finding, across repeats of the finding and a restart, and audits every action', async () => {
    trailFile('a', 'stop-1', 0);
    let running = await start();
    try {
      await until(() => iam.commandCalls(AttachUserPolicyCommand).length === 1, 'the quarantine');
      expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
      expect(iam.commandCalls(UpdateAccessKeyCommand)[0]!.args[0].input).toEqual({
        UserName: 'mallory',
        AccessKeyId: KEY,
        Status: 'Inactive',
      });
      // The same detector and key again: the finding grows, the playbook does not run again.
      trailFile('b', 'stop-2', 1);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await running.stop();
    }
    running = await start();
    try {
      trailFile('c', 'stop-3', 2);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await running.stop();
    }
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(1);

    const db = new Database(join(dir, 'data', 'vigil-responses.db'), { readonly: true });
    const runs = db.prepare('SELECT playbook, status FROM runs').all();
    db.close();
    expect(runs).toEqual([{ playbook: 'contain', status: 'succeeded' }]);
    const audit = openAuditLog(join(dir, 'data', 'vigil-audit.db'));
    expect(audit.verify().ok).toBe(true);
    const kinds = audit.list({ limit: 100 }).map((r) => r.kind);
    audit.close();
    expect(kinds.filter((k) => k === 'response.action')).toHaveLength(2);
  });

  it('a restart while a step waits for approval: the approval after it runs that step once, nothing before it again', async () => {
    const sqlite = join(dir, 'data2', 'vigil.db');
    state.keyStatus = 'Active';
    state.attached = [];
    iam.resetHistory();
    trailFile('d', 'stop-4', 3);
    let running = await start(config('required', sqlite));
    let actionId: string;
    try {
      const admin = await login(running.url);
      const waiting = async () => {
        const res = await admin.get('/api/responses/runs?status=awaiting-approval');
        const body = (await res.json()) as { runs: { actions: { id: string; status: string }[] }[] };
        return body.runs[0]?.actions.find((a) => a.status === 'awaiting-approval')?.id;
      };
      await until(async () => (await waiting()) !== undefined, 'the approval request');
      actionId = (await waiting())!;
      expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
      expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
    } finally {
      await running.stop();
    }
    running = await start(config('required', sqlite));
    try {
      const admin = await login(running.url);
      const res = await admin.post(`/api/responses/actions/${actionId}/approve`, {});
      expect(res.status).toBe(200);
      await until(() => iam.commandCalls(AttachUserPolicyCommand).length === 1, 'the approved quarantine');
      await until(async () => {
        const r = await admin.get('/api/responses/runs');
        return ((await r.json()) as { runs: { status: string }[] }).runs[0]?.status === 'succeeded';
      }, 'the run to finish');
      expect((await admin.post(`/api/responses/actions/${actionId}/approve`, {})).status).toBe(409);
    } finally {
      await running.stop();
    }
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(1);
  });
});
