// Memory of behavioural baselines for many principals: `npx vite-node bench/baseline-memory.ts [N]`
// (node --expose-gc through NODE_OPTIONS for exact heap figures). Each principal gets realistic
// diversity: 10–300 APIs drawn (Zipf) from 2,000, 1–4 regions, 1–3 countries, 1–6 ASNs, 1–3 user-agent
// families, over three weeks; prints heap and RSS growth, the detector's own estimate and the saved size.
import { createBaselineDetector } from '../src/baseline/index.js';
import type { Observation } from '../src/baseline/index.js';

const principals = Number(process.argv[2] ?? 10_000);
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
const zipf = (n: number) => Math.min(n - 1, Math.floor(Math.pow(random(), 2.5) * n));
const services = Array.from({ length: 200 }, (_, i) => `svc${i}`);
const apis = Array.from({ length: 2000 }, (_, i) => `${services[i % 200]}:Api${i}`);
const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1'];
const countries = ['US', 'DE', 'GB', 'FR', 'IN', 'BR', 'JP'];
const uas = ['aws-cli', 'boto3', 'console', 'terraform', 'sdk-go', 'sdk-java', 'browser'];
const gc = (globalThis as { gc?: () => void }).gc;

gc?.();
const before = process.memoryUsage();
const detector = createBaselineDetector({ maxPrincipals: principals });
const T0 = Date.parse('2024-03-01T00:00:00Z');
let events = 0;
for (let p = 0; p < principals; p++) {
  const own = Array.from({ length: 10 + Math.floor(random() * 290) }, () => apis[zipf(apis.length)]!);
  const myRegions = Array.from(
    { length: 1 + Math.floor(random() * 4) },
    () => regions[zipf(regions.length)]!,
  );
  const myCountries = Array.from({ length: 1 + Math.floor(random() * 3) }, () => countries[zipf(7)]!);
  const myAsns = Array.from(
    { length: 1 + Math.floor(random() * 6) },
    () => 1000 + Math.floor(random() * 60_000),
  );
  const myUas = Array.from({ length: 1 + Math.floor(random() * 3) }, () => uas[zipf(uas.length)]!);
  const n = own.length * 2;
  for (let i = 0; i < n; i++) {
    const api = own[i % own.length]!;
    const o: Observation = {
      ts: T0 + Math.floor((i / n) * 21 * 86_400_000),
      principal: `arn:aws:iam::111122223333:user/user-${p}`,
      api,
      service: api.slice(0, api.indexOf(':')),
      region: myRegions[i % myRegions.length],
      country: myCountries[i % myCountries.length],
      asn: myAsns[i % myAsns.length],
      ua: myUas[i % myUas.length]!,
      volume: i % 7 === 0 ? 1 : 0,
      event: {} as Observation['event'],
    };
    detector.apply(o);
    events++;
  }
}
gc?.();
const after = process.memoryUsage();
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
const saved = JSON.stringify(detector.state.exportAll()).length;
console.log(
  JSON.stringify(
    {
      principals: detector.principals,
      events,
      heapGrowth: mb(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers),
      rssGrowth: mb(after.rss - before.rss),
      rss: mb(after.rss),
      estimate: mb(detector.approximateBytes()),
      savedJson: mb(saved),
      exactHeap: gc !== undefined,
    },
    null,
    2,
  ),
);
