import { ACCOUNT, type Instance } from './org.js';
import type { DnsRecord, FlowRecord } from './output.js';
import { FLOW_FIELDS_V2 } from './output.js';
import { iso } from './cloudtrail.js';

/**
 * Flow-log and Resolver query-log records in the contract's `raw` shape (AWS field names, numbers
 * as numbers, absent where AWS writes `-`), for the ENI or instance they are logged against.
 */
export interface FlowSpec {
  src: string;
  dst: string;
  srcport: number;
  dstport: number;
  /** 6 TCP, 17 UDP, 1 ICMP. */
  protocol: number;
  packets: number;
  bytes: number;
  /** Epoch seconds. */
  start: number;
  end: number;
  action: 'ACCEPT' | 'REJECT';
  direction: 'ingress' | 'egress';
  tcpFlags?: number;
  dstService?: string;
  srcService?: string;
  /** v5 traffic-path for egress: 1 same VPC, 7 gateway endpoint, 8 internet gateway. */
  path?: number;
}

const V2_KEYS = new Set<string>(FLOW_FIELDS_V2);

export function flowRecord(inst: Instance, f: FlowSpec): FlowRecord {
  const rec: FlowRecord = {
    version: inst.vpc.flowFormat === 'v2' ? 2 : 5,
    'account-id': ACCOUNT,
    'interface-id': inst.eni,
    srcaddr: f.src,
    dstaddr: f.dst,
    srcport: f.srcport,
    dstport: f.dstport,
    protocol: f.protocol,
    packets: f.packets,
    bytes: f.bytes,
    start: f.start,
    end: f.end,
    action: f.action,
    'log-status': 'OK',
  };
  if (inst.vpc.flowFormat === 'v2') return rec;
  rec['vpc-id'] = inst.vpc.id;
  rec['subnet-id'] = inst.subnet;
  if (inst.role !== 'nat' && inst.role !== 'alb') rec['instance-id'] = inst.id;
  if (f.protocol === 6) rec['tcp-flags'] = f.tcpFlags ?? (f.action === 'REJECT' ? 2 : 19);
  rec.type = 'IPv4';
  rec['pkt-srcaddr'] = f.src;
  rec['pkt-dstaddr'] = f.dst;
  rec.region = inst.vpc.region;
  rec['az-id'] = inst.vpc.azId;
  if (f.srcService) rec['pkt-src-aws-service'] = f.srcService;
  if (f.dstService) rec['pkt-dst-aws-service'] = f.dstService;
  rec['flow-direction'] = f.direction;
  if (f.direction === 'egress') rec['traffic-path'] = f.path ?? 1;
  return rec;
}

/** Keeps only the fields the default format carries (used to check a v2 record's shape). */
export function isV2Shape(rec: FlowRecord): boolean {
  return Object.keys(rec).every((k) => V2_KEYS.has(k));
}

export interface DnsSpec {
  ms: number;
  name: string;
  type?: string;
  rcode?: string;
  answers?: { Rdata: string; Type: string }[];
  srcport: number;
  transport?: 'UDP' | 'TCP';
}

export function dnsRecord(inst: Instance, q: DnsSpec): DnsRecord {
  const name = q.name.endsWith('.') ? q.name : `${q.name}.`;
  return {
    version: '1.100000',
    account_id: ACCOUNT,
    region: inst.vpc.region,
    vpc_id: inst.vpc.id,
    query_timestamp: iso(q.ms),
    query_name: name,
    query_type: q.type ?? 'A',
    query_class: 'IN',
    rcode: q.rcode ?? 'NOERROR',
    answers: (q.answers ?? []).map((a) => ({ Rdata: a.Rdata, Type: a.Type, Class: 'IN' })),
    srcaddr: inst.ip,
    srcport: String(q.srcport),
    transport: q.transport ?? 'UDP',
    srcids: { instance: inst.id },
  };
}

/** The request and response records of one accepted TCP connection, as both directions appear on an ENI. */
export function tcpPair(
  inst: Instance,
  f: Omit<FlowSpec, 'direction' | 'protocol' | 'action'> & { outbound: boolean; respBytes: number },
): FlowRecord[] {
  const outDir = f.outbound ? 'egress' : 'ingress';
  const back = f.outbound ? 'ingress' : 'egress';
  return [
    flowRecord(inst, {
      ...f,
      protocol: 6,
      action: 'ACCEPT',
      direction: outDir,
      tcpFlags: f.outbound ? 3 : 19,
    }),
    flowRecord(inst, {
      ...f,
      src: f.dst,
      dst: f.src,
      srcport: f.dstport,
      dstport: f.srcport,
      protocol: 6,
      action: 'ACCEPT',
      direction: back,
      bytes: f.respBytes,
      packets: Math.max(1, Math.round(f.respBytes / 1200)),
      tcpFlags: 19,
      srcService: f.dstService,
      dstService: f.srcService,
    }),
  ];
}
