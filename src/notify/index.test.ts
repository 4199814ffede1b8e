import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import nodemailer from 'nodemailer';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChannel, createSecretResolver, parseChannelConfig, verifyWebhookSignature } from './index.js';
import type { ChannelDeps } from './index.js';
import { noAbort, startServer, testAlert, type TestServer } from './test-support.js';

describe('parseChannelConfig', () => {
  it('accepts each kind with secrets referenced by env or file', () => {
    const configs = [
      {
        id: 'mail',
        kind: 'email',
        host: 'smtp.example.com',
        port: 587,
        from: 'v@example.com',
        to: ['a@example.com'],
        auth: { user: 'u', pass: { env: 'SMTP_PASS' } },
      },
      { id: 'slack', kind: 'slack', webhookUrl: { env: 'SLACK_URL' } },
      { id: 'teams', kind: 'teams', webhookUrl: { file: '/run/secrets/teams' } },
      { id: 'pd', kind: 'pagerduty', routingKey: { env: 'PD_KEY' } },
      { id: 'hook', kind: 'webhook', url: 'https://hooks.example.com/vigil', secret: { env: 'HOOK_SECRET' } },
      { id: 'topic', kind: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
      { id: 'log', kind: 'log' },
    ];
    for (const c of configs)
      expect(parseChannelConfig(c)).toMatchObject({ ok: true, config: { kind: c.kind } });
  });

  it('reports every problem at once, and refuses secrets written in config', () => {
    const result = parseChannelConfig({
      id: 'bad id!',
      kind: 'pagerduty',
      routingKey: 'literal-key',
      url: 'ftp://x',
      extra: 1,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.some((p) => p.startsWith('id:'))).toBe(true);
    expect(result.problems.some((p) => p.startsWith('routingKey:'))).toBe(true);
    expect(result.problems.some((p) => p.startsWith('url:'))).toBe(true);
    expect(result.problems.some((p) => p.includes('extra'))).toBe(true);
    expect(parseChannelConfig({ id: 'x', kind: 'pigeon' })).toMatchObject({ ok: false });
  });
});

describe('createSecretResolver', () => {
  it('reads env and files, trims one trailing newline, and names a missing secret without its value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-secret-'));
    await writeFile(join(dir, 'key'), 'from-file\n');
    const resolve = createSecretResolver({ env: { A: 'from-env', EMPTY: '' } });
    expect(await resolve({ env: 'A' })).toBe('from-env');
    expect(await resolve({ file: join(dir, 'key') })).toBe('from-file');
    await expect(resolve({ env: 'EMPTY' })).rejects.toThrow('secret env EMPTY is missing or empty');
    await expect(resolve({ env: 'NOPE' })).rejects.toThrow('secret env NOPE is missing or empty');
  });
});

describe('createChannel', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ status: 202, body: '{}' });
  });
  afterEach(() => server.close());

  function deps(env: Record<string, string>, extra: Partial<ChannelDeps> = {}): ChannelDeps {
    return {
      fetch,
      resolveSecret: createSecretResolver({ env }),
      now: () => Date.parse('2026-11-20T10:06:00Z'),
      ...extra,
    };
  }

  it('builds a Slack channel whose URL comes from the referenced secret', async () => {
    const channel = await createChannel(
      { id: 'sec-slack', kind: 'slack', webhookUrl: { env: 'SLACK_URL' } },
      deps({ SLACK_URL: `${server.url}/services/x` }),
    );
    expect(channel).toMatchObject({ id: 'sec-slack', kind: 'slack' });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({ ok: true });
    expect(server.requests[0]?.url).toBe('/services/x');
  });

  it('builds a PagerDuty channel with its routing key and endpoint', async () => {
    const channel = await createChannel(
      { id: 'pd', kind: 'pagerduty', routingKey: { env: 'PD' }, url: `${server.url}/v2/enqueue` },
      deps({ PD: 'rk-1' }),
    );
    await channel.send(testAlert(), { signal: noAbort() });
    expect(JSON.parse(server.requests[0]!.body)).toMatchObject({
      routing_key: 'rk-1',
      event_action: 'trigger',
    });
  });

  it('builds a webhook channel that signs with the resolved secret', async () => {
    const channel = await createChannel(
      { id: 'hook', kind: 'webhook', url: `${server.url}/h`, secret: { env: 'HS' } },
      deps({ HS: 'hook-secret' }),
    );
    await channel.send(testAlert(), { signal: noAbort() });
    const req = server.requests[0]!;
    const ok = verifyWebhookSignature(
      'hook-secret',
      String(req.headers['x-vigil-timestamp']),
      req.body,
      String(req.headers['x-vigil-signature']),
      Date.parse('2026-11-20T10:06:00Z'),
    );
    expect(ok).toBe(true);
  });

  it('builds SNS (client for the topic region), Teams, email and log channels', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const regions: string[] = [];
    const transports: Record<string, unknown>[] = [];
    const lines: string[] = [];
    const d = deps(
      { TEAMS: `${server.url}/t`, PASS: 'p' },
      {
        createSnsClient: (region) => {
          regions.push(region);
          return new SNSClient({ region });
        },
        write: (l) => lines.push(l),
        createTransport: (options) => {
          transports.push(options);
          return nodemailer.createTransport(options);
        },
      },
    );
    const topic = await createChannel(
      { id: 'topic', kind: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
      d,
    );
    expect(await topic.send(testAlert(), { signal: noAbort() })).toEqual({ ok: true, providerId: 'm' });
    expect(regions).toEqual(['eu-west-1']);
    sns.restore();
    const teams = await createChannel({ id: 'teams', kind: 'teams', webhookUrl: { env: 'TEAMS' } }, d);
    expect(await teams.send(testAlert(), { signal: noAbort() })).toEqual({ ok: true });
    const log = await createChannel({ id: 'log', kind: 'log' }, d);
    await log.send(testAlert(), { signal: noAbort() });
    expect(lines).toHaveLength(1);
    const email = await createChannel(
      {
        id: 'mail',
        kind: 'email',
        host: '127.0.0.1',
        port: 25,
        from: 'v@example.com',
        to: ['a@example.com'],
        auth: { user: 'u', pass: { env: 'PASS' } },
      },
      d,
    );
    expect(email).toMatchObject({ id: 'mail', kind: 'email' });
    expect(transports).toMatchObject([
      { host: '127.0.0.1', port: 25, secure: false, auth: { user: 'u', pass: 'p' } },
    ]);
  });

  it('throws one error listing every config problem, and names a missing secret', async () => {
    await expect(
      createChannel(
        { id: 'x', kind: 'slack', webhookUrl: 'https://hooks.slack.com/services/T/B/C' },
        deps({}),
      ),
    ).rejects.toThrow(/invalid notification channel "x":\n {2}webhookUrl:/);
    await expect(
      createChannel({ id: 'x', kind: 'slack', webhookUrl: { env: 'MISSING' } }, deps({})),
    ).rejects.toThrow('secret env MISSING is missing or empty');
  });
});
