import { ec2Actions } from './actions/ec2.js';
import { effectActions } from './actions/effects.js';
import { iamActions } from './actions/iam.js';
import { kmsActions } from './actions/kms.js';
import { lambdaActions } from './actions/lambda.js';
import { loggingActions } from './actions/logging.js';
import { s3Actions } from './actions/s3.js';
import { networkActions } from './actions/network.js';
import type { AnyAction } from './types.js';

/** Every response action, by name (`vigil respond list --actions`, the README's table). */
export const ALL_ACTIONS: readonly AnyAction[] = [
  ...iamActions,
  ...ec2Actions,
  ...networkActions,
  ...loggingActions,
  ...s3Actions,
  ...kmsActions,
  ...lambdaActions,
  ...effectActions,
];

export function actionRegistry(actions: readonly AnyAction[] = ALL_ACTIONS): Map<string, AnyAction> {
  const map = new Map<string, AnyAction>();
  for (const a of actions) {
    if (map.has(a.name)) throw new Error(`two response actions are named ${a.name}`);
    map.set(a.name, a);
  }
  return map;
}
