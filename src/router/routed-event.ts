import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.js';

/**
 * The routed event contract (ARCHITECTURE.md): every finding enters the router as an EventBridge event,
 * so patterns written for EventBridge work unchanged, and real GuardDuty / Security Hub events are routed
 * the same way.
 */
export interface RoutedEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** A finding as an EventBridge event; its id is stable per finding and occurrence (`lastSeen`, `count`). */
export function findingEvent(finding: Finding): RoutedEvent {
  const id = createHash('sha256')
    .update(`${finding.id}\u0000${finding.lastSeen}\u0000${finding.count}`)
    .digest('hex');
  return {
    version: '0',
    id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
    'detail-type': 'Vigil Finding',
    source: 'vigil',
    account: finding.accountId,
    time: finding.lastSeen,
    region: finding.region,
    resources: finding.resources.map((r) => r.id),
    detail: finding as unknown as Record<string, unknown>,
  };
}
