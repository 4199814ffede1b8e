import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Channel, ChannelDeps } from '../../notify/index.js';
import { createRouter, type Router } from '../../router/router.js';
import { alertFromEvent } from '../alert.js';
import { parseEventBridgeBody, PoisonRecordError, processBatch } from '../batch.js';
import { channelsOf, DELIVERY_TTL_MS, deliveryPk } from '../channels.js';
import { awsParameterSource, configLoader, type LoadedAwsConfig } from '../config.js';
import { defaultTable } from '../env.js';
import { errorMessage, jsonLogger, type Logger } from '../log.js';
import { SK, ttlAfter, type Table } from '../table.js';
import { ALERT_DETAIL_TYPE, VIGIL_SOURCE, type SQSBatchResponse, type SQSEvent } from '../types.js';

export interface NotifyDeps {
  table: Table;
  config: () => Promise<LoadedAwsConfig>;
  /** fetch, SNS client factory… for the channels (resolveSecret comes from the config). */
  channelDeps?: Partial<Omit<ChannelDeps, 'resolveSecret'>>;
  log?: Logger;
  now?: () => number;
  /** Per-delivery timeout (a channel's own `timeoutMs` wins for HTTP channels). */
  timeoutMs?: number;
}

export { DELIVERY_TTL_MS } from '../channels.js';

/**
 * Notification: each "Vigil Alert" goes through the router (the configured routes, the same automaton as
 * `vigil serve`) to its channels, built by src/notify exactly as in serve. Each channel that takes the
 * alert is remembered (`delivery#<alert>#<channel>`), so when one channel fails and SQS delivers the
 * record again, only the channels that have not yet taken it are tried. Any failed channel fails the
 * record (retried, then the dead-letter queue). Digests need a process that holds alerts: in Lambda
 * every alert is sent at once, and a channel's `digest` setting is ignored.
 */
export function createNotifyHandler(deps: NotifyDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const log = deps.log ?? jsonLogger();
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  let wired:
    | Promise<{ router: Router; targets: Map<string, string[]>; channel: (id: string) => Promise<Channel> }>
    | undefined;

  async function wire() {
    const { config, resolveSecret } = await deps.config();
    const router = createRouter(config.routes.map((r) => ({ name: r.name, pattern: r.pattern })));
    const targets = new Map(config.routes.map((r) => [r.name, r.targets]));
    for (const c of config.channels)
      if (c.digest !== undefined)
        log('warn', 'channel digest is not supported in Lambda: alerts are sent at once', { channel: c.id });
    const channel = channelsOf({ channels: config.channels, resolveSecret, channelDeps: deps.channelDeps });
    return { router, targets, channel };
  }

  return (event) =>
    processBatch(
      event,
      async (record) => {
        const body = parseEventBridgeBody(record.body);
        if (body.source !== VIGIL_SOURCE || body['detail-type'] !== ALERT_DETAIL_TYPE)
          throw new PoisonRecordError(`not a Vigil Alert (${body.source} / ${body['detail-type']})`);
        const alert = alertFromEvent(body);
        if (!wired) {
          wired = wire();
          wired.catch(() => (wired = undefined));
        }
        const { router, targets, channel } = await wired;
        const ids = new Set<string>();
        for (const route of router.match(alert.event)) for (const id of targets.get(route) ?? []) ids.add(id);
        if (!ids.size) {
          log('info', 'alert matched no route', { messageId: record.messageId, findingId: alert.finding.id });
          return;
        }
        const done = await deps.table.getMany([...ids].map((id) => deliveryPk(alert.event.id, id)));
        const failures: string[] = [];
        for (const id of ids) {
          const pk = deliveryPk(alert.event.id, id);
          if (done.has(pk)) continue;
          try {
            const result = await (await channel(id)).send(alert, { signal: AbortSignal.timeout(timeoutMs) });
            if (!result.ok) {
              failures.push(id);
              log('error', 'delivery failed', {
                messageId: record.messageId,
                channel: id,
                findingId: alert.finding.id,
                retryable: result.retryable,
                error: result.error,
              });
              continue;
            }
            await deps.table.put({ pk, sk: SK, at: now(), ttl: ttlAfter(now(), DELIVERY_TTL_MS) });
            log('info', 'alert delivered', {
              messageId: record.messageId,
              channel: id,
              findingId: alert.finding.id,
              ...(result.providerId ? { providerId: result.providerId } : {}),
            });
          } catch (err) {
            failures.push(id);
            log('error', 'delivery failed', {
              messageId: record.messageId,
              channel: id,
              error: errorMessage(err),
            });
          }
        }
        if (failures.length) throw new Error(`delivery failed for channel(s) ${failures.join(', ')}`);
      },
      log,
    );
}

let cold: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  cold ??= createNotifyHandler({
    table: defaultTable(),
    config: configLoader(awsParameterSource(new SSMClient({}), new SecretsManagerClient({}))),
  });
  return cold(event);
};
