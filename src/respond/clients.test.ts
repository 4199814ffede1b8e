import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClientFactory } from './clients.js';
import { ActionError } from './types.js';
import { awsError } from './testing.js';

const sts = mockClient(STSClient);
const HOME = '111122223333';
const OTHER = '444455556666';
const ROLE = `arn:aws:iam::${OTHER}:role/vigil-response`;
const T0 = Date.parse('2026-11-25T12:00:00Z');

/** STS that hands out numbered credentials valid for an hour from the test clock. */
function issueCredentials(clock: { now: number }) {
  let n = 0;
  sts.on(AssumeRoleCommand).callsFake(() => {
    n++;
    return {
      Credentials: {
        AccessKeyId: `ASIAASSUMED00000000${n}`,
        SecretAccessKey: `secret-${n}`,
        SessionToken: `token-${n}`,
        Expiration: new Date(clock.now + 3600_000),
      },
      $metadata: { requestId: `req-assume-${n}` },
    };
  });
}

const factory = (clock = { now: T0 }) =>
  createClientFactory({
    homeAccountId: HOME,
    accounts: { [OTHER]: { roleArn: ROLE, externalId: 'vigil-ext-7f3a', sessionName: 'vigil-respond' } },
    now: () => clock.now,
  });

beforeEach(() => {
  // The home account's default credential chain reads these first: fixed fake values, never real ones.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAHOMEACCOUNTEXAMPL');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'home-secret');
  vi.stubEnv('AWS_SESSION_TOKEN', '');
});
afterEach(() => {
  sts.reset();
  vi.unstubAllEnvs();
});

describe('createClientFactory', () => {
  it('uses the default credentials in the home account, without AssumeRole', async () => {
    const clients = factory();
    const client = await clients.get(IAMClient, { accountId: HOME, region: 'us-east-1' });
    expect(client).toBeInstanceOf(IAMClient);
    expect(await client.config.credentials()).toMatchObject({
      accessKeyId: 'AKIAHOMEACCOUNTEXAMPL',
      secretAccessKey: 'home-secret',
    });
    expect(await client.config.maxAttempts()).toBe(1);
    expect(await clients.get(IAMClient, { accountId: HOME, region: 'us-east-1' })).toBe(client);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('assumes the listed role once with its external ID for several clients and regions', async () => {
    const clock = { now: T0 };
    issueCredentials(clock);
    const clients = factory(clock);
    const [iam, ec2West, ec2East] = await Promise.all([
      clients.get(IAMClient, { accountId: OTHER, region: 'us-east-1' }),
      clients.get(EC2Client, { accountId: OTHER, region: 'eu-west-1' }),
      clients.get(EC2Client, { accountId: OTHER, region: 'us-east-2' }),
    ]);
    expect(await clients.get(EC2Client, { accountId: OTHER, region: 'eu-west-1' })).toBe(ec2West);
    const calls = sts.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'vigil-respond',
      ExternalId: 'vigil-ext-7f3a',
      DurationSeconds: 3600,
    });
    const assumed = {
      accessKeyId: 'ASIAASSUMED000000001',
      secretAccessKey: 'secret-1',
      sessionToken: 'token-1',
      expiration: new Date(T0 + 3600_000),
    };
    for (const client of [iam, ec2West, ec2East])
      expect(await client.config.credentials()).toMatchObject(assumed);
    expect(await ec2West.config.region()).toBe('eu-west-1');
    expect(await ec2East.config.region()).toBe('us-east-2');
    expect(await iam.config.maxAttempts()).toBe(1);
  });

  it('names the default session and sends no external ID when none is configured', async () => {
    issueCredentials({ now: T0 });
    const clients = createClientFactory({ homeAccountId: HOME, accounts: { [OTHER]: { roleArn: ROLE } } });
    await clients.get(IAMClient, { accountId: OTHER, region: 'us-east-1' });
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'vigil-response',
      DurationSeconds: 3600,
    });
  });

  it('refuses an account that is neither home nor listed', async () => {
    const err = await factory()
      .get(IAMClient, { accountId: '999999999999', region: 'us-east-1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).kind).toBe('refused');
    expect((err as ActionError).message).toMatch(/no role is configured for account 999999999999/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('uses the default credentials everywhere when no home account is configured and none is listed', async () => {
    const client = await createClientFactory().get(IAMClient, {
      accountId: '999999999999',
      region: 'us-east-1',
    });
    expect((await client.config.credentials()).accessKeyId).toBe('AKIAHOMEACCOUNTEXAMPL');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('reports AssumeRole AccessDenied naming the role, and tries again on the next use', async () => {
    const clock = { now: T0 };
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        awsError(
          'AccessDenied',
          `User: arn:aws:iam::${HOME}:role/vigil is not authorized to perform: sts:AssumeRole`,
          403,
        ),
      );
    const clients = factory(clock);
    const err = await clients
      .get(IAMClient, { accountId: OTHER, region: 'us-east-1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).kind).toBe('access-denied');
    expect((err as ActionError).awsCode).toBe('AccessDenied');
    expect((err as ActionError).message).toContain(`cannot assume ${ROLE} for account ${OTHER}`);
    expect((err as ActionError).message).toMatch(/not authorized to perform: sts:AssumeRole/);

    issueCredentials(clock);
    const client = await clients.get(IAMClient, { accountId: OTHER, region: 'us-east-1' });
    expect((await client.config.credentials()).accessKeyId).toBe('ASIAASSUMED000000001');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('fails clearly when STS returns no credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    const err = await factory()
      .get(IAMClient, { accountId: OTHER, region: 'us-east-1' })
      .catch((e: unknown) => e);
    expect((err as ActionError).kind).toBe('aws');
    expect((err as ActionError).message).toMatch(/AssumeRole returned no credentials/);
  });

  it('renews the credentials shortly before they expire', async () => {
    const clock = { now: T0 };
    issueCredentials(clock);
    const clients = factory(clock);
    const target = { accountId: OTHER, region: 'us-east-1' };
    const first = await clients.get(IAMClient, target);

    clock.now = T0 + 50 * 60_000; // 10 minutes left: still used
    expect(await clients.get(IAMClient, target)).toBe(first);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);

    clock.now = T0 + 56 * 60_000; // 4 minutes left: renewed, for every client of the account
    const renewed = await clients.get(IAMClient, target);
    const ec2 = await clients.get(EC2Client, { accountId: OTHER, region: 'eu-west-1' });
    expect(renewed).not.toBe(first);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    for (const client of [renewed, ec2])
      expect(await client.config.credentials()).toMatchObject({
        accessKeyId: 'ASIAASSUMED000000002',
        sessionToken: 'token-2',
        expiration: new Date(clock.now + 3600_000),
      });
  });
});
