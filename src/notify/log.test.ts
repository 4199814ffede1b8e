import { describe, expect, it } from 'vitest';
import { createLogChannel, formatLogLine } from './log.js';
import { hostileAlert, noAbort, testAlert } from './test-support.js';

describe('log channel', () => {
  it('writes one key=value line per alert', async () => {
    const lines: string[] = [];
    const channel = createLogChannel({ id: 'log' }, { write: (l) => lines.push(l) });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({ ok: true });
    expect(lines).toEqual([
      'vigil alert reason="new" severity="HIGH" score="7.5" type="Stealth:IAMUser/CloudTrailLoggingDisabled" ' +
        'account="123456789012" region="us-east-1" principal="arn:aws:iam::123456789012:user/alice" ' +
        'ip="203.0.113.7" count="3" lastSeen="2026-11-20T10:05:00Z" id="f-3b1c9e0a7d" ' +
        'title="CloudTrail logging was stopped"\n',
    ]);
  });

  it('keeps terminal escapes, line breaks and quotes from breaking out of the line', () => {
    const alert = testAlert({
      title: 'x\u001b[2J\r\nvigil alert severity="LOW" \u202Eevil',
      actor: { principal: 'a"b\\c' },
    });
    const line = formatLogLine(alert);
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(line).toContain('title="x\\x1b[2J\\r\\nvigil alert severity=\\"LOW\\" \\u202eevil"');
    expect(line).toContain('principal="a\\"b\\\\c"');
    expect(formatLogLine(hostileAlert()).split('\n')).toHaveLength(1);
  });

  it('reports a failing writer as a retryable result instead of throwing', async () => {
    const channel = createLogChannel(
      { id: 'log' },
      {
        write: () => {
          throw new Error('EPIPE');
        },
      },
    );
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({
      ok: false,
      retryable: true,
      error: 'EPIPE',
    });
  });
});
