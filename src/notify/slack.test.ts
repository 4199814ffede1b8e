import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChannel, escapeSlack, formatSlack, SLACK_LIMITS } from './slack.js';
import { hostileAlert, noAbort, startServer, testAlert, type TestServer } from './test-support.js';

interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { type: string; text: string }[];
  elements?: { type: string; text: string }[];
}
interface Payload {
  text: string;
  blocks: Block[];
}

function allText(p: Payload): string[] {
  const out = [p.text];
  for (const b of p.blocks) {
    if (b.text && b.text.type === 'mrkdwn') out.push(b.text.text);
    for (const f of b.fields ?? []) out.push(f.text);
    for (const e of b.elements ?? []) out.push(e.text);
  }
  return out;
}

describe('formatSlack', () => {
  it('builds a Block Kit message: fallback text, header, section fields, context', () => {
    const p = formatSlack(testAlert({}, { link: 'https://vigil.example/f/1?a=1&b=2' })) as unknown as Payload;
    expect(p.text).toBe('[HIGH 7.5] CloudTrail logging was stopped (account 123456789012, us-east-1)');
    expect(p.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '[HIGH 7.5] CloudTrail logging was stopped', emoji: false },
    });
    expect(p.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'section',
      'context',
    ]);
    const fields = p.blocks.flatMap((b) => b.fields ?? []).map((f) => f.text);
    expect(fields).toContain('*Source IP*\n203.0.113.7 (NL, AS64500)');
    expect(fields).toContain('*Occurrences*\n3');
    expect(fields).toContain('*MITRE techniques*\nT1562.008');
    expect(allText(p)).toContain(
      '*Recommended next steps*\nRestart logging with StartLogging.\nReview what alice did while the trail was off.',
    );
    expect(allText(p)).toContain('<https://vigil.example/f/1?a=1&amp;b=2|View the finding in Vigil>');
  });

  it('makes mentions and links in attacker fields inert', () => {
    const p = formatSlack(hostileAlert()) as unknown as Payload;
    const joined = allText(p).join('\n');
    for (const bad of [
      '<!channel>',
      '<!here>',
      '<@U123>',
      '<@U999>',
      '<http://evil.example|click>',
      '<script>',
    ]) {
      expect(joined).not.toContain(bad);
    }
    expect(joined).toContain('&lt;!here&gt;');
    expect(joined).toContain('&lt;http://evil.example|click&gt; &amp; [link]');
    // No raw angle bracket anywhere except the fixed link syntax (none here: no link on this alert).
    for (const t of allText(p)) expect(t).not.toMatch(/[<>]/);
    // The header is plain_text, which Slack never parses for mentions or links.
    expect(p.blocks[0]?.text?.type).toBe('plain_text');
  });

  it('escapes &, < and > only', () => {
    expect(escapeSlack('a & <b> *c*')).toBe('a &amp; &lt;b&gt; *c*');
  });

  it('keeps every text within Block Kit limits without breaking an entity', () => {
    const long = '<&>'.repeat(5000);
    const p = formatSlack(
      testAlert({
        title: 'T'.repeat(400),
        description: long,
        remediation: long,
        actor: { userAgent: long, principal: long },
      }),
    ) as unknown as Payload;
    expect(p.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(p.blocks[0]?.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(p.blocks[0]?.text?.text.endsWith('…')).toBe(true);
    for (const b of p.blocks) {
      if (b.type === 'section' && b.text)
        expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect((b.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
    for (const t of allText(p)) {
      // After removing whole entities, no stray `&` is left: no entity was cut in half.
      expect(t.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[&<>]/);
    }
    const description = p.blocks[1]?.text?.text ?? '';
    expect(description.length).toBeGreaterThan(2900);
  });
});

describe('createSlackChannel', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(() => server.close());

  it('posts the payload as JSON to the configured webhook URL', async () => {
    const channel = createSlackChannel(
      { id: 'sec-slack', webhookUrl: `${server.url}/services/T0/B0/xyz` },
      { fetch },
    );
    const result = await channel.send(testAlert(), { signal: noAbort() });
    expect(result).toEqual({ ok: true });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/services/T0/B0/xyz');
    expect(req.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req.body) as Payload;
    expect(body.blocks[0]?.type).toBe('header');
    expect(channel).toMatchObject({ id: 'sec-slack', kind: 'slack' });
  });

  it('classifies failures: 429 and 5xx retryable, 4xx not, unreachable retryable', async () => {
    const channel = createSlackChannel({ id: 's', webhookUrl: server.url }, { fetch });
    server.respond({ status: 429 }, { status: 500, body: 'boom' }, { status: 404, body: 'no_service' });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({
      ok: false,
      retryable: true,
      error: 'HTTP 500: boom',
    });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: false,
    });
    const url = server.url;
    await server.close();
    const down = createSlackChannel({ id: 's', webhookUrl: url }, { fetch });
    expect(await down.send(testAlert(), { signal: noAbort() })).toMatchObject({ ok: false, retryable: true });
    server = await startServer();
  });

  it('stops on timeout and on the caller abort, retryable, without throwing', async () => {
    server.hang();
    const channel = createSlackChannel({ id: 's', webhookUrl: server.url }, { fetch, timeoutMs: 50 });
    const timedOut = await channel.send(testAlert(), { signal: noAbort() });
    expect(timedOut).toEqual({ ok: false, retryable: true, error: 'timed out after 50 ms' });
    const controller = new AbortController();
    const pending = createSlackChannel(
      { id: 's', webhookUrl: server.url },
      { fetch, timeoutMs: 60_000 },
    ).send(testAlert(), {
      signal: controller.signal,
    });
    controller.abort();
    expect(await pending).toEqual({ ok: false, retryable: true, error: 'aborted' });
  });
});
