import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, stopLogging } from './helpers/cloudtrail.js';
import { BIN, REPO } from './helpers/run-cli.js';
import { until } from '../src/testing/until.js';

let dir: string;
let receiver: Server;
const received: { eventId: string; trail: string }[] = [];
let hang = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-faults-'));
  mkdirSync(join(dir, 'logs'));
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { event: { id: string; resources: string[] } };
      received.push({ eventId: parsed.event.id, trail: parsed.event.resources.join(',') });
      if (hang) return; // hold the request open: the sender is killed with the delivery in flight
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, logs: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      server: { port: 0 },
      store: { sqlite: join(dir, name, 'vigil.db') },
      sources: [{ id: 'trail', kind: 'folder', path: logs, pollSeconds: 0.05 }],
      channels: [
        {
          id: 'hook',
          kind: 'webhook',
          url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
          secret: { env: 'HOOK_SECRET' },
        },
      ],
      routes: [{ name: 'all', pattern: { source: ['vigil'] }, targets: ['hook'] }],
    }),
  );
  return file;
}

const waitFor = (condition: () => boolean, what: string) => until(condition, what, 600);

function start(config: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], {
    cwd: REPO,
    env: { ...process.env, HOOK_SECRET: 'x' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => String(d).includes('serving on') && resolve(child));
    child.on('exit', (code) => reject(new Error(`vigil serve exited early (${code})`)));
  });
}

describe('vigil serve killed with SIGKILL while ingesting', () => {
  it('loses no record and duplicates no finding after a restart; a resent alert carries the same event id', async () => {
    const FILES = 40;
    for (let i = 0; i < FILES; i++) {
      const name = `${ACCOUNT}_CloudTrail_us-east-1_20261120T${String(1000 + i)}Z_f${i}.json`;
      writeFileSync(
        join(dir, 'logs', name),
        JSON.stringify({
          Records: [stopLogging({ eventID: `kill-${i}`, requestParameters: { name: `trail-${i}` } })],
        }),
      );
    }
    const config = join(dir, 'vigil.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        server: { port: 0 },
        store: { sqlite: join(dir, 'data', 'vigil.db') },
        sources: [{ id: 'trail', kind: 'folder', path: join(dir, 'logs'), pollSeconds: 0.05 }],
        channels: [
          {
            id: 'hook',
            kind: 'webhook',
            url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
            secret: { env: 'HOOK_SECRET' },
          },
        ],
        routes: [{ name: 'all', pattern: { source: ['vigil'] }, targets: ['hook'] }],
      }),
    );

    const first = await start(config);
    await waitFor(() => received.length >= 3, 'the first alerts');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = await start(config);
    try {
      await waitFor(() => new Set(received.map((r) => r.trail)).size === FILES, 'every alert');
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
    // Every trail alerted; any alert sent twice (killed between sending and recording) has the same event id.
    const byTrail = new Map<string, Set<string>>();
    for (const r of received) byTrail.set(r.trail, (byTrail.get(r.trail) ?? new Set()).add(r.eventId));
    expect(byTrail.size).toBe(FILES);
    for (const ids of byTrail.values()) expect(ids.size).toBe(1);
    // The store holds each finding once, counted once.
    const db = new Database(join(dir, 'data', 'vigil.db'), { readonly: true });
    try {
      const findings = (
        db.prepare('SELECT j.json FROM findings f JOIN finding_json j ON j.n = f.n').all() as {
          json: string;
        }[]
      ).map((r) => JSON.parse(r.json) as { detector: string; count: number });
      const stopped = findings.filter((f) => f.detector === 'cloudtrail-logging-stopped');
      expect(stopped).toHaveLength(FILES);
      expect(stopped.every((f) => f.count === 1)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('resends, once, an alert that was in flight when the process was killed while delivering', async () => {
    const logs = join(dir, 'logs-delivering');
    mkdirSync(logs);
    writeFileSync(
      join(logs, `${ACCOUNT}_CloudTrail_us-east-1_20261120T1100Z_d.json`),
      JSON.stringify({
        Records: [stopLogging({ eventID: 'deliver-1', requestParameters: { name: 'trail-in-flight' } })],
      }),
    );
    const config = writeConfig('delivering', logs);
    const inFlight = () => received.filter((r) => r.trail === 'trail-in-flight');
    hang = true;
    const first = await start(config);
    await waitFor(() => inFlight().length === 1, 'the alert in flight');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    hang = false;
    const second = await start(config);
    try {
      await waitFor(() => inFlight().length === 2, 'the resent alert');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
    // Sent once before the kill (never answered) and once after: the same event, so receivers dedupe it.
    expect(inFlight()).toHaveLength(2);
    expect(new Set(inFlight().map((r) => r.eventId)).size).toBe(1);
  });
});
