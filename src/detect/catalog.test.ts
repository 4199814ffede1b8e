import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { VigilError } from '../core/errors.js';
import { builtinDetectionsDir, DetectionFileError, loadDetectionDir, loadDetectionFile } from './catalog.js';
import { cloudTrailRecord } from './test-records.js';
import { runDetectionTests } from './test-runner.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-catalog-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, content: unknown): string {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : stringify(content));
  return path;
}

function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'CloudTrail logging stopped',
    type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
    severity: 7,
    maturity: 'stable',
    source: 'cloudtrail',
    description: '{{vigil.principal}} called {{eventName}}',
    mitre: { tactics: ['TA0005'], techniques: ['T1562.008'] },
    detection: {
      selection: { eventSource: 'cloudtrail.amazonaws.com', eventName: ['StopLogging', 'DeleteTrail'] },
      condition: 'selection',
    },
    remediation: 'Start logging again.',
    falsepositives: ['Planned trail migration.'],
    tests: [
      {
        name: 'StopLogging matches',
        match: true,
        event: cloudTrailRecord({ eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' }),
      },
      {
        name: 'StartLogging does not',
        match: false,
        event: cloudTrailRecord({ eventName: 'StartLogging', eventSource: 'cloudtrail.amazonaws.com' }),
      },
    ],
    ...overrides,
  };
}

const SIGMA_RULE = `title: AWS CloudTrail Important Change
id: 4db60cc0-36fb-42b7-9b58-a5b53019fb74
status: test
author: Someone
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName: [StopLogging, UpdateTrail, DeleteTrail]
  condition: selection
falsepositives:
  - Valid change in a Trail
level: medium
tags:
  - attack.defense-evasion
  - attack.t1562.001
`;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DetectionFileError);
    expect((err as VigilError).code).toBe('VIGIL_RULE_INVALID');
    return (err as DetectionFileError).problems;
  }
  throw new Error('expected the file to be rejected');
}

describe('loadDetectionFile', () => {
  it('loads a valid file with its id from the file name and the documented defaults', () => {
    const d = loadDetectionFile(write('cloudtrail-logging-stopped.yml', valid()), 'builtin');
    expect(d.id).toBe('cloudtrail-logging-stopped');
    expect(d.origin).toBe('builtin');
    expect(d.dedupKey).toEqual(['vigil.accountId', 'vigil.principal']);
    expect(d.resources).toEqual([]);
    expect(d.references).toEqual([]);
    expect(d.aggregate).toBeUndefined();
    expect(d.tests).toHaveLength(2);
  });

  it('parses window and learning durations to milliseconds', () => {
    const counted = valid({
      aggregate: { kind: 'count', groupBy: ['vigil.principal'], window: '10m', threshold: 20 },
      tests: [
        { name: 'many', events: [cloudTrailRecord({ eventName: 'StopLogging' })], findings: 1 },
        { name: 'few', events: [cloudTrailRecord({ eventName: 'StopLogging' })], findings: 0 },
      ],
    });
    expect(loadDetectionFile(write('counted.yml', counted)).aggregate).toEqual({
      kind: 'count',
      groupBy: ['vigil.principal'],
      window: 600_000,
      threshold: 20,
    });
    const fs = valid({
      aggregate: { kind: 'first-seen', key: ['vigil.region'], scope: ['vigil.accountId'], learning: '7d' },
      tests: counted.tests,
    });
    expect(loadDetectionFile(write('first.yml', fs)).aggregate).toMatchObject({ learning: 7 * 86_400_000 });
  });

  it('reports every problem at once, naming the file and each bad key', () => {
    const { title: _t, ...noTitle } = valid();
    const file = write('broken.yml', {
      ...noTitle,
      severity: 12,
      maturity: 'beta',
      colour: 'red',
      mitre: { tactics: ['defense-evasion'], techniques: [] },
      aggregate: { kind: 'count', window: '10 minutes', threshold: 5 },
      references: ['not a url'],
    });
    let error: unknown;
    try {
      loadDetectionFile(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DetectionFileError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    for (const key of [
      'title',
      'severity',
      'maturity',
      '"colour"',
      'mitre.tactics[0]',
      'aggregate.window',
      'references[0]',
    ]) {
      expect(message).toContain(key);
    }
    expect((error as DetectionFileError).problems.length).toBeGreaterThanOrEqual(7);
  });

  it('reports schema, test-case and detection-block problems together', () => {
    const problems = problemsOf(() =>
      loadDetectionFile(
        write(
          'all-at-once.yml',
          valid({
            severity: 0,
            detection: { selection: { eventName: 'X' }, condition: 'selection or missing' },
            tests: [{ name: 'only', match: true, event: cloudTrailRecord({ eventName: 'X' }) }],
          }),
        ),
      ),
    );
    expect(problems.some((p) => p.startsWith('severity:'))).toBe(true);
    expect(problems).toContain('tests: needs at least one negative case');
    expect(problems.some((p) => p.startsWith('detection:'))).toBe(true);
  });

  it('compiles the detection block and the conditions of the aggregate at load', () => {
    expect(
      problemsOf(() =>
        loadDetectionFile(
          write(
            'bad-condition.yml',
            valid({ detection: { selection: { eventName: 'X' }, condition: 'selection and nope' } }),
          ),
        ),
      ).join('\n'),
    ).toMatch(/^detection: .*nope/m);

    const seq = valid({
      detection: { a: { eventName: 'ListUsers' }, b: { eventName: 'DeleteUser' } },
      aggregate: { kind: 'sequence', groupBy: ['vigil.principal'], window: '1h', steps: ['a', 'c'] },
      tests: [
        { name: 'pos', events: [cloudTrailRecord({ eventName: 'ListUsers' })], findings: 1 },
        { name: 'neg', events: [cloudTrailRecord({ eventName: 'ListUsers' })], findings: 0 },
      ],
    });
    expect(problemsOf(() => loadDetectionFile(write('bad-step.yml', seq))).join('\n')).toMatch(
      /aggregate\.steps\[1\]/,
    );
  });

  it('a sequence without a condition matches any of its steps', () => {
    const seq = valid({
      detection: { a: { eventName: 'ListUsers' }, b: { eventName: 'DeleteUser' } },
      aggregate: { kind: 'sequence', groupBy: ['vigil.principal'], window: '1h', steps: ['a', 'b'] },
      tests: [
        { name: 'pos', events: [cloudTrailRecord({ eventName: 'ListUsers' })], findings: 1 },
        { name: 'neg', events: [cloudTrailRecord({ eventName: 'ListUsers' })], findings: 0 },
      ],
    });
    expect(loadDetectionFile(write('seq.yml', seq)).detection.condition).toBe('(a) or (b)');
  });

  it('checks test cases against the kind of detection and requires both outcomes', () => {
    const problems = problemsOf(() =>
      loadDetectionFile(
        write(
          'cases.yml',
          valid({
            tests: [
              { name: 'one', match: true, event: cloudTrailRecord({ eventName: 'StopLogging' }) },
              { name: 'two', events: [cloudTrailRecord({ eventName: 'StopLogging' })], findings: 1 },
            ],
          }),
        ),
      ),
    );
    expect(problems.join('\n')).toMatch(/tests\[1\] "two"/);
    expect(problems).toContain('tests: needs at least one negative case');
  });

  it('rejects a file name that is not kebab-case, bad YAML and duplicate keys', () => {
    expect(problemsOf(() => loadDetectionFile(write('Bad_Name.yml', valid())))[0]).toMatch(/kebab-case/);
    expect(problemsOf(() => loadDetectionFile(write('bad-yaml.yml', 'title: [unclosed\n')))[0]).toMatch(
      /invalid YAML/,
    );
    expect(problemsOf(() => loadDetectionFile(write('dup-key.yml', 'title: a\ntitle: b\n')))[0]).toMatch(
      /invalid YAML/,
    );
  });

  it('hands a plain Sigma rule to the Sigma loader', () => {
    const d = loadDetectionFile(write('aws_cloudtrail_important_change.yml', SIGMA_RULE));
    expect(d.origin).toBe('sigma');
    expect(d.severity).toBe(5);
  });

  it('an unreadable file is a VIGIL_RULE_INVALID error naming it', () => {
    expect(() => loadDetectionFile(join(dir, 'missing.yml'))).toThrow(/missing\.yml: cannot read/);
  });
});

describe('loadDetectionDir', () => {
  it('loads recursively, delegates plain Sigma rules, and reports bad files and duplicate ids', () => {
    write('a/cloudtrail-logging-stopped.yml', valid());
    write('b/deeper/other-detection.yaml', valid({ title: 'Other' }));
    write('b/cloudtrail-logging-stopped.yml', valid({ title: 'Same id' }));
    write('c/broken.yml', valid({ severity: 'high' }));
    write('sigma/aws_cloudtrail_important_change.yml', SIGMA_RULE);
    write('notes.txt', 'not a detection');

    const { detections, problems } = loadDetectionDir(dir, 'user');
    expect(detections.map((d) => d.id)).toEqual([
      'cloudtrail-logging-stopped',
      'other-detection',
      'sigma-4db60cc0-36fb-42b7-9b58-a5b53019fb74',
    ]);
    expect(detections.map((d) => d.origin)).toEqual(['user', 'user', 'sigma']);
    expect(problems).toHaveLength(2);
    expect(problems[0]!.file).toBe(join(dir, 'b/cloudtrail-logging-stopped.yml'));
    expect(problems[0]!.reason).toMatch(/duplicate detection id "cloudtrail-logging-stopped"/);
    expect(problems[1]!.file).toBe(join(dir, 'c/broken.yml'));
    expect(problems[1]!.reason).toMatch(/severity/);
  });

  it('reports an unsupported Sigma rule as a problem', () => {
    write('okta.yml', SIGMA_RULE.replace('product: aws', 'product: okta'));
    const { detections, problems } = loadDetectionDir(dir, 'user');
    expect(detections).toHaveLength(0);
    expect(problems[0]!.reason).toMatch(/not an AWS rule/);
  });

  it('reports a missing directory', () => {
    expect(loadDetectionDir(join(dir, 'nope'), 'user').problems[0]!.reason).toMatch(/cannot read directory/);
  });
});

describe('the built-in catalogue', () => {
  const builtin = builtinDetectionsDir();

  it('resolves to the repository detections folder', () => {
    expect(basename(builtin)).toBe('detections');
    expect(existsSync(builtin)).toBe(true);
  });

  it('loads without problems and every detection passes its own test cases', () => {
    const { detections, problems } = loadDetectionDir(builtin, 'builtin');
    expect(problems).toEqual([]);
    const failed = runDetectionTests(detections).filter((r) => !r.ok);
    expect(failed).toEqual([]);
  });
});
