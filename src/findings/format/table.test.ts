import { describe, it, expect } from 'vitest';
import { HOSTILE, sampleFindings } from '../testing.js';
import { collectText } from './sink.js';
import { writeTable } from './table.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function render(findings = sampleFindings(), color = false): Promise<string> {
  const out = collectText();
  await writeTable(findings, out, { color });
  return out.text();
}

describe('table', () => {
  it('shows severity, type, principal, count, first/last seen and title in fitted columns', async () => {
    const text = await render();
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^SEVERITY\s+TYPE\s+PRINCIPAL\s+COUNT\s+FIRST SEEN\s+LAST SEEN\s+TITLE$/);
    const row = lines.find((l) => l.includes('Stealth:IAMUser/CloudTrailLoggingDisabled'))!;
    expect(row).toContain('HIGH 7.5');
    expect(row).toContain('arn:aws:iam::123456789012:user/alice');
    expect(row).toContain('2026-11-20T10:01:00Z');
    // columns line up: TITLE starts at the same offset on every line
    const titleAt = lines[0]!.indexOf('TITLE');
    expect(row.slice(titleAt)).toBe('CloudTrail logging stopped or trail deleted');
  });

  it('escapes terminal control characters, CR/LF and bidi overrides in every cell', async () => {
    const [base] = sampleFindings();
    const hostile = {
      ...base!,
      title: HOSTILE.ansi + HOSTILE.bell + HOSTILE.c1,
      type: HOSTILE.cr + HOSTILE.newline,
      actor: { principal: HOSTILE.bidi },
    };
    const text = await render([hostile]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3); // header, one row, trailing ''
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(text).toContain('\\x1b[2J');
    expect(text).toContain('innocent\\rEVIL');
    expect(text).toContain('line1\\nline2');
    expect(text).toContain('abc\\u202egnp.exe');
  });

  it('colours only when asked', async () => {
    expect(await render()).not.toContain('\u001b');
    expect(await render(sampleFindings(), true)).toContain('\u001b[31mHIGH 7.5');
  });

  it('cuts very long cells', async () => {
    const [base] = sampleFindings();
    const text = await render([{ ...base!, title: 'x'.repeat(500) }]);
    expect(text).toContain('x'.repeat(79) + '…');
    expect(text).not.toContain('x'.repeat(81));
  });

  it('says so when there are no findings', async () => {
    expect(await render([])).toBe('No findings.\n');
  });
});
