#!/usr/bin/env node
// The dashboard API bench (issue 4): with 1,000,000 events and 100,000 findings stored, the overview and
// a filtered findings page must answer in under 300 ms at the API.
//
// It starts a real fastify app with the API modules over SQLite files of generated data (cached in
// bench/out/api-<events>-<findings>/, built on first use), sends real HTTP requests from this process
// and prints the median and p95 per endpoint over --runs runs (after warm-up), then writes
// bench/out/api-results.json. Exit code 1 when a target endpoint misses 300 ms (median or p95).
//
// Run after `npm run build`: `node bench/api.mjs [--events N] [--findings N] [--runs N]`.
// It imports the compiled modules from dist/ (or $VIGIL_DIST):
//   store/index.js                openFindingStore(file, { now })   — findings (TRIAGE)
//   store/events.js               openEventStore(file, { now })      — events and rollups (EVENTS)
//   sources/cloudtrail/normalize.js normalizeCloudTrail(record)       — to build VigilEvents
//   api/overview.js               registerOverviewApi(app, deps)     — GET /api/overview (TRIAGE)
//   api/findings.js               registerFindingsApi(app, deps)     — GET /api/findings (TRIAGE)
//   api/activity.js               registerActivityApi(app, deps)     — GET /api/activity/* (EVENTS)
//   api/events.js                 registerEventsApi(app, deps)       — GET /api/events (EVENTS)
//   api/testing.js                testAccess()                       — role from the x-test-role header
// Every register function gets the same deps { access, store, events, now }. A module that is missing is
// reported and its endpoints skipped (a skipped target endpoint fails the run).
//
// The data's clock: events and findings are spread over the 7 days before the data was generated, and
// the stores and APIs run on a clock that starts at that moment, so "the last 24 hours" means the same
// rows however old the cache is.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');
const DIST = resolve(process.env.VIGIL_DIST ?? join(REPO, 'dist'));
const OUT = join(BENCH_DIR, 'out');
const TARGET_MS = 300;
const DAY = 86_400_000;

function parseArgs(argv) {
  const opts = { events: 1_000_000, findings: 100_000, runs: 30 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const key = a.replace(/^--/, '');
    if (key in opts) opts[key] = Number(argv[++i]);
    else {
      console.error(
        `unknown argument: ${a} (usage: node bench/api.mjs [--events N] [--findings N] [--runs N])`,
      );
      process.exit(2);
    }
  }
  for (const [k, v] of Object.entries(opts))
    if (!Number.isInteger(v) || v <= 0) {
      console.error(`--${k} must be a positive integer`);
      process.exit(2);
    }
  return opts;
}

/** A module from dist/, or undefined (with the reason) when it is not built. */
async function load(path) {
  const file = join(DIST, path);
  if (!existsSync(file)) return { missing: `${path} not found in ${DIST} (run npm run build)` };
  return { module: await import(pathToFileURL(file).href) };
}

async function required(path) {
  const { module, missing } = await load(path);
  if (!module) {
    console.error(`bench/api: ${missing}`);
    process.exit(2);
  }
  return module;
}

/** Deterministic pseudo-random numbers (mulberry32), so every generated data set is the same. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

const ACCOUNTS = Array.from({ length: 20 }, (_, i) => String(100000000000 + i * 7919));
const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
];
const CALLS = [
  ['s3.amazonaws.com', 'GetObject'],
  ['s3.amazonaws.com', 'PutObject'],
  ['s3.amazonaws.com', 'ListBucket'],
  ['s3.amazonaws.com', 'PutBucketPolicy'],
  ['s3.amazonaws.com', 'PutBucketAcl'],
  ['s3.amazonaws.com', 'DeletePublicAccessBlock'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'RunInstances'],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'],
  ['iam.amazonaws.com', 'ListUsers'],
  ['iam.amazonaws.com', 'CreateAccessKey'],
  ['iam.amazonaws.com', 'AttachUserPolicy'],
  ['sts.amazonaws.com', 'AssumeRole'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
  ['kms.amazonaws.com', 'Decrypt'],
  ['lambda.amazonaws.com', 'Invoke'],
  ['cloudtrail.amazonaws.com', 'LookupEvents'],
  ['signin.amazonaws.com', 'ConsoleLogin'],
];
const AGENTS = [
  'aws-cli/2.15.30',
  'Boto3/1.34.0',
  'aws-sdk-js/3.500.0',
  'console.amazonaws.com',
  'Terraform/1.7.0',
];
const TYPES = [
  'Recon:IAMUser/MaliciousIPCaller',
  'Recon:IAMUser/UserPermissions',
  'Discovery:S3/AnomalousBehavior',
  'Exfiltration:S3/ObjectRead.Unusual',
  'Policy:S3/BucketBlockPublicAccessDisabled',
  'Policy:S3/BucketAnonymousAccessGranted',
  'Policy:IAMUser/RootCredentialUsage',
  'Persistence:IAMUser/AnomalousBehavior',
  'PrivilegeEscalation:IAMUser/AdministrativePermissions',
  'Stealth:IAMUser/CloudTrailLoggingDisabled',
  'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration',
  'CredentialAccess:IAMUser/AnomalousBehavior',
  'Impact:EC2/MaliciousDomainRequest',
  'DefenseEvasion:IAMUser/AnomalousBehavior',
];
const STATUSES = [
  ...Array(14).fill('NEW'),
  'ACKNOWLEDGED',
  'ACKNOWLEDGED',
  'RESOLVED',
  'RESOLVED',
  'RESOLVED',
  'SUPPRESSED',
];
const WORDS = [
  'bucket',
  'policy',
  'root',
  'console',
  'login',
  'public',
  'access',
  'key',
  'trail',
  'role',
  'exfiltration',
];

const principalOf = (account, n) => `arn:aws:iam::${account}:user/user-${n}`;
const ipOf = (n) => `198.51.${(n >> 8) & 255}.${n & 255}`;

function eventRecord(rnd, i, generatedAt, span) {
  const account = pick(rnd, ACCOUNTS);
  const [eventSource, eventName] = pick(rnd, CALLS);
  const user = Math.floor(rnd() * 2000);
  const errorRoll = rnd();
  const record = {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: `AIDA${String(user).padStart(12, '0')}`,
      arn: principalOf(account, user),
      accountId: account,
      accessKeyId: `AKIA${String(user).padStart(16, '0')}`,
      userName: `user-${user}`,
    },
    eventTime: new Date(generatedAt - Math.floor(rnd() * span)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource,
    eventName,
    awsRegion: pick(rnd, REGIONS),
    sourceIPAddress: ipOf(Math.floor(rnd() * 5000)),
    userAgent: pick(rnd, AGENTS),
    requestParameters:
      eventSource === 's3.amazonaws.com' ? { bucketName: `bucket-${Math.floor(rnd() * 300)}` } : {},
    responseElements: null,
    eventID: `bench-${i}`,
    readOnly: /^(Get|List|Describe|Lookup)/.test(eventName),
    eventType: 'AwsApiCall',
    recipientAccountId: account,
  };
  if (errorRoll < 0.03) Object.assign(record, { errorCode: 'AccessDenied', errorMessage: 'not authorized' });
  else if (errorRoll < 0.05) Object.assign(record, { errorCode: 'ThrottlingException' });
  return record;
}

function finding(rnd, i, generatedAt, span, severityLabel) {
  const account = pick(rnd, ACCOUNTS);
  const region = pick(rnd, REGIONS);
  const type = pick(rnd, TYPES);
  const user = Math.floor(rnd() * 2000);
  const severity = Math.round((1 + rnd() * 9) * 10) / 10;
  const lastSeen = generatedAt - Math.floor(rnd() * span);
  const firstSeen = lastSeen - Math.floor(rnd() * DAY);
  const words = `${pick(rnd, WORDS)} ${pick(rnd, WORDS)}`;
  const eventIds = [`bench-${Math.floor(rnd() * 1e9)}`];
  return {
    item: {
      finding: {
        id: `bench-finding-${i}`,
        type,
        detector: `bench-${type.split(':')[0].toLowerCase()}`,
        title: `${type.split('/')[1]} by user-${user} in ${region}`,
        description: `Synthetic finding ${i}: ${words} activity of user-${user} from ${ipOf(user)}.`,
        severity,
        severityLabel: severityLabel(severity),
        status: pick(rnd, STATUSES),
        accountId: account,
        region,
        firstSeen: new Date(firstSeen).toISOString(),
        lastSeen: new Date(lastSeen).toISOString(),
        count: 1,
        actor: {
          principal: principalOf(account, user),
          principalType: 'IAMUser',
          ip: ipOf(Math.floor(rnd() * 5000)),
          userAgent: pick(rnd, AGENTS),
          geo: { country: pick(rnd, ['US', 'DE', 'FR', 'BR', 'JP', 'AU']) },
        },
        resources: [{ type: 'AwsIamUser', id: principalOf(account, user) }],
        evidence: { eventIds, eventNames: ['GetObject'] },
        mitre: { tactics: ['TA0007'], techniques: ['T1087'] },
        remediation: 'Review the principal and its recent activity.',
        references: [],
      },
      eventIds,
      eventTimes: [new Date(lastSeen).toISOString()],
    },
  };
}

async function ensureData(opts) {
  const dir = join(OUT, `api-${opts.events}-${opts.findings}`);
  const manifestFile = join(dir, 'manifest.json');
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    console.error(`Reusing data in ${dir} (generated ${new Date(manifest.generatedAt).toISOString()}).`);
    return { dir, manifest };
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const { openFindingStore } = await required('store/index.js');
  const { openEventStore } = await required('store/events.js');
  const { normalizeCloudTrail } = await required('sources/cloudtrail/normalize.js');
  const { severityLabel } = await required('core/severity.js');
  const generatedAt = Date.now();
  const now = () => generatedAt;
  const span = 7 * DAY;

  const started = Date.now();
  console.error(`Generating ${opts.events.toLocaleString('en-US')} events in ${dir} (cached for next runs)…`);
  const events = openEventStore(join(dir, 'events.db'), { now });
  let rnd = random(1);
  for (let i = 0; i < opts.events;) {
    const batch = [];
    for (const end = Math.min(opts.events, i + 5000); i < end; i++)
      batch.push(normalizeCloudTrail(eventRecord(rnd, i, generatedAt, span)));
    events.add(batch);
    if (i % 100_000 === 0) console.error(`  ${i.toLocaleString('en-US')} events`);
  }
  const storedEvents = events.count();
  events.close();

  console.error(`Generating ${opts.findings.toLocaleString('en-US')} findings…`);
  const store = openFindingStore(join(dir, 'findings.db'), { now });
  rnd = random(2);
  for (let i = 0; i < opts.findings;) {
    const batch = [];
    for (const end = Math.min(opts.findings, i + 5000); i < end; i++)
      batch.push(finding(rnd, i, generatedAt, span, severityLabel).item);
    store.upsertMany(batch);
  }
  store.close();
  const manifest = {
    generatedAt,
    events: storedEvents,
    findings: opts.findings,
    seconds: (Date.now() - started) / 1000,
  };
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
  console.error(`Data ready in ${manifest.seconds.toFixed(0)} s.`);
  return { dir, manifest };
}

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function time(url, runs) {
  const headers = { 'x-test-role': 'viewer' };
  for (let i = 0; i < 3; i++) {
    const res = await fetch(url, { headers });
    if (res.status !== 200) return { error: `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}` };
    await res.arrayBuffer();
  }
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(url, { headers });
    const body = await res.arrayBuffer();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    bytes = body.byteLength;
  }
  ms.sort((a, b) => a - b);
  return { medianMs: percentile(ms, 0.5), p95Ms: percentile(ms, 0.95), maxMs: ms.at(-1), bytes };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { dir, manifest } = await ensureData(opts);
  const { default: fastify } = await import('fastify');
  const { openFindingStore } = await required('store/index.js');
  const { openEventStore } = await required('store/events.js');
  const { testAccess } = await required('api/testing.js');

  // The data's clock (see the header): now = generation time + time since this run started.
  const offset = Date.now() - manifest.generatedAt;
  const now = () => Date.now() - offset;
  const store = openFindingStore(join(dir, 'findings.db'), { now });
  const events = openEventStore(join(dir, 'events.db'), { now });
  const deps = { access: testAccess(), store, events, now };

  const app = fastify({ logger: false });
  const modules = [
    ['api/overview.js', 'registerOverviewApi'],
    ['api/findings.js', 'registerFindingsApi'],
    ['api/activity.js', 'registerActivityApi'],
    ['api/events.js', 'registerEventsApi'],
  ];
  const missing = [];
  for (const [path, name] of modules) {
    const { module, missing: why } = await load(path);
    if (!module || typeof module[name] !== 'function') missing.push(why ?? `${path} has no ${name}`);
    else module[name](app, deps);
  }
  for (const m of missing) console.error(`bench/api: skipped: ${m}`);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });

  const since = new Date(manifest.generatedAt - DAY).toISOString();
  const endpoints = [
    { name: 'overview', target: true, path: '/api/overview' },
    {
      name: 'findings, filtered page',
      target: true,
      path: `/api/findings?severity=HIGH,CRITICAL&status=NEW,ACKNOWLEDGED&account=${ACCOUNTS[3]}&sort=lastSeen&order=desc&limit=50`,
    },
    {
      name: 'findings, free text',
      target: true,
      path: `/api/findings?q=bucket%20policy&region=eu-west-1&limit=50`,
    },
    { name: 'findings, page 1 unfiltered', target: true, path: '/api/findings?limit=50' },
    {
      name: 'activity series by service',
      target: false,
      path: `/api/activity/series?since=${since}&group=service`,
    },
    { name: 'activity errors', target: false, path: `/api/activity/errors?since=${since}` },
    { name: 'top callers', target: false, path: `/api/activity/top-callers?since=${since}` },
    { name: 'event search', target: false, path: `/api/events?since=${since}&eventName=PutBucketPolicy` },
  ];
  const results = [];
  for (const e of endpoints) {
    const r = await time(base + e.path, opts.runs);
    results.push({ ...e, ...r });
  }
  await app.close();
  store.close();
  events.close();

  console.log(
    `API bench: ${manifest.events.toLocaleString('en-US')} events, ${manifest.findings.toLocaleString('en-US')} findings, ${opts.runs} runs each (target ${TARGET_MS} ms)`,
  );
  let failed = false;
  for (const r of results) {
    const ok = r.error === undefined && r.p95Ms < TARGET_MS;
    if (r.target && !ok) failed = true;
    const figures =
      r.error ?? `median ${r.medianMs.toFixed(1)} ms  p95 ${r.p95Ms.toFixed(1)} ms  (${r.bytes} bytes)`;
    console.log(`  ${r.target ? (ok ? 'PASS' : 'FAIL') : 'info'}  ${r.name.padEnd(30)} ${figures}`);
  }
  await mkdir(OUT, { recursive: true });
  await writeFile(
    join(OUT, 'api-results.json'),
    JSON.stringify(
      { at: new Date().toISOString(), targetMs: TARGET_MS, data: manifest, skipped: missing, results },
      null,
      2,
    ),
  );
  process.exit(failed ? 1 : 0);
}

await main();
