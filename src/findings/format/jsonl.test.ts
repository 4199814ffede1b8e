import { describe, it, expect } from 'vitest';
import type { Finding } from '../../core/finding.js';
import { sampleFindings } from '../testing.js';
import { writeJson } from './json.js';
import { jsonlLine, writeJsonl } from './jsonl.js';
import { collectText } from './sink.js';

const CONTRACT_KEYS = [
  'id',
  'type',
  'detector',
  'title',
  'description',
  'severity',
  'severityLabel',
  'status',
  'accountId',
  'region',
  'firstSeen',
  'lastSeen',
  'count',
  'actor',
  'resources',
  'evidence',
  'mitre',
  'remediation',
  'references',
];

describe('jsonl', () => {
  it('writes one finding per line with exactly the contract keys in contract order', async () => {
    const out = collectText();
    await writeJsonl(sampleFindings(), out);
    const lines = out.text().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(Object.keys(JSON.parse(line))).toEqual(CONTRACT_KEYS);
  });

  it('drops fields that are not in the contract and orders actor keys stably', () => {
    const f = { ...sampleFindings()[0]!, internal: 'secret' } as Finding & { internal: string };
    f.actor = { userAgent: 'ua', ip: '1.2.3.4', principal: 'p' };
    const parsed = JSON.parse(jsonlLine(f));
    expect(parsed.internal).toBeUndefined();
    expect(Object.keys(parsed.actor)).toEqual(['principal', 'ip', 'userAgent']);
  });

  it('keeps newlines and escapes inside a value on one line', () => {
    const f = { ...sampleFindings()[0]!, title: 'a\nb\u001b[31m' };
    const line = jsonlLine(f);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line).title).toBe('a\nb\u001b[31m');
  });
});

describe('json', () => {
  it('writes a JSON array of the findings', async () => {
    const out = collectText();
    await writeJson(sampleFindings(), out);
    const parsed = JSON.parse(out.text()) as Finding[];
    expect(parsed.map((f) => f.detector)).toEqual(sampleFindings().map((f) => f.detector));
    expect(Object.keys(parsed[0]!)).toEqual(CONTRACT_KEYS);
  });

  it('writes [] for no findings', async () => {
    const out = collectText();
    await writeJson([], out);
    expect(JSON.parse(out.text())).toEqual([]);
  });
});
