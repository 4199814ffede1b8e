import type { DerivedField } from './index.js';

/**
 * Facts about a VPC flow record, for network detections:
 *
 * - `vigil.flow.packetSize`: mean bytes per packet of the flow (`bytes / packets`, rounded down). Floods
 *   send small packets (a SYN is 40–60 bytes, a UDP or DNS flood packet rarely a few hundred) where video,
 *   tunnels and bulk transfers fill their packets (1,000–9,001 bytes): the one number that tells a
 *   packet-rate flood from a busy but ordinary stream. Undefined when the record has no packet count.
 */
export const flowFields: Record<string, DerivedField> = {
  'flow.packetSize': (e) => {
    if (e.source !== 'vpcflow') return undefined;
    const { bytes, packets } = e.raw;
    if (typeof bytes !== 'number' || typeof packets !== 'number' || packets <= 0) return undefined;
    return Math.floor(bytes / packets);
  },
};
