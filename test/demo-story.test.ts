import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/run-cli.js';

interface Finding {
  detector: string;
  severityLabel: string;
  actor: { principal?: string; ip?: string };
}

/**
 * The bundled demo (demo/README.md) is an attack story over two days of benign background. Every
 * step a good detector should raise is found, and the background raises nothing: a regression test
 * for detection quality as a whole, not one detection at a time.
 */
describe('the demo attack story', () => {
  it('is found step by step, and the benign background raises nothing', async () => {
    const run = await runCli(['scan', join(REPO, 'demo', 'cloudtrail'), '--format', 'jsonl', '--quiet']);
    expect(run.code).toBe(0);
    const findings = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Finding);
    const detectors = new Set(findings.map((f) => f.detector));
    for (const step of [
      'pentest-kali-linux', // aws-cli on Kali
      'access-denied-burst', // key enumeration
      'iam-enumeration-burst',
      'iam-admin-policy-attached', // backdoor user svc-backup
      'iam-credentials-for-other-user',
      'iam-new-admin-user-with-keys',
      'cloudtrail-logging-stopped',
      'guardduty-detector-disabled',
      'vpc-flow-logs-deleted',
      'security-group-admin-port-open',
      'ec2-key-pair-imported',
      'ec2-gpu-or-large-instances',
      'ec2-mass-instance-launch',
      'ec2-instances-in-new-region',
      'ebs-snapshot-shared',
      's3-bucket-block-public-access-disabled',
      's3-bucket-policy-public',
      'secrets-bulk-retrieval',
      'kms-key-disabled-or-deletion-scheduled',
      'console-login-without-mfa',
      'instance-credentials-outside-aws',
    ]) {
      expect(detectors, `missing ${step}`).toContain(step);
    }
    // Only the attacker's identities and address appear as actors.
    const attacker = [
      'arn:aws:iam::123456789012:user/deploy-bot',
      'arn:aws:iam::123456789012:user/svc-backup',
      'arn:aws:iam::123456789012:role/app-server-role',
    ];
    const benign = findings.filter(
      (f) =>
        !attacker.includes(f.actor.principal ?? '') ||
        (f.actor.ip !== undefined && f.actor.ip !== '203.0.113.77'),
    );
    expect(benign).toEqual([]);
  });
});
