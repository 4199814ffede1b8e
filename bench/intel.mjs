// Threat-intelligence benchmark (issue 5): load time, memory (RSS delta) and lookups/s for 1,000,000
// mixed indicators (IPv4 addresses and CIDRs, IPv6 CIDRs, domains) in one TXT list and in a STIX bundle.
// Run: `npm run build && node --expose-gc bench/intel.mjs`. VIGIL_DIST points at another build
// (e.g. `npx tsc -p tsconfig.build.json --outDir /tmp/idist && VIGIL_DIST=/tmp/idist node …`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPrng } from './corpus/prng.mjs';

const dist = resolve(process.env.VIGIL_DIST ?? new URL('../dist', import.meta.url).pathname);
const { loadThreatIntel } = await import(pathToFileURL(join(dist, 'intel/index.js')).href);

const prng = createPrng('vigil-intel-bench');
const rand = () => prng.next();
const int = (n) => Math.floor(rand() * n);
const N4 = 600_000;
const N6 = 100_000;
const ND = 300_000;

const v4 = () => `${1 + int(222)}.${int(256)}.${int(256)}.${int(256)}`;
const v6 = () => `2001:db8:${int(65536).toString(16)}:${int(65536).toString(16)}::`;
const lines = [];
for (let i = 0; i < N4; i++) lines.push(i % 10 === 0 ? `${v4()}/${20 + int(9)}` : v4());
for (let i = 0; i < N6; i++) lines.push(`${v6()}/64`);
for (let i = 0; i < ND; i++) lines.push(`h${i.toString(36)}.bad${int(5000)}.example`);

const dir = mkdtempSync(join(tmpdir(), 'vigil-intel-bench-'));
const gc = globalThis.gc ?? (() => {});
const mb = (b) => (b / 1048576).toFixed(1);

function measureLoad(label, file, spec) {
  gc();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const { intel } = loadThreatIntel([spec ?? file]);
  const ms = performance.now() - t0;
  gc();
  const rss = process.memoryUsage().rss - rss0;
  const mem = rss >= 0 ? `RSS +${mb(rss)} MB` : 'RSS n/a (earlier allocations were freed meanwhile)';
  console.log(`${label}: loaded ${intel.lists()[0].entries} entries in ${ms.toFixed(0)} ms, ${mem}`);
  return intel;
}

function rate(label, n, fn) {
  const t0 = performance.now();
  let hits = 0;
  for (let i = 0; i < n; i++) if (fn(i) !== undefined) hits++;
  const s = (performance.now() - t0) / 1000;
  console.log(`  ${label}: ${Math.round(n / s).toLocaleString('en')} lookups/s (${hits} hits of ${n})`);
}

try {
  const txt = join(dir, 'mixed.txt');
  writeFileSync(txt, lines.join('\n'));
  const intel = measureLoad('TXT 1,000,000 indicators', txt);
  // distinct probes, so the per-key cache never answers: these are the raw structure's speeds
  const probes4 = Array.from({ length: 1_000_000 }, v4);
  const probes6 = Array.from({ length: 200_000 }, () => `${v6()}${int(65536).toString(16)}`);
  const probesD = Array.from(
    { length: 1_000_000 },
    () => `www.h${int(ND * 2).toString(36)}.bad${int(5000)}.example`,
  );
  rate('IPv4 (uncached)', probes4.length, (i) => intel.threatIntel(probes4[i]));
  rate('IPv6 (uncached)', probes6.length, (i) => intel.threatIntel(probes6[i]));
  rate('domain (uncached)', probesD.length, (i) => intel.threatDomain(probesD[i]));
  rate('IPv4 (recurring 1,000 IPs, cached)', 1_000_000, (i) => intel.threatIntel(probes4[i % 1000]));

  const stix = join(dir, 'mixed.json');
  const kind = (l) => (l.includes(':') ? 'ipv6-addr' : /^[\d./]+$/.test(l) ? 'ipv4-addr' : 'domain-name');
  writeFileSync(
    stix,
    JSON.stringify({
      type: 'bundle',
      objects: lines.map((l, i) => ({
        type: 'indicator',
        id: `indicator--${i}`,
        pattern: `[${kind(l)}:value = '${l}']`,
        pattern_type: 'stix',
      })),
    }),
  );
  measureLoad('STIX 1,000,000 indicators', stix);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
