// Events store benchmark (issue 4): stores 1,000,000 events (7 days, skewed like real CloudTrail: a few
// principals and APIs make most calls) into a temporary events database, reports the ingest rate, then
// times each dashboard query (median of 7 runs). Run after `npm run build`: `node bench/events.mjs [N]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../dist/store/events.js';
import { createPrng } from './corpus/prng.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const prng = createPrng('vigil-events-bench');
const rand = () => prng.next();
/** Index skewed towards 0 (roughly Zipf-like). */
const skewed = (n) => Math.floor(n * rand() ** 3);
const DAY = 86_400_000;
const END = Date.parse('2026-11-27T00:00:00Z');
const START = END - 7 * DAY;
const SERVICES = Array.from(
  { length: 30 },
  (_, i) => ['s3', 'iam', 'ec2', 'sts', 'kms', 'lambda'][i] ?? `svc${i}`,
);
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-1'];
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const PRINCIPALS = Array.from({ length: 300 }, (_, i) => `arn:aws:iam::111111111111:role/app-${i}`);
const S3_DATA = ['GetObject', 'PutObject', 'DeleteObject', 'HeadObject'];
const S3_CHANGES = [
  'PutBucketPolicy',
  'PutBucketAcl',
  'PutPublicAccessBlock',
  'DeleteBucketEncryption',
  'GetBucketPolicy',
];

function event(i) {
  const ts = START + Math.floor((i / N) * 7 * DAY);
  const r = rand();
  let service = SERVICES[skewed(SERVICES.length)];
  let eventName = `${service}Call${skewed(25)}`;
  let raw = { eventID: `e-${i}` };
  if (r < 0.1) {
    service = 's3';
    eventName = S3_DATA[skewed(S3_DATA.length)];
    raw = {
      eventID: `e-${i}`,
      requestParameters: { bucketName: `bucket-${skewed(40)}`, key: `k/${i}` },
      additionalEventData: { bytesTransferredOut: Math.floor(rand() * 1e6) },
    };
  } else if (r < 0.1005) {
    service = 's3';
    eventName = S3_CHANGES[Math.floor(rand() * S3_CHANGES.length)];
    raw = { eventID: `e-${i}`, requestParameters: { bucketName: `bucket-${skewed(40)}` } };
  }
  const e = rand();
  return {
    time: new Date(ts).toISOString(),
    ts,
    source: 'cloudtrail',
    accountId: ACCOUNTS[skewed(ACCOUNTS.length)],
    region: REGIONS[skewed(REGIONS.length)],
    eventName,
    eventSource: `${service}.amazonaws.com`,
    service,
    principal: PRINCIPALS[skewed(PRINCIPALS.length)],
    principalType: 'AssumedRole',
    principalAccountId: '111111111111',
    principalName: undefined,
    sessionName: undefined,
    accessKeyId: `ASIA${String(skewed(1000)).padStart(16, '0')}`,
    mfa: false,
    sourceIp: `10.0.${skewed(50)}.${skewed(250)}`,
    sourceIsService: false,
    userAgent: rand() < 0.5 ? 'aws-sdk-go/1.44' : 'Boto3/1.34.0 Python/3.12',
    errorCode: e < 0.02 ? 'AccessDenied' : e < 0.03 ? 'ThrottlingException' : undefined,
    readOnly: true,
    eventId: `e-${i}`,
    raw,
  };
}

function median(fn, runs = 7) {
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    result = fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(runs / 2)], result };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-events-'));
try {
  const store = openEventStore(join(dir, 'events.db'));
  const BATCH = 2000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) batch.push(event(j));
    store.add(batch);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `ingest: ${N} events in ${secs.toFixed(1)} s = ${Math.round(N / secs)} events/s (batches of ${BATCH}, incl. generation)`,
  );

  const week = { since: START, until: END };
  const day = { since: END - DAY, until: END };
  const ragged = { since: START + 17 * 60_000, until: END - 23 * 60_000 };
  const queries = {
    'series 7d by service (1h buckets)': () =>
      store.series({ ...week, bucketMs: 3_600_000, group: 'service', top: 10 }),
    'series 7d by principal (1h)': () =>
      store.series({ ...week, bucketMs: 3_600_000, group: 'principal', top: 10 }),
    'series 7d by eventName, ragged range (30m)': () =>
      store.series({ ...ragged, bucketMs: 1_800_000, group: 'eventName', top: 10 }),
    'series 24h by region (5m)': () => store.series({ ...day, bucketMs: 300_000, group: 'region', top: 10 }),
    'series 7d service=iam by eventName (1h)': () =>
      store.series({ ...week, bucketMs: 3_600_000, group: 'eventName', top: 10, service: 'iam' }),
    'errors + spikes 7d (1h)': () => store.errors({ ...week, bucketMs: 3_600_000 }),
    'errors + spikes 24h (1m)': () => store.errors({ ...day, bucketMs: 60_000 }),
    'top callers 7d': () => store.topCallers({ ...week, limit: 20 }),
    'top callers ragged 7d': () => store.topCallers({ ...ragged, limit: 20 }),
    'search newest 50 (no filter)': () => store.search({ ...week, limit: 50 }),
    'search principal, 50': () => store.search({ ...week, limit: 50, principal: PRINCIPALS[40] }),
    'search text "Throttling", 50': () => store.search({ ...week, limit: 50, text: 'throttling' }),
    'search text rare "app-299", 50': () => store.search({ ...week, limit: 50, text: 'app-299' }),
    'search errors=denied page 3': () => {
      let page = store.search({ ...week, limit: 50, errors: 'denied' });
      page = store.search({ ...week, limit: 50, errors: 'denied', cursor: page.nextCursor });
      return store.search({ ...week, limit: 50, errors: 'denied', cursor: page.nextCursor });
    },
    'event by id': () => store.get(`e-${Math.floor(N / 2)}`),
    'timeline ±30m by principal': () =>
      store.timeline({ by: 'principal', value: PRINCIPALS[0], at: START + 3 * DAY, minutes: 30, limit: 500 }),
    'timeline ±30m by IP': () =>
      store.timeline({ by: 'sourceIp', value: '10.0.0.0', at: START + 3 * DAY, minutes: 30, limit: 500 }),
    's3 changes 7d, 100': () => store.s3Changes({ ...week, limit: 100 }),
    's3 data volume 7d by bucket (1h)': () =>
      store.s3DataVolume({ ...week, bucketMs: 3_600_000, group: 'bucket', top: 10 }),
    's3 data volume 7d by principal (1h)': () =>
      store.s3DataVolume({ ...week, bucketMs: 3_600_000, group: 'principal', top: 10 }),
  };
  for (const [name, fn] of Object.entries(queries)) {
    const { ms } = median(fn);
    console.log(`${name.padEnd(45)} ${ms.toFixed(1).padStart(8)} ms`);
  }
  const t1 = process.hrtime.bigint();
  const capped = store;
  capped.close();
  const pruner = openEventStore(join(dir, 'events.db'), { maxEvents: N - 100_000, pruneBatch: 2000 });
  const removed = pruner.prune();
  console.log(
    `prune: ${removed} events in ${(Number(process.hrtime.bigint() - t1) / 1e6).toFixed(0)} ms (batches of 2000)`,
  );
  pruner.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
