#!/usr/bin/env node
// Vigil evaluation: `npm run eval` (= build, then node eval/run.mjs [options]).
//
// 1. Generates (or reuses, when generator and options are unchanged) a labelled set with
//    `vigil simulate` under eval/out/<seed>-<scale>-<days>/.
// 2. Scans it with the built `vigil scan --format jsonl`, with the set's threat list (IPs and domains)
//    and Tor exit list where the scanner takes them, plus the bundled data (AWS ranges, geo, ASN).
// 3. Scores the findings against labels.json (src/simulate/score.ts): recall per scenario, false
//    positives at MEDIUM+ per 100,000 benign records, the top false-positive types; writes
//    eval/out/<set>/score.json and exits 1 when a target is missed.
//
// Options: --seed S (acme) --days N (21) --scale small|medium (medium) --fresh (regenerate)
//          --workers N, and anything after -- goes to vigil scan as is.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'bin/vigil.js');

function parseArgs(argv) {
  const opts = { seed: 'acme', days: 21, scale: 'medium', fresh: false, workers: undefined, scanArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      opts.scanArgs = argv.slice(i + 1);
      break;
    } else if (a === '--seed') opts.seed = argv[++i];
    else if (a === '--days') opts.days = Number(argv[++i]);
    else if (a === '--scale') opts.scale = argv[++i];
    else if (a === '--workers') opts.workers = argv[++i];
    else if (a === '--fresh') opts.fresh = true;
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node eval/run.mjs [--seed S] [--days N] [--scale small|medium] [--fresh] [--workers N] [-- scan options]',
      );
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a} (try --help)`);
      process.exit(2);
    }
  }
  return opts;
}

/** A hash of the built generator: the cached set is regenerated whenever the generator changes. */
function generatorStamp(opts) {
  const h = createHash('sha256').update(JSON.stringify([opts.seed, opts.days, opts.scale]));
  const dir = join(REPO, 'dist/simulate');
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.js'))
    .sort())
    h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

function run(args, what) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const stderr = r.stderr ?? '';
  if (r.status !== 0 && r.status !== 3) {
    process.stderr.write(stderr);
    console.error(`eval: ${what} failed (exit ${r.status})`);
    process.exit(1);
  }
  return { stderr, seconds: (Date.now() - started) / 1000 };
}

/**
 * Event ids of the labelled flow and DNS records, as the scanner computes them (a content hash), by
 * the project's own normalizer; CloudTrail records carry their eventID.
 */
async function scenarioTruths(labels) {
  const sources = await import(join(REPO, 'dist/sources/index.js'));
  const normalize = sources.normalizeRecord;
  return labels.scenarios.map((s) => {
    const ids = new Set(s.records.cloudtrail);
    if (typeof normalize === 'function') {
      for (const r of s.records.vpcflow) ids.add(normalize(r, 'vpcflow', {}).eventId);
      for (const r of s.records.dns) ids.add(normalize(r, 'dns', {}).eventId);
    }
    return { id: s.id, kind: s.kind, start: s.start, end: s.end, actors: s.actors, eventIds: ids };
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const set = join(REPO, 'eval/out', `${opts.seed}-${opts.scale}-${opts.days}`);
  const stampFile = join(set, 'generator.stamp');
  const stamp = generatorStamp(opts);
  if (opts.fresh || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    console.error(`eval: generating ${set}`);
    // An interrupted generation must not be reused: the stamp goes first and comes back last.
    rmSync(stampFile, { force: true });
    const g = run(
      ['simulate', '--out', set, '--days', String(opts.days), '--seed', opts.seed, '--scale', opts.scale],
      'vigil simulate',
    );
    process.stderr.write(g.stderr);
    writeFileSync(stampFile, stamp);
  } else {
    console.error(`eval: reusing ${set}`);
  }
  const labels = JSON.parse(readFileSync(join(set, 'labels.json'), 'utf8'));

  const help = spawnSync(process.execPath, [BIN, 'scan', '--help'], { encoding: 'utf8' }).stdout ?? '';
  const scanArgs = ['scan', join(set, 'AWSLogs'), '--format', 'jsonl', '--min-severity', 'low', '--quiet'];
  scanArgs.push('--threat-intel', join(set, labels.files.threatList));
  if (/domains/i.test(help)) scanArgs.push('--threat-intel', join(set, labels.files.threatDomains));
  if (help.includes('--tor-exits')) scanArgs.push('--tor-exits', join(set, labels.files.torExits));
  // Behavioural baselines are part of what is measured: their recall and their false positives.
  if (help.includes('--baselines')) scanArgs.push('--baselines');
  if (opts.workers !== undefined) scanArgs.push('--workers', opts.workers);
  const findingsFile = join(set, 'findings.jsonl');
  scanArgs.push('--out', findingsFile, ...opts.scanArgs);
  console.error(`eval: vigil ${scanArgs.map((a) => a.replace(REPO + '/', '')).join(' ')}`);
  const scan = run(scanArgs, 'vigil scan');
  process.stderr.write(
    scan.stderr
      .split('\n')
      .filter((l) => /scanned|error/i.test(l))
      .slice(0, 5)
      .map((l) => `${l}\n`)
      .join(''),
  );

  const findings = readFileSync(findingsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const { score, formatScore } = await import(join(REPO, 'dist/simulate/score.js'));
  const truths = await scenarioTruths(labels);
  const result = score(findings, truths, labels.totals.benign);

  const t = labels.totals;
  console.log(
    `set: ${labels.generator.days} days, scale ${labels.generator.scale}, seed ${labels.generator.seed}: ${t.records.toLocaleString('en-US')} records (${t.cloudtrail.toLocaleString('en-US')} CloudTrail, ${t.vpcflow.toLocaleString('en-US')} flow, ${t.dns.toLocaleString('en-US')} DNS), ${t.malicious.toLocaleString('en-US')} malicious`,
  );
  console.log(`scan: ${scan.seconds.toFixed(1)} s, ${findings.length} findings\n`);
  console.log(formatScore(result));
  if (result.falsePositives.length) {
    console.log('\nfalse positives (first 20):');
    for (const f of result.falsePositives.slice(0, 20)) {
      const who = f.actor?.principal ?? f.actor?.accessKeyId ?? f.actor?.ip ?? '-';
      console.log(
        `  ${f.severityLabel.padEnd(8)} ${f.type}  ${who}  ${f.firstSeen}  x${f.count ?? 1}  ${JSON.stringify(f.title ?? '')}`,
      );
    }
  }
  writeFileSync(
    join(set, 'score.json'),
    `${JSON.stringify({ ...result, falsePositives: result.falsePositives.map((f) => ({ id: f.id, type: f.type, detector: f.detector, severityLabel: f.severityLabel, actor: f.actor, firstSeen: f.firstSeen })) }, null, 1)}\n`,
  );
  process.exit(result.targetsMet ? 0 : 1);
}

await main();
