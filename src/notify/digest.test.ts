import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { digestFacts, plainTextDigest } from './digest.js';
import { createEmailChannel, EMAIL_DIGEST_ITEMS } from './email.js';
import { formatLogDigest } from './log.js';
import { formatSlackDigest, SLACK_LIMITS } from './slack.js';
import { formatSnsDigest, SNS_LIMITS } from './sns.js';
import { formatTeamsDigest, TEAMS_LIMITS } from './teams.js';
import { HOSTILE_ARN, HOSTILE_UA, hostileAlert, noAbort, testAlert } from './test-support.js';
import type { Alert, Digest } from './types.js';

function low(i: number, extra: Partial<Alert> = {}): Alert {
  return testAlert(
    {
      id: `f-${i}`,
      severity: 2,
      severityLabel: 'LOW',
      title: `Bucket listed ${i}`,
      type: i % 2 ? 'Discovery:S3/BucketEnumeration' : 'Recon:IAMUser/UserPermissions',
    },
    { link: `https://vigil.example.com/findings/f-${i}`, ...extra },
  );
}

function digest(alerts: Alert[]): Digest {
  return {
    id: '42',
    channelId: 'ch',
    since: '2026-11-20T12:00:00.000Z',
    until: '2026-11-20T12:15:00.000Z',
    alerts,
  };
}

const hostile = (): Alert => ({ ...hostileAlert(), link: 'https://vigil.example.com/findings/x' });
const many = (n: number) => digest(Array.from({ length: n }, (_, i) => low(i)));

describe('digestFacts', () => {
  it('counts per severity and type and lists one line per finding', () => {
    const facts = digestFacts(digest([low(1), low(2), low(3), hostile()]));
    expect(facts.count).toBe(4);
    expect(facts.bySeverity).toEqual([
      { label: 'HIGH', count: 1 },
      { label: 'LOW', count: 3 },
    ]);
    expect(facts.byType[0]).toEqual({ type: 'Discovery:S3/BucketEnumeration', count: 2 });
    expect(facts.headline).toBe('Vigil digest: 4 findings (1 HIGH, 3 LOW)');
    const text = plainTextDigest(facts);
    expect(text).toContain(
      '  - [LOW] Bucket listed 1 · Discovery:S3/BucketEnumeration · arn:aws:iam::123456789012:user/alice · account 123456789012 / us-east-1 · 3× · https://vigil.example.com/findings/f-1',
    );
    // An attacker's line breaks cannot start lines of their own.
    expect(text.split('\n').filter((l) => l.startsWith('Subject:'))).toEqual([]);
  });

  it('cuts the plain text by whole lines and says how many were left out', () => {
    const text = plainTextDigest(digestFacts(many(500)), 8000);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(8000);
    const shown = text.split('\n').filter((l) => l.startsWith('  - ')).length;
    expect(text.trimEnd().endsWith(`…and ${500 - shown} more`)).toBe(true);
    expect(shown).toBeGreaterThan(10);
  });
});

describe('digest rendering per channel', () => {
  it('Slack: escaped mrkdwn within the block limits, "…and N more" when full', () => {
    const payload = formatSlackDigest(digest([hostile(), low(1)])) as {
      blocks: { text?: { text: string } }[];
    };
    const json = JSON.stringify(payload);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U999>');
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).toContain('<https://vigil.example.com/findings/f-1|view>');

    const big = formatSlackDigest(many(1000)) as { blocks: Record<string, unknown>[] };
    expect(big.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const b of big.blocks) {
      const text = (b.text as { text?: string } | undefined)?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    expect(JSON.stringify(big.blocks.at(-1))).toMatch(/…and \d+ more/);
  });

  it('Teams: escaped Adaptive Card under the message size limit', () => {
    const one = JSON.stringify(formatTeamsDigest(digest([hostile()])));
    expect(one).not.toContain('[click me](http://evil.example)');
    expect(one).toContain('\\\\[click me\\\\]\\\\(http');
    const big = JSON.stringify(formatTeamsDigest(many(1000)));
    expect(Buffer.byteLength(big, 'utf8')).toBeLessThanOrEqual(TEAMS_LIMITS.messageBytes);
    expect(big).toMatch(/…and \d+ more/);
  });

  it('SNS: message within the limit, filterable attributes, FIFO dedup on the digest id', () => {
    const input = formatSnsDigest(many(1000), 'arn:aws:sns:us-east-1:123456789012:alerts.fifo');
    expect(Buffer.byteLength(input.Message!, 'utf8')).toBeLessThanOrEqual(SNS_LIMITS.messageBytes);
    expect(input.Subject).toBe('Vigil digest: 1000 findings (1000 LOW)');
    expect(input.MessageAttributes).toMatchObject({
      reason: { StringValue: 'digest' },
      count: { DataType: 'Number', StringValue: '1000' },
      severity: { StringValue: 'LOW' },
    });
    expect(input.MessageDeduplicationId).toBe('digest-ch-42');
  });

  it('log: one line per alert after a digest line, nothing breaks a line', () => {
    const lines = formatLogDigest(digest([hostile(), low(1)]));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^vigil digest id="42" count="2" /);
    expect(lines[1]).toMatch(/^vigil alert digest="42" reason="new" /);
    for (const l of lines) expect(l).not.toMatch(/[\r\n]/);
  });
});

interface Smtp {
  port: number;
  mails: ParsedMail[];
  close(): Promise<void>;
}

async function startSmtp(): Promise<Smtp> {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, cb) {
      simpleParser(stream).then(
        (parsed) => {
          mails.push(parsed);
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('email digest over real SMTP', () => {
  it('sends one mail listing every finding, hostile values escaped in HTML and kept on their line in text', async () => {
    const smtp = await startSmtp();
    try {
      const channel = createEmailChannel({
        id: 'sec-email',
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'vigil@example.com',
        to: ['soc@example.com'],
      });
      const result = await channel.sendDigest!(digest([low(1), hostile(), low(2)]), { signal: noAbort() });
      expect(result.ok).toBe(true);
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(mail.subject).toBe('Vigil digest: 3 findings (1 HIGH, 2 LOW)');
      const html = String(mail.html);
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      expect(html).not.toContain(HOSTILE_UA);
      expect(html).toContain('&lt;!channel&gt;');
      expect(html).toContain('href="https://vigil.example.com/findings/f-1"');
      expect(html.match(/<tr>/g)).toHaveLength(4); // header + 3 findings
      const text = mail.text ?? '';
      expect(text).toContain('Bucket listed 1');
      expect(text).toContain('Bucket listed 2');
      expect(text).toContain('[HIGH] <!channel> [click me](http://evil.example)');
      expect(text.split('\n').some((l) => l.startsWith('Subject: injected'))).toBe(false);
      expect(html).not.toContain(HOSTILE_ARN);
    } finally {
      await smtp.close();
    }
  });

  it('lists at most EMAIL_DIGEST_ITEMS findings and counts the rest', async () => {
    const smtp = await startSmtp();
    try {
      const channel = createEmailChannel({
        id: 'sec-email',
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'vigil@example.com',
        to: ['soc@example.com'],
      });
      expect((await channel.sendDigest!(many(EMAIL_DIGEST_ITEMS + 7), { signal: noAbort() })).ok).toBe(true);
      const mail = smtp.mails[0]!;
      expect(mail.text).toContain('…and 7 more');
      expect(String(mail.html)).toContain('…and 7 more');
    } finally {
      await smtp.close();
    }
  });
});
