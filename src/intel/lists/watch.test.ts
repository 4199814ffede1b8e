import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InputProblem } from '../../core/errors.js';
import { until } from '../../testing/until.js';
import { loadThreatIntel } from './threat-intel.js';
import { watchIntel, type IntelWatcher } from './watch.js';
import type { LoadedIntelList } from './load.js';

let dir: string;
let watcher: IntelWatcher | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-intel-watch-'));
});
afterEach(() => {
  watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('watchIntel', () => {
  it('applies a new version, refuses a broken one and keeps the old, for edits and renames', async () => {
    const txt = join(dir, 'bad-ips.txt');
    const stix = join(dir, 'feed.json');
    writeFileSync(txt, '198.51.100.1\n');
    writeFileSync(stix, JSON.stringify({ type: 'bundle', objects: [] }));
    const { intel } = loadThreatIntel([txt, { path: stix, name: 'feed' }]);
    const reloads: LoadedIntelList[] = [];
    const problems: InputProblem[] = [];
    watcher = watchIntel(intel, {
      onReload: (l) => reloads.push(l),
      onProblem: (p) => problems.push(p),
      debounceMs: 50,
      pollMs: 200,
    });
    expect(intel.threatIntel('198.51.100.1')).toBe('bad-ips.txt');

    // a new version written in place
    writeFileSync(txt, '# v2\n203.0.113.7\nc2.evil.example\n');
    await until(() => intel.threatIntel('203.0.113.7') !== undefined, 'the new TXT version');
    expect(intel.threatIntel('198.51.100.1')).toBeUndefined();
    expect(intel.threatDomain('x.c2.evil.example')).toBe('bad-ips.txt');
    expect(reloads.at(-1)!.entries).toBe(2);

    // a broken version (nothing valid in it): refused, v2 stays
    writeFileSync(txt, 'garbage\nmore garbage\n');
    await until(() => problems.some((p) => /previous version stays/.test(p.message)), 'the refusal');
    expect(intel.threatIntel('203.0.113.7')).toBe('bad-ips.txt');
    expect(problems.filter((p) => p.line !== undefined).map((p) => p.line)).toEqual([1, 2]);

    // a STIX file replaced by rename (how feeds are published atomically)
    const tmp = join(dir, '.feed.json.tmp');
    writeFileSync(
      tmp,
      JSON.stringify({
        type: 'bundle',
        objects: [{ type: 'indicator', pattern: "[ipv4-addr:value = '192.0.2.44']", pattern_type: 'stix' }],
      }),
    );
    renameSync(tmp, stix);
    await until(() => intel.threatIntel('192.0.2.44') === 'feed', 'the renamed STIX version');

    // broken JSON: refused with a problem, the previous version stays
    writeFileSync(stix, '{"type":"bundle","objects":[');
    await until(() => problems.some((p) => p.file === stix), 'the JSON refusal');
    expect(intel.threatIntel('192.0.2.44')).toBe('feed');
  });

  it('stops watching when closed', async () => {
    const txt = join(dir, 'list.txt');
    writeFileSync(txt, '198.51.100.1\n');
    const { intel } = loadThreatIntel([txt]);
    watcher = watchIntel(intel, { debounceMs: 20, pollMs: 50 });
    watcher.close();
    writeFileSync(txt, '203.0.113.7\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(intel.threatIntel('198.51.100.1')).toBe('list.txt');
  });
});
