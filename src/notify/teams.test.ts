import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsChannel, escapeTeams, formatTeams, TEAMS_LIMITS } from './teams.js';
import { hostileAlert, noAbort, startServer, testAlert, type TestServer } from './test-support.js';

interface Card {
  type: string;
  version: string;
  body: { type: string; text?: string; facts?: { title: string; value: string }[] }[];
  actions?: { type: string; title: string; url: string }[];
}
interface Message {
  type: string;
  attachments: { contentType: string; content: Card }[];
}

function texts(card: Card): string[] {
  return card.body.flatMap((b) => [
    ...(b.text !== undefined ? [b.text] : []),
    ...(b.facts ?? []).map((f) => f.value),
  ]);
}

/** What a CommonMark renderer shows for text made only of backslash escapes and hard breaks. */
function rendered(text: string): string {
  return text.replace(/ {2}\n/g, '\n').replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

describe('formatTeams', () => {
  it('wraps an Adaptive Card 1.4 in a workflow message', () => {
    const m = formatTeams(testAlert({}, { link: 'https://vigil.example/f/1' })) as unknown as Message;
    expect(m.type).toBe('message');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = m.attachments[0]!.content;
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.4');
    expect(rendered(card.body[0]!.text!)).toBe('[HIGH 7.5] CloudTrail logging was stopped');
    const facts = card.body.find((b) => b.type === 'FactSet')!.facts!;
    expect(facts.map((f) => f.title)).toEqual([
      'Severity',
      'Principal',
      'Principal type',
      'Access key',
      'Source IP',
      'User agent',
      'Account',
      'Region',
      'Resources',
      'First seen',
      'Last seen',
      'Occurrences',
      'MITRE tactics',
      'MITRE techniques',
    ]);
    expect(rendered(facts.find((f) => f.title === 'Source IP')!.value)).toBe('203.0.113.7 (NL, AS64500)');
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'View the finding', url: 'https://vigil.example/f/1' },
    ]);
  });

  it('neutralises Markdown links, emphasis, headings, lists and date functions', () => {
    const card = (formatTeams(hostileAlert()) as unknown as Message).attachments[0]!.content;
    for (const t of texts(card)) {
      expect(t).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/); // no unescaped [text](
      expect(t).not.toMatch(/(?<!\\)\*\*/);
      expect(t).not.toMatch(/(^|\n)\s*(#|-|\d+\.)\s/);
      expect(t).not.toContain('{{');
    }
    const description = card.body[2]!.text!;
    expect(rendered(description)).toBe(
      'Ping <!here> and <@U123> <http://evil.example|click> & [link](javascript:alert(1)) {{DATE(2017-02-14T06:08:39Z, SHORT)}}\n- fake item\n# fake heading\nSubject: injected',
    );
    expect(card.actions).toBeUndefined();
  });

  it('escapes every Markdown control character', () => {
    expect(escapeTeams('[a](b) *c* _d_ #e')).toBe('\\[a\\]\\(b\\) \\*c\\* \\_d\\_ \\#e');
  });

  it('stays under the Teams message size limit with long, multi-byte attacker text', () => {
    const long = 'é[*]'.repeat(20_000);
    const m = formatTeams(
      testAlert({
        description: long,
        remediation: long,
        title: long,
        actor: { principal: long, userAgent: long, ip: long },
      }),
    );
    expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(TEAMS_LIMITS.messageBytes);
    for (const t of texts((m as unknown as Message).attachments[0]!.content)) {
      // A cut never leaves a dangling backslash that would escape the ellipsis or the next character.
      expect(t.replace(/\\[!-/:-@[-`{-~]/g, '')).not.toContain('\\');
    }
  });
});

describe('createTeamsChannel', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ status: 202, body: '' });
  });
  afterEach(() => server.close());

  it('posts the message to the workflow URL; 202 is delivered', async () => {
    const channel = createTeamsChannel(
      { id: 'teams', webhookUrl: `${server.url}/workflows/abc?sig=s` },
      { fetch },
    );
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({ ok: true });
    const req = server.requests[0]!;
    expect(req.url).toBe('/workflows/abc?sig=s');
    expect((JSON.parse(req.body) as Message).attachments[0]?.content.type).toBe('AdaptiveCard');
  });

  it('retries 5xx and 429, not 400', async () => {
    const channel = createTeamsChannel({ id: 'teams', webhookUrl: server.url }, { fetch });
    server.respond({ status: 502 }, { status: 429 }, { status: 400, body: 'bad card' });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({
      ok: false,
      retryable: false,
      error: 'HTTP 400: bad card',
    });
  });
});
