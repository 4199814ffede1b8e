import { createActionContext } from './context.js';
import type { ActionContext, ActionEffects, ActionTarget, ClientFactory } from './types.js';
import type { Finding } from '../core/finding.js';

export const TEST_TARGET: ActionTarget = { accountId: '111122223333', region: 'us-east-1' };

/**
 * Real SDK v3 clients with fixed fake credentials: under aws-sdk-client-mock (`mockClient(IAMClient)`)
 * their `send` is intercepted, so the commands and parameters an action sends are what tests assert.
 */
export const testClients: ClientFactory = {
  async get(Client, target) {
    return new Client({
      region: target.region,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-secret' },
    });
  },
};

/** An action context for tests: instant retries, a fixed clock and id. */
export function testContext(
  options: { target?: ActionTarget; finding?: Finding; effects?: ActionEffects; actionId?: string } = {},
): ActionContext {
  return createActionContext({
    target: options.target ?? TEST_TARGET,
    clients: testClients,
    actionId: options.actionId ?? 'act-test-0001',
    ...(options.finding ? { finding: options.finding } : {}),
    ...(options.effects ? { effects: options.effects } : {}),
    now: () => new Date('2026-11-25T12:00:00Z'),
    sleep: async () => undefined,
  });
}

/** An error shaped like the ones AWS SDK v3 clients throw (name = AWS error code, $metadata). */
export function awsError(code: string, message = code, httpStatusCode = 400): Error {
  const err = new Error(message) as Error & { $metadata: object; $fault: string };
  err.name = code;
  err.$metadata = { httpStatusCode, requestId: `req-${code}` };
  err.$fault = httpStatusCode >= 500 ? 'server' : 'client';
  return err;
}
