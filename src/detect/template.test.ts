import { describe, it, expect } from 'vitest';
import type { VigilEvent } from '../core/event.js';
import { createFieldGetter } from './fields/index.js';
import { compileTemplate, formatValue, MAX_VALUE_LENGTH, renderTemplate } from './template.js';

const getField = createFieldGetter();

function event(raw: Record<string, unknown>, principal?: string): VigilEvent {
  return {
    time: '2026-11-20T10:00:00Z',
    ts: Date.parse('2026-11-20T10:00:00Z'),
    source: 'cloudtrail',
    accountId: '123456789012',
    region: 'us-east-1',
    eventName: raw.eventName as string | undefined,
    eventSource: undefined,
    service: undefined,
    principal,
    principalType: 'IAMUser',
    principalAccountId: '123456789012',
    principalName: undefined,
    sessionName: undefined,
    accessKeyId: undefined,
    mfa: undefined,
    sourceIp: '203.0.113.7',
    sourceIsService: false,
    userAgent: undefined,
    errorCode: undefined,
    readOnly: undefined,
    eventId: 'e1',
    raw,
  };
}

describe('renderTemplate', () => {
  const e = event(
    {
      eventName: 'StopLogging',
      requestParameters: { name: 'main-trail', tags: ['a', 'b'], policy: { Effect: 'Allow' } },
    },
    'arn:aws:iam::123456789012:user/alice',
  );

  it('substitutes raw paths and vigil fields', () => {
    expect(
      renderTemplate('{{vigil.principal}} called {{ eventName }} on {{requestParameters.name}}', e, getField),
    ).toBe('arn:aws:iam::123456789012:user/alice called StopLogging on main-trail');
  });

  it('joins arrays, writes objects as compact JSON and missing fields as -', () => {
    expect(
      renderTemplate('{{requestParameters.tags}} {{requestParameters.policy}} {{nope.nothing}}', e, getField),
    ).toBe('a, b {"Effect":"Allow"} -');
  });

  it('takes aggregate values from extra', () => {
    const t = compileTemplate('{{aggregate.value}} calls in {{aggregate.window}}');
    expect(renderTemplate(t, e, getField, { 'aggregate.value': 20, 'aggregate.window': '10m' })).toBe(
      '20 calls in 10m',
    );
  });

  it('never evaluates: placeholders that are not paths stay literal, values are not re-expanded', () => {
    const hostile = event({ eventName: '{{vigil.principal}}', x: '${process.exit()}' });
    expect(
      renderTemplate('{{eventName}} {{ 1 + 1 }} {{x}} {{constructor.constructor}}', hostile, getField),
    ).toBe('{{vigil.principal}} {{ 1 + 1 }} ${process.exit()} -');
  });

  it('truncates long values', () => {
    const long = event({ eventName: 'x'.repeat(1000) });
    const out = renderTemplate('[{{eventName}}]', long, getField);
    expect(out.length).toBe(MAX_VALUE_LENGTH + 2);
    expect(out.endsWith('…]')).toBe(true);
  });

  it('compiles once and lists the paths it reads', () => {
    expect(compileTemplate('a {{b.c}} d {{vigil.region}}').paths).toEqual(['b.c', 'vigil.region']);
  });
});

describe('formatValue', () => {
  it('formats scalars, empties and nested arrays', () => {
    expect(formatValue(undefined)).toBe('-');
    expect(formatValue(null)).toBe('-');
    expect(formatValue([])).toBe('-');
    expect(formatValue(false)).toBe('false');
    expect(formatValue([1, { a: 1 }])).toBe('1, {"a":1}');
  });
});
