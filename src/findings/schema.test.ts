import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Finding } from '../core/finding.js';
import { ASFF_LIMITS, toAsff } from './format/asff.js';
import { writeJsonl } from './format/jsonl.js';
import { collectText } from './format/sink.js';
import { HOSTILE, sampleFindings } from './testing.js';
import { findSequences } from './sequence.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

function validator(file: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(new URL(`../../schema/${file}`, import.meta.url), 'utf8')));
}

const validateFinding = validator('finding.schema.json');
const validateAsff = validator('asff.schema.json');

async function jsonlObjects(findings: Finding[]): Promise<Record<string, unknown>[]> {
  const out = collectText();
  await writeJsonl(findings, out);
  return out
    .text()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('schema/finding.schema.json', () => {
  it('accepts every finding the jsonl export writes', async () => {
    const objects = await jsonlObjects(sampleFindings());
    expect(objects).toHaveLength(3);
    for (const o of objects) {
      const ok = validateFinding(o);
      expect(validateFinding.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('rejects a finding missing a field', async () => {
    const [o] = await jsonlObjects(sampleFindings());
    delete o!.lastSeen;
    expect(validateFinding(o)).toBe(false);
    expect(validateFinding.errors?.some((e: ErrorObject) => e.keyword === 'required')).toBe(true);
  });

  it('rejects extra fields at the top level and inside nested objects', async () => {
    const [o] = await jsonlObjects(sampleFindings());
    expect(validateFinding({ ...o, extra: 1 })).toBe(false);
    expect(validateFinding({ ...o, actor: { ...(o!.actor as object), shell: 'x' } })).toBe(false);
    expect(validateFinding({ ...o, evidence: { eventIds: [], eventNames: [], raw: {} } })).toBe(false);
    // actor.geo: country code, AS number and its organisation (src/enrich), nothing else.
    const geo = { country: 'NL', asn: 3333, org: 'RIPE NCC' };
    expect(validateFinding({ ...o, actor: { ...(o!.actor as object), geo } })).toBe(true);
    expect(validateFinding({ ...o, actor: { ...(o!.actor as object), geo: { ...geo, city: 'x' } } })).toBe(
      false,
    );
  });

  it('rejects a severity label that does not match its band, a bad id and a bad date', async () => {
    const [o] = await jsonlObjects(sampleFindings());
    expect(validateFinding({ ...o, severity: 7.5, severityLabel: 'LOW' })).toBe(false);
    expect(validateFinding({ ...o, severity: 11 })).toBe(false);
    expect(validateFinding({ ...o, id: 'not-a-hash' })).toBe(false);
    expect(validateFinding({ ...o, firstSeen: 'yesterday' })).toBe(false);
  });
});

describe('schema/asff.schema.json', () => {
  it('accepts the ASFF export of realistic findings', () => {
    for (const f of sampleFindings()) {
      const asff = toAsff(f);
      const ok = validateAsff(asff);
      expect(validateAsff.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('keeps every required attribute present and within limits for oversized hostile findings', () => {
    const [base] = sampleFindings();
    const huge = 'x'.repeat(5000);
    const f: Finding = {
      ...base!,
      title: HOSTILE.ansi + huge,
      description: huge + huge,
      remediation: huge,
      detector: 'd'.repeat(600),
      actor: { ...base!.actor, userAgent: huge },
      resources: Array.from({ length: 40 }, (_, i) => ({ type: 'SomethingCustom', id: `${i}-${huge}` })),
      evidence: {
        eventIds: Array.from({ length: 50 }, (_, i) => `${i}-${'e'.repeat(60)}`),
        eventNames: ['A'],
      },
    };
    const asff = toAsff(f);
    expect(validateAsff(asff)).toBe(true);
    expect(asff.Title.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
    expect(asff.Description.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
    expect(asff.Resources).toHaveLength(ASFF_LIMITS.resources);
    expect(asff.Resources[0]!.Type).toBe('Other');
    for (const v of Object.values(asff.ProductFields))
      expect(v.length).toBeLessThanOrEqual(ASFF_LIMITS.productFieldValue);
  });

  it('rejects an ASFF finding without a required attribute', () => {
    const asff = toAsff(sampleFindings()[0]!) as unknown as Record<string, unknown>;
    for (const key of [
      'SchemaVersion',
      'Id',
      'ProductArn',
      'GeneratorId',
      'AwsAccountId',
      'Types',
      'CreatedAt',
      'UpdatedAt',
      'Severity',
      'Title',
      'Description',
      'Resources',
    ]) {
      const copy = { ...asff };
      delete copy[key];
      expect(validateAsff(copy), key).toBe(false);
    }
  });
});

describe('schema/finding.schema.json: related (1.1)', () => {
  it('accepts an attack sequence linking its members, and rejects a malformed link', async () => {
    const members = sampleFindings().map((f, i) => ({
      ...f,
      id: f.id.slice(0, 31) + String(i),
      detector: `detector-${i}`,
      actor: { principal: 'arn:aws:iam::123456789012:user/alice', ip: '203.0.113.7' },
      severity: 5,
      severityLabel: 'MEDIUM' as const,
      mitre: { tactics: [['TA0007'], ['TA0004'], ['TA0005']][i]!, techniques: [] },
    }));
    const [seq] = findSequences(members);
    const [o] = await jsonlObjects([seq!]);
    expect(validateFinding(o)).toBe(true);
    expect(o!.related).toHaveLength(3);
    expect(validateFinding({ ...o, related: [{ id: 'x', type: 'T:a/b', title: 't' }] })).toBe(false);
    expect(validateFinding({ ...o, related: [{ ...(o!.related as object[])[0], extra: 1 }] })).toBe(false);
  });
});
