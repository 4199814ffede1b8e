import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NAG_SUPPRESSIONS } from './lib/nag.js';
import { LIVE_PLAYBOOK, synthVigil } from './testing.js';
import type { VigilStack } from './lib/stack.js';

/** Every option that adds resources or permissions is on, so every nag finding the construct can raise shows. */
let stack: VigilStack;
let template: Template;
beforeAll(async () => {
  ({ stack, template } = await synthVigil(
    {
      playbooks: {
        enabled: true,
        dryRun: false,
        definitions: [LIVE_PLAYBOOK],
        assumeRoleArns: ['arn:aws:iam::444455556666:role/VigilResponder'],
      },
      s3DataEventBuckets: ['customer-data'],
      slackWebhookSecretName: 'vigil/slack',
      webhook: { url: 'https://hooks.example.com/vigil', signingSecretName: 'vigil/webhook' },
      organizationTrail: true,
      organizationId: 'o-a1b2c3d4e5',
    },
    { nag: true },
  ));
});

const describeMessages = (messages: ReturnType<Annotations['findError']>) =>
  messages.map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);

describe('cdk-nag', () => {
  it('AwsSolutions and NIST 800-53 rev. 5 leave no unsuppressed error or warning', () => {
    const annotations = Annotations.fromStack(stack);
    const nag = /^(AwsSolutions|NIST\.800\.53\.R5)-/;
    const errors = annotations
      .findError('*', Match.stringLikeRegexp('.*'))
      .filter((m) => nag.test(String(m.entry.data)));
    const warnings = annotations
      .findWarning('*', Match.stringLikeRegexp('.*'))
      .filter((m) => nag.test(String(m.entry.data)));
    expect(describeMessages(errors)).toEqual([]);
    expect(describeMessages(warnings)).toEqual([]);
  });

  it('the packs did run: the accepted findings are recorded on the resources they concern', () => {
    const metadata = JSON.stringify(template.toJSON());
    expect(metadata).toContain('rules_to_suppress');
    expect(metadata).toContain('NIST.800.53.R5-LambdaInsideVPC');
    expect(metadata).toContain('AwsSolutions-IAM5');
  });

  it('every suppression says why in a full sentence, each reason its own', () => {
    const reasons = NAG_SUPPRESSIONS.map((s) => s.reason);
    for (const s of NAG_SUPPRESSIONS) {
      expect(s.reason.length, s.id).toBeGreaterThanOrEqual(80);
      expect(s.reason.trim().split(/\s+/).length, s.id).toBeGreaterThanOrEqual(15);
      expect(s.reason, s.id).toMatch(/[.!]$/);
      expect(s.reason.toLowerCase(), s.id).not.toMatch(/\b(todo|tbd|fixme|n\/a|not needed|ignore)\b/);
    }
    expect(new Set(reasons).size).toBe(reasons.length);
  });

  it('wildcard resources are accepted only for the listed patterns, never construct-wide', () => {
    for (const s of NAG_SUPPRESSIONS.filter((x) => x.id === 'AwsSolutions-IAM5')) {
      expect(s.appliesTo?.length, s.reason).toBeGreaterThan(0);
    }
  });
});
