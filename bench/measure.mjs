// Runs one command as a child process and measures it: wall time, and peak memory polled from
// /proc every ~50 ms. For a single process the peak is its VmHWM (kernel high-water mark); for a
// pipeline (bash -c 'a | b | c') it is the largest sum of VmRSS seen across the process tree,
// or the largest single VmHWM if that is bigger.

import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

function readStatusKb(pid, field) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process exited between listing and reading
  }
}

function descendants(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const p = all[i];
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids) for (const k of kids.split(/\s+/)) all.push(Number(k));
      } catch {
        // task gone
      }
    }
  }
  return all;
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, intervalMs?: number }} [opts]
 * @returns {Promise<{ code: number|null, signal: string|null, wallMs: number, peakRssKb: number, stdout: string, stderr: string }>}
 */
export function measure(command, args, opts = {}) {
  const interval = opts.intervalMs ?? 50;
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      if (stdout.length > 1_000_000) stdout = stdout.slice(-500_000);
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    });
    let peakKb = 0;
    const hwm = new Map();
    const sample = () => {
      if (child.pid === undefined) return;
      let sum = 0;
      for (const pid of descendants(child.pid)) {
        sum += readStatusKb(pid, 'VmRSS');
        const h = readStatusKb(pid, 'VmHWM');
        if (h > (hwm.get(pid) ?? 0)) hwm.set(pid, h);
      }
      peakKb = Math.max(peakKb, sum, ...hwm.values());
    };
    const timer = setInterval(sample, interval);
    sample();
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(timer);
      child.on('close', () => resolvePromise({ code, signal, wallMs, peakRssKb: peakKb, stdout, stderr }));
    });
  });
}
