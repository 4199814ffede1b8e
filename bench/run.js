#!/usr/bin/env node
// Vigil benchmark: `npm run bench` (= node bench/run.js [--records N] [--rss-scaling]).
//
// On one cached synthetic CloudTrail corpus (bench/out/corpus-<N>/, generated on first use) it measures
//   (a) a bare Node loop that gunzips and JSON.parses every file on one core (baseline),
//   (b) gzip -dc | jq selecting one eventName (baseline),
//   (c) `vigil scan` with the Sigma rules from ../shared/sigma/rules,
// and prints wall time, records/s, MB/s and peak RSS, the throughput ratios Vigil/(a) and Vigil/(b)
// against their targets, and writes everything to bench/out/results.json.
// --rss-scaling also runs Vigil on a 4M-record corpus and compares its peak RSS with the 1M run.
// --mixed (issue 5) also scans a `vigil simulate` set (3 weeks: CloudTrail, VPC flow and DNS logs, cached in
// bench/out/mixed-bench/) with baselines and threat lists on, and compares its records/s with a
// CloudTrail-only scan of the corpus above under the same settings (target ≥ 0.7×).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCorpusManifest } from './generate-corpus.mjs';
import { measure } from './measure.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');
const OUT = join(BENCH_DIR, 'out');
const RULES = resolve(REPO, '../shared/sigma/rules');
const VIGIL_MAIN = join(REPO, 'dist/cli/main.js');
const TARGETS = { vsNode: 1.5, vsJq: 5, rssMb: 300, rssGrowth: 1.2, mixedVsCloudTrail: 0.7 };

function parseArgs(argv) {
  const opts = { records: 1_000_000, rssScaling: false, scalingRecords: 4_000_000, mixed: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--records') opts.records = Number(argv[++i]);
    else if (a === '--rss-scaling') opts.rssScaling = true;
    else if (a === '--mixed') opts.mixed = true;
    else if (a === '--scaling-records') opts.scalingRecords = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/run.js [--records N] [--rss-scaling] [--scaling-records N] [--mixed]');
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a} (try --help)`);
      process.exit(2);
    }
  }
  for (const k of ['records', 'scalingRecords']) {
    if (!Number.isInteger(opts[k]) || opts[k] <= 0) {
      console.error(`--${k === 'records' ? 'records' : 'scaling-records'} must be a positive integer`);
      process.exit(2);
    }
  }
  return opts;
}

async function ensureCorpus(records) {
  const dir = join(OUT, `corpus-${records}`);
  let manifest = await readCorpusManifest(dir);
  if (manifest && manifest.records === records) {
    console.error(`Reusing corpus ${dir} (${manifest.files} files).`);
    return { dir, manifest };
  }
  console.error(
    `Generating corpus of ${records.toLocaleString('en-US')} records in ${dir} (cached for next runs)…`,
  );
  const r = spawnSync(
    process.execPath,
    [join(BENCH_DIR, 'generate-corpus.mjs'), '--records', String(records), '--out', dir],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error(`corpus generation failed (exit ${r.status})`);
  manifest = await readCorpusManifest(dir);
  if (!manifest) throw new Error(`corpus generation left no manifest in ${dir}`);
  return { dir, manifest };
}

function metrics(name, run, manifest, extra = {}) {
  const s = run.wallMs / 1000;
  return {
    name,
    ok: true,
    wallSeconds: round(s, 2),
    recordsPerSecond: Math.round(manifest.records / s),
    compressedMBps: round(manifest.compressedBytes / 1e6 / s, 1),
    uncompressedMBps: round(manifest.uncompressedBytes / 1e6 / s, 1),
    peakRssMB: round(run.peakRssKb / 1024, 1),
    ...extra,
  };
}

const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;
const failed = (name, why) => ({ name, ok: false, reason: why });
const tail = (text) => text.trim().split('\n').slice(-5).join('\n');

async function runBaselineNode(corpus) {
  const run = await measure(process.execPath, [join(BENCH_DIR, 'baseline-node.mjs'), corpus.dir]);
  if (run.code !== 0)
    return failed('node gunzip+JSON.parse (1 core)', `exit ${run.code}: ${tail(run.stderr)}`);
  const counted = JSON.parse(run.stdout.trim().split('\n').pop());
  if (counted.records !== corpus.manifest.records)
    return failed(
      'node gunzip+JSON.parse (1 core)',
      `counted ${counted.records} records, corpus has ${corpus.manifest.records}`,
    );
  return metrics('node gunzip+JSON.parse (1 core)', run, corpus.manifest, {
    recordsCounted: counted.records,
  });
}

/** The `vigil simulate` set for --mixed: generated once, then reused. */
function ensureMixed() {
  const dir = join(OUT, 'mixed-bench');
  const labels = join(dir, 'labels.json');
  if (!existsSync(labels)) {
    console.error(`Generating the mixed set in ${dir} with vigil simulate (cached for next runs)…`);
    const r = spawnSync(
      process.execPath,
      [
        join(REPO, 'bin/vigil.js'),
        'simulate',
        '--out',
        dir,
        '--days',
        '21',
        '--scale',
        'medium',
        '--seed',
        'bench',
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`vigil simulate failed: ${tail(r.stderr ?? '')}`);
  }
  return { dir, labels: JSON.parse(readFileSync(labels, 'utf8')) };
}

/** `vigil scan` of `dir` with baselines on and no Sigma rules (the same settings for both sides of --mixed). */
async function runVigilPlain(dir, records, label, extra = []) {
  const args = [
    join(REPO, 'bin/vigil.js'),
    'scan',
    dir,
    '--baselines',
    '--format',
    'jsonl',
    '--out',
    '/dev/null',
    ...extra,
  ];
  const run = await measure(process.execPath, args, { cwd: REPO });
  if (run.code !== 0 && run.code !== 3)
    return failed(label, `exit ${run.code ?? run.signal}: ${tail(run.stderr)}`);
  const s = run.wallMs / 1000;
  return {
    name: label,
    ok: true,
    wallSeconds: round(s, 2),
    recordsPerSecond: Math.round(records / s),
    peakRssMB: round(run.peakRssKb / 1024, 1),
  };
}

async function runJq(corpus) {
  if (spawnSync('jq', ['--version']).status !== 0)
    return failed('gzip -dc | jq select(StopLogging)', 'jq is not installed (apt-get install jq)');
  const script = `find "$1" -path '*/CloudTrail/*' -name '*.json.gz' -print0 | xargs -0 gzip -dc | jq -c '.Records[] | select(.eventName=="StopLogging")' | wc -l`;
  const run = await measure('bash', ['-o', 'pipefail', '-c', script, 'bash', corpus.dir]);
  if (run.code !== 0)
    return failed('gzip -dc | jq select(StopLogging)', `exit ${run.code}: ${tail(run.stderr)}`);
  const matched = Number(run.stdout.trim());
  const expected = corpus.manifest.eventNames.StopLogging ?? 0;
  if (matched !== expected)
    return failed(
      'gzip -dc | jq select(StopLogging)',
      `jq matched ${matched} StopLogging records, corpus has ${expected}`,
    );
  return metrics('gzip -dc | jq select(StopLogging)', run, corpus.manifest, { matched });
}

function vigilUnavailable() {
  if (!existsSync(VIGIL_MAIN))
    return `dist/cli/main.js does not exist yet (run \`npm run build\` once the CLI has landed)`;
  if (!existsSync(RULES))
    return `Sigma rules not found at ${RULES} (expected the shared folder ../shared/sigma/rules beside the repository)`;
  return undefined;
}

async function runVigil(corpus, label = 'vigil scan (Sigma rules)') {
  const why = vigilUnavailable();
  if (why) return { name: label, ok: false, skipped: true, reason: why };
  const args = [
    join(REPO, 'bin/vigil.js'),
    'scan',
    corpus.dir,
    '--rules',
    RULES,
    '--format',
    'jsonl',
    '--out',
    '/dev/null',
  ];
  const run = await measure(process.execPath, args, { cwd: REPO });
  // 0 = no findings, 3 = findings exist; anything else is a failure.
  if (run.code !== 0 && run.code !== 3)
    return failed(label, `exit ${run.code ?? run.signal}: ${tail(run.stderr)}`);
  return metrics(label, run, corpus.manifest, { exitCode: run.code });
}

function printTable(rows) {
  const head = ['run', 'wall s', 'records/s', 'MB/s gz', 'MB/s json', 'peak RSS MB'];
  const lines = rows.map((r) =>
    r.ok
      ? [
          r.name,
          r.wallSeconds.toFixed(2),
          r.recordsPerSecond.toLocaleString('en-US'),
          r.compressedMBps.toFixed(1),
          r.uncompressedMBps.toFixed(1),
          r.peakRssMB.toFixed(1),
        ]
      : [r.name, `${r.skipped ? 'SKIPPED' : 'FAILED'}: ${r.reason}`, '', '', '', ''],
  );
  const widths = head.map((h, i) =>
    Math.max(h.length, ...lines.filter((l) => l[2] !== '').map((l) => String(l[i]).length)),
  );
  const fmt = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(l[2] === '' ? `${String(l[0]).padEnd(widths[0])}  ${l[1]}` : fmt(l));
}

function ratio(vigil, base, target) {
  if (!vigil.ok || !base.ok) return { value: null, target, verdict: 'N/A' };
  const value = round(vigil.recordsPerSecond / base.recordsPerSecond, 2);
  return { value, target, verdict: value >= target ? 'PASS' : 'MISS' };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await mkdir(OUT, { recursive: true });
  const corpus = await ensureCorpus(opts.records);
  const m = corpus.manifest;
  console.log(
    `Corpus: ${m.records.toLocaleString('en-US')} records, ${m.files} files, ${(m.compressedBytes / 1e6).toFixed(1)} MB gz, ${(m.uncompressedBytes / 1e6).toFixed(1)} MB JSON (${corpus.dir})`,
  );
  console.log(
    `Machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
  );

  console.error('(a) node gunzip + JSON.parse …');
  const a = await runBaselineNode(corpus);
  console.error('(b) gzip -dc | jq …');
  const b = await runJq(corpus);
  console.error('(c) vigil scan …');
  const c = await runVigil(corpus);
  if (c.skipped) console.error(`(c) skipped: ${c.reason}`);

  console.log('');
  printTable([a, b, c]);
  const ratios = { vigilVsNode: ratio(c, a, TARGETS.vsNode), vigilVsJq: ratio(c, b, TARGETS.vsJq) };
  console.log('\nThroughput ratios (Vigil records/s ÷ baseline records/s):');
  console.log(
    `  Vigil / (a) node loop: ${ratios.vigilVsNode.value ?? '-'}×  target ≥ ${TARGETS.vsNode}×  ${ratios.vigilVsNode.verdict}`,
  );
  console.log(
    `  Vigil / (b) jq:        ${ratios.vigilVsJq.value ?? '-'}×  target ≥ ${TARGETS.vsJq}×  ${ratios.vigilVsJq.verdict}`,
  );

  let rssScaling;
  if (opts.rssScaling) {
    const why = vigilUnavailable();
    if (why) {
      rssScaling = { skipped: true, reason: why };
      console.log(`\nRSS scaling: SKIPPED: ${why}`);
    } else {
      const big = await ensureCorpus(opts.scalingRecords);
      const c4 = await runVigil(big, `vigil scan (${opts.scalingRecords.toLocaleString('en-US')} records)`);
      const both = c.ok && c4.ok;
      const grew = both ? round(c4.peakRssMB / c.peakRssMB, 2) : null;
      const verdict = both
        ? c4.peakRssMB < TARGETS.rssMb && c.peakRssMB < TARGETS.rssMb && grew <= TARGETS.rssGrowth
          ? 'PASS'
          : 'MISS'
        : 'N/A';
      rssScaling = {
        small: { records: m.records, peakRssMB: c.ok ? c.peakRssMB : null },
        large: c4,
        growth: grew,
        targetMB: TARGETS.rssMb,
        targetGrowth: TARGETS.rssGrowth,
        verdict,
      };
      console.log('\nRSS scaling (Vigil peak RSS; target < 300 MB and not growing, i.e. large/small ≤ 1.2):');
      console.log(`  ${m.records.toLocaleString('en-US')} records: ${c.ok ? `${c.peakRssMB} MB` : 'n/a'}`);
      console.log(
        `  ${opts.scalingRecords.toLocaleString('en-US')} records: ${c4.ok ? `${c4.peakRssMB} MB (${c4.wallSeconds} s)` : `FAILED: ${c4.reason}`}`,
      );
      console.log(`  growth: ${grew ?? '-'}×  ${verdict}`);
    }
  }

  let mixed;
  if (opts.mixed) {
    const set = ensureMixed();
    const lists = ['threatList', 'threatDomains'].flatMap((k) => [
      '--threat-intel',
      join(set.dir, set.labels.files[k]),
    ]);
    const ct = await runVigilPlain(corpus.dir, m.records, 'vigil scan CloudTrail only (baselines)');
    const mx = await runVigilPlain(
      set.dir,
      set.labels.totals.records,
      'vigil scan CloudTrail+flow+DNS (baselines)',
      [...lists, '--tor-exits', join(set.dir, set.labels.files.torExits)],
    );
    const value = ct.ok && mx.ok ? round(mx.recordsPerSecond / ct.recordsPerSecond, 2) : null;
    mixed = {
      cloudTrailOnly: ct,
      mixed: { ...mx, records: set.labels.totals },
      ratio: value,
      target: TARGETS.mixedVsCloudTrail,
      verdict: value === null ? 'N/A' : value >= TARGETS.mixedVsCloudTrail ? 'PASS' : 'MISS',
    };
    console.log('\nMixed logs (issue 5): records/s with flow and DNS logs vs CloudTrail only, baselines on:');
    for (const r of [ct, mx])
      console.log(
        `  ${r.name}: ${r.ok ? `${r.wallSeconds} s, ${r.recordsPerSecond.toLocaleString('en-US')} records/s, ${r.peakRssMB} MB` : `FAILED: ${r.reason}`}`,
      );
    console.log(`  ratio: ${value ?? '-'}×  target ≥ ${TARGETS.mixedVsCloudTrail}×  ${mixed.verdict}`);
    // Also against the headline CloudTrail figure above (no baselines, with the Sigma rules).
    const vsHeadline = mx.ok && c.ok ? round(mx.recordsPerSecond / c.recordsPerSecond, 2) : null;
    mixed.vsHeadline = vsHeadline;
    console.log(`  against (c) ${c.name}: ${vsHeadline ?? '-'}×`);
  }

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    corpus: {
      dir: corpus.dir,
      records: m.records,
      files: m.files,
      compressedBytes: m.compressedBytes,
      uncompressedBytes: m.uncompressedBytes,
      seed: m.seed,
    },
    runs: { baselineNode: a, baselineJq: b, vigil: c },
    ratios,
    targets: TARGETS,
    ...(rssScaling ? { rssScaling } : {}),
    ...(mixed ? { mixed } : {}),
  };
  await writeFile(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults written to ${join(OUT, 'results.json')}`);
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
