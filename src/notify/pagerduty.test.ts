import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPagerDutyChannel,
  formatPagerDuty,
  PAGERDUTY_EVENTS_URL,
  pagerDutySeverity,
} from './pagerduty.js';
import { hostileAlert, noAbort, startServer, testAlert, type TestServer } from './test-support.js';

interface Event {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload?: Record<string, unknown> & { summary: string; custom_details: Record<string, unknown> };
  links?: { href: string; text: string }[];
}

describe('formatPagerDuty', () => {
  it('triggers with the finding id as dedup key and the documented payload fields', () => {
    const e = formatPagerDuty(
      testAlert({}, { link: 'https://vigil.example/f/1' }),
      'R0UT1NGKEY',
    ) as unknown as Event;
    expect(e.routing_key).toBe('R0UT1NGKEY');
    expect(e.event_action).toBe('trigger');
    expect(e.dedup_key).toBe('f-3b1c9e0a7d');
    expect(e.payload).toMatchObject({
      summary: '[HIGH 7.5] CloudTrail logging was stopped',
      source: 'aws:123456789012:us-east-1',
      severity: 'error',
      timestamp: '2026-11-20T10:05:00.000Z',
      component: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events (AwsCloudTrailTrail)',
      group: '123456789012',
      class: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
    });
    expect(e.payload?.custom_details).toMatchObject({
      principal: 'arn:aws:iam::123456789012:user/alice',
      source_ip: '203.0.113.7 (NL, AS64500)',
      occurrences: '3',
      mitre_techniques: 'T1562.008',
      recommended_next_steps:
        'Restart logging with StartLogging.\nReview what alice did while the trail was off.',
    });
    expect(e.links).toEqual([{ href: 'https://vigil.example/f/1', text: 'View the finding in Vigil' }]);
  });

  it('resolves with the same dedup key', () => {
    expect(formatPagerDuty(testAlert({}, { reason: 'resolved' }), 'K')).toEqual({
      routing_key: 'K',
      event_action: 'resolve',
      dedup_key: 'f-3b1c9e0a7d',
    });
  });

  it('maps severity labels', () => {
    expect(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map(pagerDutySeverity)).toEqual([
      'critical',
      'error',
      'warning',
      'info',
    ]);
  });

  it('cuts the summary to 1024 characters and keeps attacker text as plain JSON strings', () => {
    const e = formatPagerDuty(testAlert({ title: 'x'.repeat(5000) }), 'K') as unknown as Event;
    expect(e.payload!.summary).toHaveLength(1024);
    expect(e.payload!.summary.endsWith('…')).toBe(true);
    const h = formatPagerDuty(hostileAlert(), 'K') as unknown as Event;
    expect(h.payload!.custom_details.user_agent).toBe('<script>alert(1)</script>');
    expect(h.routing_key).toBe('K');
  });
});

describe('createPagerDutyChannel', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({
      status: 202,
      body: '{"status":"success","message":"Event processed","dedup_key":"f-3b1c9e0a7d"}',
    });
  });
  afterEach(() => server.close());

  it('defaults to the Events API v2 endpoint', () => {
    expect(PAGERDUTY_EVENTS_URL).toBe('https://events.pagerduty.com/v2/enqueue');
  });

  it('posts to the configured endpoint; 202 is ok with the dedup key', async () => {
    const channel = createPagerDutyChannel(
      { id: 'pd', routingKey: 'K', url: `${server.url}/v2/enqueue` },
      { fetch },
    );
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({
      ok: true,
      providerId: 'f-3b1c9e0a7d',
    });
    expect(await channel.send(testAlert({}, { reason: 'resolved' }), { signal: noAbort() })).toMatchObject({
      ok: true,
    });
    expect(server.requests.map((r) => r.url)).toEqual(['/v2/enqueue', '/v2/enqueue']);
    const [trigger, resolve] = server.requests.map((r) => JSON.parse(r.body) as Event);
    expect(trigger?.event_action).toBe('trigger');
    expect(resolve).toEqual({ routing_key: 'K', event_action: 'resolve', dedup_key: trigger?.dedup_key });
  });

  it('429 and 5xx are retryable; 400 is not', async () => {
    const channel = createPagerDutyChannel({ id: 'pd', routingKey: 'K', url: server.url }, { fetch });
    server.respond(
      { status: 429, body: '{"status":"throttle event"}' },
      { status: 503 },
      { status: 400, body: '{"status":"invalid event","errors":["Event object is invalid"]}' },
    );
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await channel.send(testAlert(), { signal: noAbort() }));
    expect(results.map((r) => (r.ok ? 'ok' : r.retryable))).toEqual([true, true, false]);
  });
});
