import { describe, it, expect } from 'vitest';
import { loadSigmaRule, pascalCase } from './rule.js';
import { SigmaSyntaxError, SigmaUnsupportedError } from './errors.js';

const rule = (overrides: Record<string, string> = {}) => {
  const parts: Record<string, string> = {
    title: 'title: Trail Stopped By IAM-User',
    id: 'id: 0d6a1e2c-1111-4a4a-9b9b-123456789abc',
    status: 'status: test',
    description: 'description: |\n    Someone stopped {{a}} trail.\n    Second line.',
    references: 'references:\n    - https://example.com/trail',
    author: 'author: Jane Doe',
    tags: 'tags:\n    - attack.stealth\n    - attack.persistence\n    - attack.t1562.008',
    logsource: 'logsource:\n    product: aws\n    service: cloudtrail',
    detection: 'detection:\n    selection:\n        eventName: StopLogging\n    condition: selection',
    falsepositives: 'falsepositives:\n    - Trail migration',
    level: 'level: high',
    ...overrides,
  };
  return Object.values(parts).filter(Boolean).join('\n') + '\n';
};

describe('loadSigmaRule', () => {
  it('maps metadata to a Detection', () => {
    const d = loadSigmaRule(rule(), 'rules/trail.yml');
    expect(d).toEqual({
      id: 'sigma-0d6a1e2c-1111-4a4a-9b9b-123456789abc',
      title: 'Trail Stopped By IAM-User',
      type: 'Stealth:AwsApiCall/Sigma.TrailStoppedByIAMUser',
      severity: 7.5,
      maturity: 'stable',
      source: 'cloudtrail',
      author: 'Jane Doe',
      description: 'Someone stopped {{a}} trail.\nSecond line.',
      mitre: { tactics: ['TA0005', 'TA0003'], techniques: ['T1562.008'] },
      detection: { selection: { eventName: 'StopLogging' }, condition: 'selection' },
      dedupKey: ['vigil.accountId', 'vigil.principal'],
      resources: [],
      remediation: "Review the activity; see the rule's references.",
      references: ['https://example.com/trail', 'https://github.com/SigmaHQ/sigma'],
      falsepositives: ['Trail migration'],
      tests: [],
      origin: 'sigma',
      file: 'rules/trail.yml',
    });
  });

  it('maps level to severity and status to maturity', () => {
    const levels: [string, number][] = [
      ['informational', 1],
      ['low', 2],
      ['medium', 5],
      ['high', 7.5],
      ['critical', 9],
    ];
    for (const [level, severity] of levels)
      expect(loadSigmaRule(rule({ level: `level: ${level}` }), 'f').severity).toBe(severity);
    expect(loadSigmaRule(rule({ status: 'status: stable' }), 'f').maturity).toBe('stable');
    expect(loadSigmaRule(rule({ status: 'status: experimental' }), 'f').maturity).toBe('experimental');
    expect(loadSigmaRule(rule({ status: '' }), 'f').maturity).toBe('experimental');
    expect(() => loadSigmaRule(rule({ status: 'status: deprecated' }), 'f')).toThrow(/status "deprecated"/);
    expect(() => loadSigmaRule(rule({ level: 'level: severe' }), 'f')).toThrow(SigmaSyntaxError);
  });

  it('uses Policy as the purpose without a mapped tactic', () => {
    expect(loadSigmaRule(rule({ tags: '' }), 'f').type).toBe('Policy:AwsApiCall/Sigma.TrailStoppedByIAMUser');
    expect(loadSigmaRule(rule({ tags: '' }), 'f').mitre).toEqual({ tactics: [], techniques: [] });
  });

  it('rejects rules for other products', () => {
    const e = () =>
      loadSigmaRule(
        rule({ logsource: 'logsource:\n    product: windows\n    category: process_creation' }),
        'f',
      );
    expect(e).toThrow(SigmaUnsupportedError);
    expect(e).toThrow(/^not an AWS rule \(logsource.product: windows\)/);
    expect(() => loadSigmaRule(rule({ logsource: '' }), 'f')).toThrow(/not an AWS rule/);
  });

  it('validates the detection block', () => {
    expect(() =>
      loadSigmaRule(
        rule({
          detection:
            'detection:\n    selection:\n        eventName: X\n    condition: selection | count() > 3',
        }),
        'f',
      ),
    ).toThrow(/aggregation/);
    expect(() =>
      loadSigmaRule(
        rule({ detection: 'detection:\n    selection:\n        eventName: X\n    condition: sel' }),
        'f',
      ),
    ).toThrow(/unknown selection "sel"/);
  });

  it('reports malformed rules', () => {
    expect(() => loadSigmaRule('title: [unclosed\n', 'f')).toThrow(/invalid YAML/);
    expect(() => loadSigmaRule('- a\n- b\n', 'f')).toThrow(/must be a YAML map/);
    expect(() => loadSigmaRule(rule({ title: '' }), 'f')).toThrow(/"title" is missing/);
    expect(() => loadSigmaRule(rule({ id: 'id: ../../etc' }), 'f')).toThrow(/"id" must be a UUID/);
    expect(() => loadSigmaRule(rule() + '---\ntitle: second\n', 'f')).toThrow(/multi-document/);
  });
});

describe('pascalCase', () => {
  it('joins words, upper-casing each first letter and keeping the rest', () => {
    expect(pascalCase('AWS IAM S3Browser Templated S3 Bucket Policy Creation')).toBe(
      'AWSIAMS3BrowserTemplatedS3BucketPolicyCreation',
    );
    expect(pascalCase('malicious usage of IMDS credentials - outside AWS')).toBe(
      'MaliciousUsageOfIMDSCredentialsOutsideAWS',
    );
  });
});
