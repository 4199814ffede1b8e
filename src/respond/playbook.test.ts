import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { respondConfigSchema } from './config.js';
import { compilePlaybooks } from './playbook.js';
import { actionRegistry } from './registry.js';
import { compileValue, TemplateError } from './template.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-playbooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scope = {
  finding: {
    accountId: '111122223333',
    actor: { principal: 'arn:aws:iam::111122223333:user/team/alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
    resources: [
      { type: 'AwsS3Bucket', id: 'arn:aws:s3:::logs' },
      { type: 'AwsEc2Instance', id: 'i-0123456789abcdef0' },
    ],
    evidence: { eventNames: ['StopLogging', 'DeleteTrail'] },
    count: 3,
  },
  event: { region: 'eu-west-1' },
};

describe('parameter templates', () => {
  it('read fields, array elements by index or key, and apply filters', () => {
    expect(compileValue('{{ finding.actor.principal | name }}', 'p').resolve(scope)).toBe('alice');
    expect(compileValue('{{finding.actor.principal|account}}', 'p').resolve(scope)).toBe('111122223333');
    expect(compileValue('{{ finding.resources[type=AwsEc2Instance].id }}', 'p').resolve(scope)).toBe(
      'i-0123456789abcdef0',
    );
    expect(compileValue('{{ finding.evidence.eventNames[1] | lower }}', 'p').resolve(scope)).toBe(
      'deletetrail',
    );
    expect(compileValue('{{ finding.count }}', 'p').resolve(scope)).toBe(3);
    expect(
      compileValue('key {{ finding.actor.accessKeyId }} in {{ event.region }}', 'p').resolve(scope),
    ).toBe('key AKIAIOSFODNN7EXAMPLE in eu-west-1');
    expect(compileValue({ tags: ['{{ finding.count }}', 7] }, 'p').resolve(scope)).toEqual({ tags: [3, 7] });
  });

  it('are data, not code: no prototype walks, no evaluation, empty paths are errors', () => {
    expect(() => compileValue('{{ finding.constructor.name }}', 'p').resolve(scope)).toThrow(TemplateError);
    expect(() => compileValue('{{ finding.__proto__.x }}', 'p').resolve(scope)).toThrow(/empty/);
    expect(() => compileValue('{{ process.env.HOME }}', 'p')).toThrow(/starts with finding\. or event\./);
    expect(() => compileValue('{{ finding.a | eval }}', 'p')).toThrow(/unknown filter "eval"/);
    expect(() => compileValue('{{ finding.a[1+1] }}', 'p')).toThrow(/not a field name/);
    expect(() => compileValue('{{ finding.actor.userName }}', 'params.userName').resolve(scope)).toThrow(
      'params.userName: {{ finding.actor.userName }} is empty for this finding',
    );
  });
});

describe('playbook compilation', () => {
  const actions = actionRegistry();
  const compile = (playbooks: unknown[], files: string[] = [], routes = ['r']) =>
    compilePlaybooks(
      respondConfigSchema.parse({ playbooks, playbookFiles: files }),
      actions,
      new Set(routes),
    );
  const step = {
    action: 'iam.deactivate-access-key',
    params: { userName: 'alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
  };

  it('defaults: dry run, approval from the action, 60 s timeout, 5 runs an hour', () => {
    const { playbooks, problems } = compile([
      {
        id: 'p',
        trigger: { route: 'r' },
        steps: [step, { action: 'iam.quarantine-user', params: { userName: 'alice' } }],
      },
    ]);
    expect(problems).toEqual([]);
    expect(playbooks[0]).toMatchObject({ dryRun: true, rateLimit: { max: 5, perMs: 3_600_000 } });
    expect(playbooks[0]!.steps.map((s) => [s.id, s.approval, s.timeoutMs])).toEqual([
      ['step-1', 'auto', 60_000],
      ['step-2', 'required', 60_000],
    ]);
  });

  it('reports every problem at once, naming playbook, step and field', () => {
    const { playbooks, problems } = compile([
      {
        id: 'bad',
        trigger: { route: 'nope' },
        steps: [
          { action: 'iam.no-such-thing' },
          {
            id: 'k',
            action: 'iam.deactivate-access-key',
            params: { userName: 'alice', accessKeyId: 'ASIAIOSFODNN7EXAMPLE' },
          },
          { id: 't', action: 'iam.quarantine-user', params: { userName: '{{ finding.actor | nope }}' } },
          {
            id: 'w',
            action: 'wait-for-approval',
            approval: 'auto',
            when: { detail: { severity: [{ numeric: ['>'] }] } },
          },
        ],
      },
      { id: 'bad', trigger: { pattern: { detail: 'not-an-array' } }, steps: [step] },
    ]);
    expect(playbooks).toEqual([]);
    const text = problems.join('\n');
    expect(text).toMatch(/playbook bad \(respond\.playbooks\[0\]\): trigger\.route "nope" is not a route/);
    expect(text).toMatch(/step step-1: unknown action "iam\.no-such-thing"/);
    expect(text).toMatch(/step k: params\.accessKeyId: an IAM user access key id/);
    expect(text).toMatch(/step t: .*unknown filter "nope"/);
    expect(text).toMatch(/step w: when:/);
    expect(text).toMatch(/step w: wait-for-approval always needs an approval/);
    expect(text).toMatch(/respond\.playbooks\[1\]\): another playbook has the id bad/);
    expect(text).toMatch(/respond\.playbooks\[1\]\): trigger\.pattern/);
  });

  it('reads playbooks from YAML files and folders, one or a list per file', () => {
    writeFileSync(
      join(dir, 'one.yaml'),
      `id: from-file\ntrigger: { route: r }\nsteps:\n  - action: iam.deactivate-access-key\n    params: { userName: alice, accessKeyId: AKIAIOSFODNN7EXAMPLE }\n`,
    );
    writeFileSync(
      join(dir, 'two.yml'),
      `- id: a\n  trigger: { route: r }\n  steps: [{ action: notify, params: { channel: c, subject: s, text: t } }]\n- id: b\n  trigger: { route: r }\n  steps: []\n`,
    );
    writeFileSync(join(dir, 'ignored.txt'), 'not yaml');
    const { playbooks, problems } = compile([], [dir, join(dir, 'missing.yaml')]);
    expect(playbooks.map((p) => p.id).sort()).toEqual(['a', 'from-file']);
    expect(problems.join('\n')).toMatch(/two\.yml\[1\]: steps: Array must contain at least 1 element/);
    expect(problems.join('\n')).toMatch(/missing\.yaml: ENOENT/);
  });
});
