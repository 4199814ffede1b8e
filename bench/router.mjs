// Router benchmark (issue 3): events/s through `createRouter` with 10, 100, 1,000 and 10,000 routes of
// mixed operators, and with 1,000 exact and prefix routes. Run: `npm run bench:router`.
import { createRouter } from '../dist/router/index.js';
import { createPrng } from './corpus/prng.mjs';

const prng = createPrng('vigil-router-bench');
const rand = () => prng.next();
const pick = (list) => list[Math.floor(rand() * list.length)];
const TYPES = [
  'Stealth:IAMUser/CloudTrailLoggingDisabled',
  'PenTest:IAMUser/KaliLinux',
  'Policy:S3/BucketPublicAccessGranted',
  'Impact:EC2/GpuOrLargeInstanceLaunch',
  'Discovery:IAMUser/PermissionEnumeration',
  'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
];
const LABELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const account = (i) => String(100000000000 + (i % 500)).padStart(12, '0');

function event(i) {
  const sev = 1 + rand() * 9;
  return {
    version: '0',
    id: `e-${i}`,
    'detail-type': 'Vigil Finding',
    source: 'vigil',
    account: account(i),
    time: '2026-11-20T10:00:00Z',
    region: pick(['us-east-1', 'eu-west-1', 'ap-southeast-1']),
    resources: [`arn:aws:s3:::bucket-${i % 100}`],
    detail: {
      type: pick(TYPES),
      severity: sev,
      severityLabel: LABELS[Math.min(3, Math.floor(sev / 2.5))],
      accountId: account(i),
      actor: { principal: `arn:aws:iam::${account(i)}:user/u${i % 50}`, ip: `203.0.113.${i % 250}` },
      count: 1 + (i % 7),
    },
  };
}

function mixedRoute(i) {
  const acct = account(i);
  switch (i % 6) {
    case 0:
      return { account: [acct], detail: { severityLabel: ['HIGH', 'CRITICAL'] } };
    case 1:
      return { account: [acct], detail: { type: [{ prefix: pick(TYPES).split('/')[0] }] } };
    case 2:
      return { account: [acct], detail: { severity: [{ numeric: ['>=', 7] }] } };
    case 3:
      return { account: [acct], detail: { actor: { ip: [{ cidr: '203.0.113.0/24' }] } } };
    case 4:
      return { account: [acct], region: [{ 'anything-but': ['us-east-1'] }] };
    default:
      return { account: [acct], detail: { count: [{ exists: true }] } };
  }
}
function exactPrefixRoute(i) {
  return i % 2
    ? { account: [account(i)], detail: { type: [pick(TYPES)] } }
    : { account: [account(i)], detail: { type: [{ prefix: pick(TYPES).slice(0, 8) }] } };
}

const events = Array.from({ length: 20_000 }, (_, i) => event(i));
function rate(routes) {
  const router = createRouter(routes.map((pattern, i) => ({ name: `r${i}`, pattern })));
  let matched = 0;
  for (const e of events.slice(0, 2000)) matched += router.match(e).length; // warm up
  const t = performance.now();
  let n = 0;
  while (performance.now() - t < 1500)
    for (const e of events) {
      matched += router.match(e).length;
      n++;
    }
  return { perSecond: Math.round((n * 1000) / (performance.now() - t)), matched };
}

const rows = [];
for (const count of [10, 100, 1000, 10000])
  rows.push({
    routes: count,
    kind: 'mixed',
    ...rate(Array.from({ length: count }, (_, i) => mixedRoute(i))),
  });
rows.push({
  routes: 1000,
  kind: 'exact+prefix',
  ...rate(Array.from({ length: 1000 }, (_, i) => exactPrefixRoute(i))),
});
console.log('routes  kind           events/s');
for (const r of rows)
  console.log(
    `${String(r.routes).padStart(6)}  ${r.kind.padEnd(13)}  ${r.perSecond.toLocaleString('en-US').padStart(10)}`,
  );
const at10 = rows[0].perSecond,
  at10k = rows[3].perSecond,
  ep = rows[4].perSecond;
console.log(
  `\n10,000 vs 10 routes: ${(at10k / at10).toFixed(2)}× (target ≥ 0.5×) ${at10k / at10 >= 0.5 ? 'PASS' : 'MISS'}`,
);
console.log(
  `1,000 exact+prefix routes: ${ep.toLocaleString('en-US')} events/s (target ≥ 200,000) ${ep >= 200_000 ? 'PASS' : 'MISS'}`,
);
