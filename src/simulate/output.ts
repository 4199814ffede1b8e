import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ACCOUNT, type Vpc } from './org.js';
import type { Prng } from './prng.js';
import { DEFAULT_FIELDS, LATER_FIELDS } from '../sources/vpcflow/fields.js';

/**
 * Collects generated records into the deliveries AWS would write and writes them in AWS's S3
 * layouts, gzip'd: CloudTrail per region per 5 minutes, flow logs per flow log per 10 minutes (with
 * the header line S3 delivery always writes), Resolver query logs per VPC per 10 minutes. Records
 * stay in memory only until `flushBefore` passes their window, so weeks of logs stream out a day at
 * a time.
 */
export type FlowRecord = Record<string, string | number>;
export type DnsRecord = Record<string, unknown>;
export type CtRecord = Record<string, unknown> & { eventTime: string; awsRegion: string };

/** The default (version 2) flow log format, and the full version 5 one the data VPC's custom format uses. */
export const FLOW_FIELDS_V2 = DEFAULT_FIELDS;
export const FLOW_FIELDS_V5 = [...DEFAULT_FIELDS, ...LATER_FIELDS];

const CT_WINDOW = 5 * 60_000;
const FLOW_WINDOW = 10 * 60_000;
const pad = (n: number) => String(n).padStart(2, '0');

export function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

interface Bucket {
  kind: 'cloudtrail' | 'vpcflow' | 'dns';
  window: number;
  /** Region (CloudTrail) or VPC (flow, DNS). */
  scope: string;
  vpc?: Vpc;
  items: { ts: number; seq: number; value: unknown }[];
}

export interface OutputCounts {
  cloudtrail: number;
  vpcflow: number;
  dns: number;
  files: number;
}

export class Output {
  private buckets = new Map<string, Bucket>();
  private seq = 0;
  readonly counts: OutputCounts = { cloudtrail: 0, vpcflow: 0, dns: 0, files: 0 };

  constructor(
    private readonly root: string,
    private readonly rng: Prng,
  ) {}

  cloudtrail(rec: CtRecord): void {
    const ts = Date.parse(rec.eventTime);
    this.add('cloudtrail', rec.awsRegion, ts, CT_WINDOW, rec);
    this.counts.cloudtrail++;
  }

  flow(vpc: Vpc, rec: FlowRecord): void {
    this.add('vpcflow', vpc.id, (rec.start as number) * 1000, FLOW_WINDOW, rec, vpc);
    this.counts.vpcflow++;
  }

  dns(vpc: Vpc, rec: DnsRecord): void {
    this.add('dns', vpc.id, Date.parse(rec.query_timestamp as string), FLOW_WINDOW, rec, vpc);
    this.counts.dns++;
  }

  private add(kind: Bucket['kind'], scope: string, ts: number, size: number, value: unknown, vpc?: Vpc) {
    const window = Math.floor(ts / size) * size;
    const key = `${kind}|${scope}|${window}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { kind, window, scope, ...(vpc ? { vpc } : {}), items: [] };
      this.buckets.set(key, bucket);
    }
    bucket.items.push({ ts, seq: this.seq++, value });
  }

  /** Writes (and forgets) every delivery whose window starts before `ms`, in a fixed order. */
  flushBefore(ms: number): void {
    const due = [...this.buckets.entries()]
      .filter(([, b]) => b.window < ms)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, bucket] of due) {
      this.buckets.delete(key);
      bucket.items.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
      this.write(bucket);
    }
  }

  private write(b: Bucket): void {
    const delivered =
      b.window + (b.kind === 'cloudtrail' ? CT_WINDOW : FLOW_WINDOW) + 60_000 + this.rng.int(240_000);
    let rel: string;
    let text: string;
    if (b.kind === 'cloudtrail') {
      rel = `AWSLogs/${ACCOUNT}/CloudTrail/${b.scope}/${datePath(delivered)}/${ACCOUNT}_CloudTrail_${b.scope}_${stamp(delivered)}_${this.rng.alnum(16)}.json.gz`;
      text = `{"Records":[${b.items.map((i) => JSON.stringify(i.value)).join(',')}]}`;
    } else if (b.kind === 'vpcflow') {
      const vpc = b.vpc as Vpc;
      const fields = vpc.flowFormat === 'v2' ? FLOW_FIELDS_V2 : FLOW_FIELDS_V5;
      rel = `AWSLogs/${ACCOUNT}/vpcflowlogs/${vpc.region}/${datePath(b.window)}/${ACCOUNT}_vpcflowlogs_${vpc.region}_${vpc.flowLogId}_${stamp(b.window)}_${this.rng.hex(8)}.log.gz`;
      const lines = [fields.join(' ')];
      for (const i of b.items) lines.push(formatFlow(i.value as FlowRecord, fields));
      text = `${lines.join('\n')}\n`;
    } else {
      rel = `AWSLogs/${ACCOUNT}/vpcdnsquerylogs/${b.scope}/${datePath(b.window)}/${ACCOUNT}_vpcdnsquerylogs_${b.scope}_${stamp(b.window)}_${this.rng.hex(8)}.log.gz`;
      text = b.items.map((i) => `${JSON.stringify(i.value)}\n`).join('');
    }
    const file = join(this.root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, gzipSync(text, { level: 4 }));
    this.counts.files++;
  }
}

/** One flow-log line: the format's fields in order, `-` where the record has no value. */
export function formatFlow(rec: FlowRecord, fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const v = rec[fields[i] as string];
    line += (i ? ' ' : '') + (v === undefined ? '-' : String(v));
  }
  return line;
}
