import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailChannel, escapeHtml, formatEmail } from './email.js';
import { HOSTILE_ARN, HOSTILE_UA, hostileAlert, noAbort, testAlert } from './test-support.js';

interface Smtp {
  port: number;
  mails: { from: string; to: string[]; parsed: ParsedMail; user?: string }[];
  close(): Promise<void>;
}

async function startSmtp(
  options: { auth?: { user: string; pass: string }; rejectWith?: number } = {},
): Promise<Smtp> {
  const mails: Smtp['mails'] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass)
        cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (parsed) => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            parsed,
            ...(typeof session.user === 'string' ? { user: session.user } : {}),
          });
          if (options.rejectWith) {
            const err = new Error('mailbox unavailable') as Error & { responseCode: number };
            err.responseCode = options.rejectWith;
            cb(err);
          } else cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const base = {
  id: 'sec-email',
  host: '127.0.0.1',
  secure: false,
  from: 'vigil@example.com',
  to: ['soc@example.com', 'oncall@example.com'],
};

describe('formatEmail', () => {
  it('has a one-line subject without CR/LF even when the title has them', () => {
    const { subject } = formatEmail(testAlert({ title: 'a\r\nBcc: victim@example.com\nx'.repeat(40) }));
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.length).toBeLessThanOrEqual(200);
    expect(subject.startsWith('Vigil: [HIGH 7.5] a Bcc: victim@example.com x')).toBe(true);
  });

  it('escapes every value in the HTML part', () => {
    const { html } = formatEmail(hostileAlert());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('bucket">');
    expect(html).not.toContain('onerror=alert(document.cookie)>');
    expect(html).toContain(escapeHtml(HOSTILE_UA));
    expect(html).toContain('bucket&quot;&gt;&lt;img src=x onerror=alert(document.cookie)&gt;');
    expect(html).toContain('&lt;b&gt;XX&lt;/b&gt;');
  });

  it('links to the finding only with an http(s) URL, attribute-escaped', () => {
    expect(formatEmail(testAlert({}, { link: 'https://vigil.example/f?id=1&x="' })).html).toContain(
      '<a href="https://vigil.example/f?id=1&amp;x=%22">View the finding in Vigil</a>',
    );
    expect(formatEmail(testAlert({}, { link: 'javascript:alert(1)' })).html).not.toContain('<a ');
  });
});

describe('createEmailChannel', () => {
  let smtp: Smtp | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  it('delivers a plain-text and HTML analysis through a real SMTP server', async () => {
    smtp = await startSmtp();
    const channel = createEmailChannel({ ...base, port: smtp.port }, {});
    const result = await channel.send(testAlert({}, { link: 'https://vigil.example/f/1' }), {
      signal: noAbort(),
    });
    expect(result).toMatchObject({ ok: true });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe('vigil@example.com');
    expect(mail.to).toEqual(['soc@example.com', 'oncall@example.com']);
    expect(mail.parsed.subject).toBe(
      'Vigil: [HIGH 7.5] CloudTrail logging was stopped (123456789012 us-east-1)',
    );
    const text = mail.parsed.text ?? '';
    expect(text).toContain('Principal: arn:aws:iam::123456789012:user/alice');
    expect(text).toContain('Source IP: 203.0.113.7 (NL, AS64500)');
    expect(text).toContain('Occurrences: 3');
    expect(text).toContain('MITRE techniques: T1562.008');
    expect(text).toContain('Recommended next steps\n  Restart logging with StartLogging.');
    expect(text).toContain('View the finding: https://vigil.example/f/1');
    const html = String(mail.parsed.html);
    expect(html).toContain(
      '<th align="left" valign="top" style="padding:2px 12px 2px 0;white-space:nowrap">Access key</th>',
    );
    expect(html).toContain('AKIAEXAMPLEKEY000001');
    expect(html).toContain('<a href="https://vigil.example/f/1">');
    expect(result.ok && result.providerId).toBe(mail.parsed.messageId);
  });

  it('keeps hostile user agents and ARNs inert in the delivered HTML', async () => {
    smtp = await startSmtp();
    const channel = createEmailChannel({ ...base, port: smtp.port });
    expect(await channel.send(hostileAlert(), { signal: noAbort() })).toMatchObject({ ok: true });
    const mail = smtp.mails[0]!;
    const html = String(mail.parsed.html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.parsed.text).toContain(`User agent: ${HOSTILE_UA}`);
    expect(mail.parsed.text).toContain(HOSTILE_ARN);
    expect(mail.parsed.headers.has('bcc')).toBe(false);
  });

  it('authenticates when auth is configured', async () => {
    smtp = await startSmtp({ auth: { user: 'vigil', pass: 's3cret' } });
    const good = createEmailChannel({ ...base, port: smtp.port, auth: { user: 'vigil', pass: 's3cret' } });
    expect(await good.send(testAlert(), { signal: noAbort() })).toMatchObject({ ok: true });
    expect(smtp.mails[0]?.user).toBe('vigil');
    const bad = createEmailChannel({ ...base, port: smtp.port, auth: { user: 'vigil', pass: 'wrong' } });
    expect(await bad.send(testAlert(), { signal: noAbort() })).toMatchObject({ ok: false, retryable: false });
  });

  it('server down is retryable; a permanent 5xx reply is not, a 4xx reply is', async () => {
    smtp = await startSmtp();
    const port = smtp.port;
    await smtp.close();
    smtp = undefined;
    const down = createEmailChannel({ ...base, port }, { timeoutMs: 2000 });
    expect(await down.send(testAlert(), { signal: noAbort() })).toMatchObject({ ok: false, retryable: true });

    smtp = await startSmtp({ rejectWith: 550 });
    const rejected = createEmailChannel({ ...base, port: smtp.port });
    expect(await rejected.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: false,
    });
    await smtp.close();

    smtp = await startSmtp({ rejectWith: 451 });
    const deferred = createEmailChannel({ ...base, port: smtp.port });
    expect(await deferred.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: true,
    });
  });

  it('an already aborted signal is a retryable result, and nothing is sent', async () => {
    smtp = await startSmtp();
    const controller = new AbortController();
    controller.abort();
    const channel = createEmailChannel({ ...base, port: smtp.port });
    expect(await channel.send(testAlert(), { signal: controller.signal })).toEqual({
      ok: false,
      retryable: true,
      error: 'aborted',
    });
    expect(smtp.mails).toHaveLength(0);
  });
});
