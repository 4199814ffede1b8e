import { describe, expect, it } from 'vitest';
import { parseChannelConfig } from '../notify/config.js';
import { ConfigError, parseConfig } from './load.js';

function withChannel(channel: Record<string, unknown>): string {
  return JSON.stringify({ channels: [channel] });
}

function problems(text: string): string[] {
  try {
    parseConfig(text, 'vigil.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const log = { id: 'console', kind: 'log' };

describe('channel digest config', () => {
  it('is off by default and, when on, holds LOW findings for 15 minutes unless told otherwise', () => {
    expect(parseConfig(withChannel(log), 'vigil.yaml', {}).channels[0]!.digest).toBeUndefined();
    const on = parseConfig(withChannel({ ...log, digest: {} }), 'vigil.yaml', {});
    expect(on.channels[0]!.digest).toEqual({ every: '15m', severities: ['LOW'] });
    const custom = parseConfig(
      withChannel({ ...log, digest: { every: '1h', severities: ['LOW', 'MEDIUM'] } }),
      'vigil.yaml',
      {},
    );
    expect(custom.channels[0]!.digest).toEqual({ every: '1h', severities: ['LOW', 'MEDIUM'] });
  });

  it('rejects bad values, each with its path, all at once', () => {
    const text = JSON.stringify({
      channels: [
        { id: 'a', kind: 'log', digest: { every: 'soon' } },
        { id: 'b', kind: 'log', digest: { every: '30s' } },
        { id: 'c', kind: 'log', digest: { every: '2d' } },
        { id: 'd', kind: 'log', digest: { severities: ['HIGH'] } },
        { id: 'e', kind: 'log', digest: { severities: [] } },
        { id: 'f', kind: 'log', digest: { every: '15m', batch: 10 } },
        { id: 'g', kind: 'log', digest: true },
      ],
    });
    const all = problems(text);
    expect(all).toHaveLength(7);
    expect(all[0]).toMatch(/^channels\.0\.digest\.every: a duration/);
    expect(all[1]).toMatch(/^channels\.1\.digest\.every: from 1m to 24h/);
    expect(all[2]).toMatch(/^channels\.2\.digest\.every: from 1m to 24h/);
    expect(all[3]).toMatch(/^channels\.3\.digest\.severities\.0: LOW or MEDIUM \(HIGH and CRITICAL/);
    expect(all[4]).toMatch(/^channels\.4\.digest\.severities: at least one severity/);
    expect(all[5]).toMatch(/^channels\.5\.digest: Unrecognized key.*batch/);
    expect(all[6]).toMatch(/^channels\.6\.digest: Expected object/);
  });

  it('rejects a digest on a PagerDuty channel with the reason, at load and in the channel schema', () => {
    const pd = { id: 'oncall', kind: 'pagerduty', routingKey: { env: 'PD_KEY' }, digest: {} };
    const [problem] = problems(withChannel(pd));
    expect(problem).toMatch(
      /^channels\.0\.digest: a pagerduty channel cannot have a digest: PagerDuty opens/,
    );
    const parsed = parseChannelConfig(pd);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems).toEqual([expect.stringMatching(/^digest: a pagerduty channel/)]);
  });

  it('every other channel schema accepts it', () => {
    const channels = [
      { id: 'm', kind: 'email', host: 'smtp', port: 25, from: 'v@example.com', to: ['s@example.com'] },
      { id: 's', kind: 'slack', webhookUrl: { env: 'X' } },
      { id: 't', kind: 'teams', webhookUrl: { env: 'X' } },
      { id: 'w', kind: 'webhook', url: 'https://example.com/hook', secret: { env: 'X' } },
      { id: 'n', kind: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' },
      { id: 'l', kind: 'log' },
    ];
    for (const c of channels) expect(parseChannelConfig({ ...c, digest: { every: '15m' } }).ok).toBe(true);
  });

  it('points the old alerting.digest at the channel option', () => {
    expect(problems(JSON.stringify({ alerting: { digest: { every: '15m' } } }))).toEqual([
      'alerting.digest: digests are set per channel now: channels[].digest',
    ]);
  });
});
