import type { VigilEvent } from '../../core/event.js';
import type { DerivedField } from './index.js';

/**
 * Enrichment of addresses: location and AS of the event's source (`vigil.geo.*`), whether the source
 * or a flow's destination (`dstaddr`) is a Tor exit (`vigil.tor.*`), and which AWS service publishes
 * the source (`vigil.awsService.src`, e.g. `EC2`). Undefined when the lookup is not configured or has no
 * answer; an AWS service name as source (`ec2.amazonaws.com`) is not an address and gets none.
 */
function sourceAddress(e: VigilEvent): string | undefined {
  return e.sourceIp && !e.sourceIsService ? e.sourceIp : undefined;
}

function flowDestination(e: VigilEvent): string | undefined {
  const v = e.source === 'vpcflow' ? e.raw.dstaddr : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Fields of the normalized event's source address: they need no raw record. */
export const enrichSourceFields: Record<string, DerivedField> = {
  'geo.country': (e, l) => {
    const ip = sourceAddress(e);
    return ip && l.geo ? l.geo(ip)?.country : undefined;
  },
  'geo.asn': (e, l) => {
    const ip = sourceAddress(e);
    return ip && l.geo ? l.geo(ip)?.asn : undefined;
  },
  'geo.org': (e, l) => {
    const ip = sourceAddress(e);
    return ip && l.geo ? l.geo(ip)?.org : undefined;
  },
  'tor.src': (e, l) => {
    const ip = sourceAddress(e);
    return ip && l.isTorExit ? l.isTorExit(ip) : undefined;
  },
  'awsService.src': (e, l) => {
    const ip = sourceAddress(e);
    return ip && l.awsService ? l.awsService(ip)?.service : undefined;
  },
};

/** Fields of a flow record's destination (`dstaddr` of the raw record). */
export const enrichFlowFields: Record<string, DerivedField> = {
  'tor.dst': (e, l) => {
    const ip = flowDestination(e);
    return ip && l.isTorExit ? l.isTorExit(ip) : undefined;
  },
};
