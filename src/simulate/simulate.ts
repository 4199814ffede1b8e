import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benignCloudTrailDay } from './benign-cloudtrail.js';
import { benignNetworkWindow } from './benign-network.js';
import { createCloudTrail } from './cloudtrail.js';
import { ATTACKERS, fleet, THREAT_LIST_EXTRA, TOR_EXITS } from './org.js';
import { Output, type OutputCounts } from './output.js';
import { createPrng } from './prng.js';
import { SCALES } from './scale.js';
import { runScenarios, type ScenarioLabel } from './scenarios.js';

/**
 * `vigil simulate`: weeks of a small organisation's benign AWS activity with labelled attacks
 * injected, written as AWS writes it (CloudTrail, VPC Flow Logs, Route 53 Resolver query logs in
 * their S3 layouts) plus labels.json and the threat and Tor exit lists the scenarios expect.
 * Deterministic: the same options give byte-identical files.
 */
export interface SimulateOptions {
  out: string;
  days: number;
  seed: string;
  scale: keyof typeof SCALES;
  /** First day, UTC midnight (default 2026-11-02, a Monday). */
  startMs?: number;
}

export interface Labels {
  generator: { seed: string; days: number; scale: string; start: string; end: string };
  totals: {
    cloudtrail: number;
    vpcflow: number;
    dns: number;
    records: number;
    malicious: number;
    benign: number;
  };
  files: { threatList: string; threatDomains: string; torExits: string };
  scenarios: ScenarioLabel[];
}

export const DEFAULT_START = Date.UTC(2026, 10, 2);
const DAY = 86_400_000;
const WINDOW = 600_000;

export function simulate(opts: SimulateOptions): { labels: Labels; counts: OutputCounts } {
  const start = opts.startMs ?? DEFAULT_START;
  const scale = SCALES[opts.scale];
  const root = opts.out;
  rmSync(join(root, 'AWSLogs'), { recursive: true, force: true });
  mkdirSync(root, { recursive: true });

  const rng = createPrng(`vigil-simulate/${opts.seed}`);
  const output = new Output(root, rng.fork('files'));
  const instances = fleet(scale.webServers, scale.appServers);

  const attackRng = rng.fork('attacks');
  const scenarios = runScenarios(
    {
      rng: attackRng,
      record: createCloudTrail(attackRng),
      sink: {
        cloudtrail: (r) => output.cloudtrail(r),
        flow: (inst, r) => output.flow(inst.vpc, r),
        dns: (inst, r) => output.dns(inst.vpc, r),
      },
      instances,
    },
    start,
    opts.days,
  );

  const ctRng = rng.fork('cloudtrail');
  const ctFactory = createCloudTrail(ctRng);
  const netRng = rng.fork('network');
  for (let d = 0; d < opts.days; d++) {
    const day = start + d * DAY;
    benignCloudTrailDay(
      { rng: ctRng, record: (o) => output.cloudtrail(ctFactory(o)), scale, instances },
      day,
      d,
    );
    const net = {
      rng: netRng,
      flow: output.flow.bind(output),
      dns: output.dns.bind(output),
      scale,
      instances,
    };
    for (let w = day; w < day + DAY; w += WINDOW) benignNetworkWindow(net, w);
    output.flushBefore(day + DAY);
  }
  output.flushBefore(Infinity);

  const files = {
    threatList: 'threat-list.txt',
    threatDomains: 'threat-domains.txt',
    torExits: 'tor-exit-list.txt',
  };
  writeFileSync(
    join(root, files.threatList),
    `# Acme threat list (GuardDuty TXT format)\n${[ATTACKERS.c2Ip, ...THREAT_LIST_EXTRA].join('\n')}\n`,
  );
  writeFileSync(
    join(root, files.threatDomains),
    `# Acme threat list: domains\n${[ATTACKERS.c2Domain, 'bad-updates.example', 'login-verify-aws.example'].join('\n')}\n`,
  );
  writeFileSync(join(root, files.torExits), `${TOR_EXITS.join('\n')}\n`);

  const c = output.counts;
  const records = c.cloudtrail + c.vpcflow + c.dns;
  const malicious = scenarios.reduce(
    (n, s) => n + s.records.cloudtrail.length + s.records.vpcflow.length + s.records.dns.length,
    0,
  );
  const labels: Labels = {
    generator: {
      seed: opts.seed,
      days: opts.days,
      scale: opts.scale,
      start: new Date(start).toISOString(),
      end: new Date(start + opts.days * DAY).toISOString(),
    },
    totals: {
      cloudtrail: c.cloudtrail,
      vpcflow: c.vpcflow,
      dns: c.dns,
      records,
      malicious,
      benign: records - malicious,
    },
    files,
    scenarios,
  };
  writeFileSync(join(root, 'labels.json'), `${JSON.stringify(labels, null, 1)}\n`);
  return { labels, counts: c };
}
