import * as iam from 'aws-cdk-lib/aws-iam';
import { playbookSchema, type PlaybookConfig } from '../../src/respond/config.js';
import { actionRegistry } from '../../src/respond/registry.js';
import type { AnyAction } from '../../src/respond/types.js';

/** Services a role passed by a response action goes to (ec2.attach-instance-profile, ec2.create-flow-logs). */
export const PASS_ROLE_SERVICES = ['ec2.amazonaws.com', 'vpc-flow-logs.amazonaws.com'] as const;

/**
 * The playbooks as the respond function will run them, validated with vigil.yaml's schema so a bad
 * playbook fails `cdk synth` rather than the first alert.
 */
export function parsePlaybooks(definitions: readonly unknown[]): PlaybookConfig[] {
  return definitions.map((d, i) => {
    const parsed = playbookSchema.safeParse(d);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((x) => `${x.path.join('.') || '(playbook)'}: ${x.message}`);
      throw new Error(`playbooks[${i}] is invalid: ${problems.join('; ')}`);
    }
    return parsed.data;
  });
}

/**
 * The IAM actions the respond function needs: those of every action a live playbook uses (the same
 * `permissions` the README's table lists). A dry run plans and changes nothing, so dry-run playbooks —
 * and every playbook while the deployment is in dry-run — need none.
 */
export function respondActions(
  playbooks: readonly PlaybookConfig[],
  dryRun: boolean,
  actions: ReadonlyMap<string, AnyAction> = actionRegistry(),
): string[] {
  const needed = new Set<string>();
  for (const playbook of playbooks) {
    for (const step of playbook.steps) {
      const action = actions.get(step.action);
      if (!action) throw new Error(`playbook ${playbook.id}: unknown response action "${step.action}"`);
      if (dryRun || playbook.dryRun) continue;
      for (const p of action.permissions) needed.add(p);
    }
  }
  return [...needed].sort();
}

/**
 * Policy statements granting `actions`, each on the narrowest resource known before a finding names one:
 * IAM actions on this account's IAM resources (the function acts in other accounts only through roles it
 * assumes there), `iam:PassRole` only to the services the actions pass roles to, and the rest on `*` —
 * instance, bucket, key and function ids come from findings at run time.
 */
export function respondStatements(actions: readonly string[], partition: string, account: string) {
  const iamArn = `arn:${partition}:iam::${account}:*`;
  const statements: iam.PolicyStatement[] = [];
  const iamActions = actions.filter((a) => a.startsWith('iam:') && a !== 'iam:PassRole');
  const other = actions.filter((a) => !a.startsWith('iam:'));
  if (iamActions.length)
    statements.push(new iam.PolicyStatement({ actions: iamActions, resources: [iamArn] }));
  if (actions.includes('iam:PassRole')) {
    statements.push(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [`arn:${partition}:iam::${account}:role/*`],
        conditions: { StringEquals: { 'iam:PassedToService': [...PASS_ROLE_SERVICES] } },
      }),
    );
  }
  if (other.length) statements.push(new iam.PolicyStatement({ actions: other, resources: ['*'] }));
  return statements;
}
