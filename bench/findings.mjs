#!/usr/bin/env node
// The findings store bench (issue 4, TRIAGE): 100,000 generated findings in a fresh SQLite file, then the
// median time of the overview and of several filtered, sorted and free-text pages, called on the store
// the API handlers call, then the overview and filtered pages through the HTTP API (fastify inject: routing,
// validation, the handler and JSON serialization, no socket; bench/api.mjs measures the whole server).
// Run after `npm run build`:
//   node bench/findings.mjs [--findings N] [--runs N]
// It imports dist/ (or $VIGIL_DIST) and prints one line per query and a JSON summary.

import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('findings', 100_000);
const RUNS = arg('runs', 15);
const dist = resolve(process.env.VIGIL_DIST ?? new URL('../dist', import.meta.url).pathname);
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { openFindingStore } = await load('store/index.js');
const { registerFindingsApi } = await load('api/findings.js');
const { registerOverviewApi } = await load('api/overview.js');
const { testAccess } = await load('api/testing.js');
const { default: fastify } = await import('fastify');

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const TYPES = [
  'Stealth:IAMUser/CloudTrailLoggingDisabled',
  'Policy:S3/BucketBlockPublicAccessDisabled',
  'Discovery:IAMUser/AnomalousBehavior',
  'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
  'Persistence:IAMUser/UserPermissions',
  'Recon:EC2/PortProbeUnprotectedPort',
  'CredentialAccess:IAMUser/AnomalousBehavior',
  'Impact:S3/ObjectDeletion.Unusual',
];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const STATUSES = ['NEW', 'NEW', 'NEW', 'ACKNOWLEDGED', 'RESOLVED', 'SUPPRESSED'];
const COUNTRIES = ['US', 'NL', 'DE', 'BR', 'SG', undefined];
const LABEL = (s) => (s >= 9 ? 'CRITICAL' : s >= 7 ? 'HIGH' : s >= 4 ? 'MEDIUM' : 'LOW');

// A deterministic generator, so runs are comparable.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

function finding(i) {
  const severity = Math.round((1 + rand() * 9) * 10) / 10;
  const last = NOW - Math.floor(rand() * 7 * DAY);
  const first = last - Math.floor(rand() * DAY);
  const account = String(100000000000 + (i % 40));
  const user = `user-${i % 2000}`;
  const ip = `198.51.${(i >> 8) % 100}.${i % 250}`;
  const type = pick(TYPES);
  const country = pick(COUNTRIES);
  return {
    id: createHash('sha256').update(String(i)).digest('hex').slice(0, 32),
    type,
    detector: type
      .split('/')[1]
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-'),
    title: `${type.split('/')[1]} by ${user}`,
    description: `arn:aws:iam::${account}:user/${user} did something unusual from ${ip} on bucket data-${i % 500}`,
    severity,
    severityLabel: LABEL(severity),
    status: 'NEW',
    accountId: account,
    region: pick(REGIONS),
    firstSeen: new Date(first).toISOString(),
    lastSeen: new Date(last).toISOString(),
    count: 1 + Math.floor(rand() * 100),
    actor: {
      principal: `arn:aws:iam::${account}:user/${user}`,
      ip,
      ...(country ? { geo: { country } } : {}),
    },
    resources: [{ type: 'AwsS3Bucket', id: `arn:aws:s3:::data-${i % 500}` }],
    evidence: { eventIds: [`e-${i}`], eventNames: ['PutBucketPolicy'] },
    mitre: { tactics: ['TA0005'], techniques: ['T1562'] },
    remediation: 'Review the change.',
    references: [],
  };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-findings-'));
const keep = process.env.KEEP_DB; // a path: the generated database is copied there for inspection
try {
  const store = openFindingStore(join(dir, 'findings.db'), { now: () => NOW });
  let t = performance.now();
  const batch = [];
  for (let i = 0; i < N; i++) {
    batch.push({ finding: finding(i), eventIds: [`e-${i}`] });
    if (batch.length === 5000) store.upsertMany(batch.splice(0));
  }
  store.upsertMany(batch);
  for (let i = 0; i < N; i += 3) {
    const id = createHash('sha256').update(String(i)).digest('hex').slice(0, 32);
    const status = pick(STATUSES);
    if (status === 'SUPPRESSED') store.transition(id, { status, reason: 'bench', by: 'bench' });
    else if (status !== 'NEW') store.transition(id, { status });
  }
  const loadMs = performance.now() - t;

  const cases = [
    ['overview (24 h)', () => store.overview()],
    ['overview (7 d, 7×24 buckets)', () => store.overview({ windowMs: 7 * DAY, buckets: 168 })],
    ['page 1, default sort (severity desc)', () => store.query({})],
    [
      'open, HIGH+CRITICAL, lastSeen desc',
      () =>
        store.query({ status: ['NEW', 'ACKNOWLEDGED'], severity: ['HIGH', 'CRITICAL'], sort: 'lastSeen' }),
    ],
    ['type prefix Stealth:, count desc', () => store.query({ typePrefix: 'Stealth:', sort: 'count' })],
    [
      'account + region, firstSeen asc',
      () => store.query({ accountId: '100000000007', region: 'eu-west-1', sort: 'firstSeen', order: 'asc' }),
    ],
    ['principal', () => store.query({ principal: 'arn:aws:iam::100000000011:user/user-11' })],
    ['ip', () => store.query({ ip: '198.51.3.17' })],
    [
      'last 24 h, type asc, page 20',
      () => store.query({ lastSeenFrom: NOW - DAY, sort: 'type', order: 'asc', offset: 1000 }),
    ],
    ['free text "data-42"', () => store.query({ text: 'data-42' })],
    ['free text "user-1" (prefix, many hits)', () => store.query({ text: 'user-1' })],
    [
      'free text + status + severity',
      () => store.query({ text: 'ConsoleLoginSuccess', status: ['NEW'], minSeverity: 7 }),
    ],
    ['status SUPPRESSED, severity asc', () => store.query({ status: ['SUPPRESSED'], order: 'asc' })],
  ];
  const app = fastify();
  const access = testAccess();
  registerOverviewApi(app, { access, store });
  registerFindingsApi(app, { access, store, now: () => NOW });
  await app.ready();
  /** One GET through the API as a viewer; the case's total is read from the JSON answer. */
  const http = async (url) => {
    const res = await app.inject({ method: 'GET', url, headers: { 'x-test-role': 'viewer' } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  cases.push(
    ['HTTP GET /api/overview', () => http('/api/overview')],
    ['HTTP GET /api/overview?hours=168&buckets=168', () => http('/api/overview?hours=168&buckets=168')],
    [
      'HTTP GET /api/findings open HIGH+CRITICAL',
      () => http('/api/findings?status=NEW,ACKNOWLEDGED&severity=HIGH,CRITICAL&sort=lastSeen'),
    ],
    [
      'HTTP GET /api/findings account+region',
      () => http('/api/findings?account=100000000007&region=eu-west-1&sort=firstSeen&order=asc'),
    ],
    ['HTTP GET /api/findings?q=user-1', () => http('/api/findings?q=user-1')],
  );
  const results = [];
  for (const [name, fn] of cases) {
    await fn();
    const times = [];
    let total;
    for (let r = 0; r < RUNS; r++) {
      t = performance.now();
      const out = await fn();
      times.push(performance.now() - t);
      total = out.total ?? out.open?.total;
    }
    times.sort((x, y) => x - y);
    const median = times[Math.floor(times.length / 2)];
    results.push({
      name,
      medianMs: Math.round(median * 10) / 10,
      maxMs: Math.round(times.at(-1) * 10) / 10,
      total,
    });
    console.log(
      `${name.padEnd(44)} median ${median.toFixed(1).padStart(7)} ms  max ${times.at(-1).toFixed(1).padStart(7)} ms  (${total} matching)`,
    );
  }
  await app.close();
  store.close();
  if (keep) copyFileSync(join(dir, 'findings.db'), keep);
  console.log(JSON.stringify({ findings: N, runs: RUNS, loadMs: Math.round(loadMs), results }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
