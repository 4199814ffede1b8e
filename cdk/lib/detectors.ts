import { Stack } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';

export interface AwsDetectorsProps {
  /** Create the GuardDuty detector (an account has one per region: false when one exists). */
  guardDuty: boolean;
  /** Enable Security Hub (false when it is already enabled). */
  securityHub: boolean;
  /** Standards to subscribe to (default both). They bill per check: docs/cost.md. */
  securityHubStandards?: readonly (keyof typeof SECURITY_HUB_STANDARDS)[];
  /** GuardDuty S3 protection (S3 data event analysis; default on). */
  s3Protection?: boolean;
}

/** Standards Vigil subscribes Security Hub to, by ARN path (`…:securityhub:<region>::<path>`). */
export const SECURITY_HUB_STANDARDS = {
  Fsbp: 'standards/aws-foundational-security-best-practices/v/1.0.0',
  Cis: 'standards/cis-aws-foundations-benchmark/v/3.0.0',
} as const;

/**
 * AWS's own detectors in this region: GuardDuty (S3 protection on, updated findings published every 15
 * minutes instead of the default 6 hours) and Security Hub with the AWS Foundational Security Best Practices
 * and CIS AWS Foundations standards. Both are regional: deploy the stack in each region to cover it.
 */
export class AwsDetectors extends Construct {
  readonly detector?: guardduty.CfnDetector;
  readonly hub?: securityhub.CfnHub;

  constructor(scope: Construct, id: string, props: AwsDetectorsProps) {
    super(scope, id);
    const { region, partition } = Stack.of(this);
    if (props.guardDuty) {
      this.detector = new guardduty.CfnDetector(this, 'GuardDuty', {
        enable: true,
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
        features: [{ name: 'S3_DATA_EVENTS', status: props.s3Protection === false ? 'DISABLED' : 'ENABLED' }],
      });
    }
    if (props.securityHub) {
      const hub = new securityhub.CfnHub(this, 'SecurityHub', {
        enableDefaultStandards: false,
        controlFindingGenerator: 'SECURITY_CONTROL',
        autoEnableControls: true,
      });
      this.hub = hub;
      const wanted = new Set(props.securityHubStandards ?? Object.keys(SECURITY_HUB_STANDARDS));
      for (const [name, path] of Object.entries(SECURITY_HUB_STANDARDS)) {
        if (!wanted.has(name)) continue;
        const standard = new securityhub.CfnStandard(this, name, {
          standardsArn: `arn:${partition}:securityhub:${region}::${path}`,
        });
        standard.node.addDependency(hub);
      }
    }
  }
}
