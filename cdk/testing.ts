import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { bundleHandlers } from './lib/bundle.js';
import { VigilStack } from './lib/stack.js';
import type { VigilMonitoringProps } from './lib/vigil.js';

export const TEST_ACCOUNT = '111122223333';
export const TEST_REGION = 'eu-west-1';

let bundled: Promise<string> | undefined;

/** The real handler bundles, built once per test file (one esbuild call, about 2 s). */
export function testBundles(): Promise<string> {
  bundled ??= bundleHandlers(join(mkdtempSync(join(tmpdir(), 'vigil-cdk-')), 'lambda'));
  return bundled;
}

/** A live playbook using two actions: its permissions must reach the respond role, no others. */
export const LIVE_PLAYBOOK = {
  id: 'contain-leaked-key',
  dryRun: false,
  trigger: { pattern: { source: ['vigil'], detail: { severityLabel: ['HIGH', 'CRITICAL'] } } },
  steps: [
    {
      action: 'iam.deactivate-access-key',
      params: { userName: 'alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
    },
    {
      action: 'ec2.attach-instance-profile',
      params: {
        instanceId: 'i-0123456789abcdef0',
        instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/quarantine',
      },
    },
  ],
};

/** Synthesizes a VigilStack with `props` over the defaults; with `nag`, both cdk-nag packs run on it. */
export async function synthVigil(
  props: Partial<VigilMonitoringProps> = {},
  options: { nag?: boolean } = {},
): Promise<{ stack: VigilStack; template: Template }> {
  const app = new App();
  const stack = new VigilStack(app, 'Vigil', {
    env: { account: TEST_ACCOUNT, region: TEST_REGION },
    vigil: { handlersDir: await testBundles(), alertEmails: ['secops@example.com'], ...props },
  });
  if (options.nag) {
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    Aspects.of(app).add(new NIST80053R5Checks({ verbose: true }));
  }
  return { stack, template: Template.fromStack(stack) };
}
