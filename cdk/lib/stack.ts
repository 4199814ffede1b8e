import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { VigilMonitoring, type VigilMonitoringProps } from './vigil.js';

export interface VigilStackProps extends StackProps {
  vigil: VigilMonitoringProps;
}

/** One deployable stack holding the Vigil construct (one per account and region). */
export class VigilStack extends Stack {
  readonly vigil: VigilMonitoring;

  constructor(scope: Construct, id: string, props: VigilStackProps) {
    super(scope, id, props);
    this.vigil = new VigilMonitoring(this, 'Vigil', props.vigil);
  }
}
