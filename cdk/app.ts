import { readFileSync } from 'node:fs';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { parse } from 'yaml';
import { bundleHandlers, repoRoot } from './lib/bundle.js';
import { VigilStack } from './lib/stack.js';
import type { VigilMonitoringProps } from './lib/vigil.js';

/**
 * `npx cdk deploy` (cdk.json runs this after `tsc -p cdk/tsconfig.json`). Settings come from CDK context
 * (`-c vigil:key=value` or cdk.json's "context"), every key prefixed `vigil:`: alertEmails (comma-separated),
 * minSeverity, playbooks (a YAML file: a list of playbooks in vigil.yaml's form; giving one enables them),
 * dryRun, regions (comma-separated; the stack is deployed in each), organizationTrail, organizationId,
 * dataEventBuckets (comma-separated), slackWebhookSecret, webhookUrl + webhookSecret, logRetentionDays,
 * trailDays, guardDuty, securityHub, securityHubStandards (fsbp,cis or none), s3Protection. The README's
 * "Deploy to AWS" lists them.
 */
const app = new App();
const ctx = (key: string): string | undefined => {
  const v: unknown = app.node.tryGetContext(`vigil:${key}`);
  return v === undefined || v === null || v === '' ? undefined : String(v);
};
const list = (key: string) =>
  (ctx(key) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const flag = (key: string, fallback: boolean) => (ctx(key) === undefined ? fallback : ctx(key) === 'true');

const root = repoRoot();
const playbooksFile = ctx('playbooks');
const handlersDir = await bundleHandlers(`${root}/dist-lambda`, root);
const regions = list('regions');
const props: VigilMonitoringProps = {
  handlersDir,
  alertEmails: list('alertEmails'),
  minSeverity: (ctx('minSeverity')?.toUpperCase() ?? 'MEDIUM') as VigilMonitoringProps['minSeverity'],
  playbooks: {
    enabled: flag('playbooksEnabled', playbooksFile !== undefined),
    dryRun: flag('dryRun', true),
    definitions: playbooksFile ? ([parse(readFileSync(playbooksFile, 'utf8'))].flat() as unknown[]) : [],
  },
  regions,
  organizationTrail: flag('organizationTrail', false),
  ...(ctx('organizationId') ? { organizationId: ctx('organizationId') } : {}),
  s3DataEventBuckets: list('dataEventBuckets'),
  ...(ctx('slackWebhookSecret') ? { slackWebhookSecretName: ctx('slackWebhookSecret') } : {}),
  ...(ctx('webhookUrl') && ctx('webhookSecret')
    ? { webhook: { url: ctx('webhookUrl')!, signingSecretName: ctx('webhookSecret')! } }
    : {}),
  retention: {
    ...(ctx('logRetentionDays') ? { logs: Number(ctx('logRetentionDays')) } : {}),
    ...(ctx('trailDays') ? { trailDays: Number(ctx('trailDays')) } : {}),
  },
  guardDuty: flag('guardDuty', true),
  securityHub: flag('securityHub', true),
  ...(ctx('securityHubStandards') !== undefined
    ? {
        securityHubStandards: list('securityHubStandards')
          .filter((s) => s !== 'none')
          .map((s) => (s.toLowerCase() === 'cis' ? 'Cis' : 'Fsbp')),
      }
    : {}),
  s3Protection: flag('s3Protection', true),
};
const account = process.env.CDK_DEFAULT_ACCOUNT;
const homeRegion = process.env.CDK_DEFAULT_REGION;
for (const [i, region] of (regions.length ? regions : [homeRegion]).entries()) {
  new VigilStack(app, i === 0 ? 'Vigil' : `Vigil-${region}`, {
    env: { account, region },
    description: 'Vigil: AWS security monitoring (CloudTrail, GuardDuty, Security Hub, detection, alerting)',
    // One trail covers every region: only the home stack creates it.
    vigil: { ...props, ...(i > 0 ? { trail: false } : {}) },
  });
}
// Both cdk-nag packs run on every synth: an unsuppressed finding fails `cdk synth` and `cdk deploy`
// (suppressions, each with its reason, are in cdk/lib/nag.ts).
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
Aspects.of(app).add(new NIST80053R5Checks({ verbose: true }));
app.synth();
