import { createChannel, type Channel, type ChannelDeps } from '../notify/index.js';
import type { ResolveSecret } from '../notify/secrets.js';

/** How long a delivery is remembered, so a retried record does not send twice to a channel that took it. */
export const DELIVERY_TTL_MS = 15 * 86_400_000;

/** The item remembering that a channel took an alert (by the alert's routed event id). */
export const deliveryPk = (alertId: string, channelId: string) => `delivery#${alertId}#${channelId}`;

/** What {@link channelsOf} needs beyond the configured channels: their secrets and, in tests, fakes. */
export interface ChannelSource {
  channels: readonly Record<string, unknown>[];
  resolveSecret: ResolveSecret;
  /** fetch, SNS client factory… (resolveSecret comes from the config). */
  channelDeps?: Partial<Omit<ChannelDeps, 'resolveSecret'>> | undefined;
}

/**
 * The functions' channels by id, built by src/notify exactly as `vigil serve` builds them, once per cold
 * start: the notify function sends alerts through them and the respond function its `notify` steps.
 * A channel that could not be built (a secret not read) is built again on its next use.
 */
export function channelsOf(source: ChannelSource): (id: string) => Promise<Channel> {
  const byId = new Map(source.channels.map((c) => [String(c.id), c]));
  const built = new Map<string, Promise<Channel>>();
  return (id) => {
    let p = built.get(id);
    if (!p) {
      const input = byId.get(id);
      p = input
        ? createChannel(input, {
            fetch: globalThis.fetch,
            resolveSecret: source.resolveSecret,
            write: (line) => process.stdout.write(line),
            ...source.channelDeps,
          })
        : Promise.reject(new Error(`"${id}" is not a configured channel`));
      p.catch(() => built.delete(id));
      built.set(id, p);
    }
    return p;
  };
}
