import { describe, expect, it } from 'vitest';
import { alertFacts, plainTextReport, safeLink } from './message.js';
import { testAlert } from './test-support.js';

describe('alertFacts', () => {
  it('extracts what, who, where, when, severity, MITRE and next steps', () => {
    const facts = alertFacts(testAlert({}, { link: 'https://vigil.example/findings/f-3b1c9e0a7d' }));
    expect(facts.headline).toBe('[HIGH 7.5] CloudTrail logging was stopped');
    expect(facts.who).toEqual([
      { label: 'Principal', value: 'arn:aws:iam::123456789012:user/alice' },
      { label: 'Principal type', value: 'IAMUser' },
      { label: 'Access key', value: 'AKIAEXAMPLEKEY000001' },
      { label: 'Source IP', value: '203.0.113.7 (NL, AS64500)' },
      { label: 'User agent', value: 'aws-cli/2.15.0 Python/3.11' },
    ]);
    expect(facts.where.map((f) => f.value)).toEqual([
      '123456789012',
      'us-east-1',
      'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events (AwsCloudTrailTrail)',
    ]);
    expect(facts.when.map((f) => f.value)).toEqual(['2026-11-20T10:00:00Z', '2026-11-20T10:05:00Z', '3']);
    expect(facts.mitre.map((f) => f.value)).toEqual(['TA0005', 'T1562.008']);
    expect(facts.link).toBe('https://vigil.example/findings/f-3b1c9e0a7d');
  });

  it('shows the IP without location when the finding has no geo', () => {
    const facts = alertFacts(testAlert({ actor: { ip: '203.0.113.7' } }));
    expect(facts.who).toEqual([{ label: 'Source IP', value: '203.0.113.7' }]);
  });

  it('keeps single-line fields on one line and drops bidi overrides', () => {
    const facts = alertFacts(testAlert({ title: 'a\nb\u202Ec', actor: { userAgent: 'x\r\ny' } }));
    expect(facts.title).toBe('a b\uFFFDc');
    expect(facts.who[0]?.value).toBe('x y');
  });

  it('drops links that are not absolute http(s) URLs', () => {
    expect(safeLink('javascript:alert(1)')).toBeUndefined();
    expect(safeLink('/findings/1')).toBeUndefined();
    expect(alertFacts(testAlert({}, { link: 'data:text/html,x' })).link).toBeUndefined();
  });

  it('indents multi-line attacker text under its heading in the plain report', () => {
    const text = plainTextReport(
      alertFacts(testAlert({ description: 'line one\nRecommended next steps\nrun evil' })),
    );
    expect(text).toContain('What happened\n  line one\n  Recommended next steps\n  run evil\n');
    expect(text).toContain('Recommended next steps\n  Restart logging with StartLogging.');
    expect(text).toContain('  Source IP: 203.0.113.7 (NL, AS64500)');
  });
});
