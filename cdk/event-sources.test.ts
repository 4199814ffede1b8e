import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDetectionDir } from '../src/detect/index.js';
import { repoRoot } from './lib/bundle.js';
import { builtinEventSources, detectionEventSources } from './lib/event-sources.js';

const { detections } = loadDetectionDir(join(repoRoot(), 'detections'), 'builtin', { tests: true });
const derived = builtinEventSources(repoRoot());

describe('CloudTrail event sources the detect rule forwards', () => {
  it('are derived from the catalogue: the services its detections watch, and only CloudTrail ones', () => {
    expect(derived.sources).toEqual([...derived.sources].sort());
    for (const s of [
      'cloudtrail.amazonaws.com',
      'guardduty.amazonaws.com',
      'iam.amazonaws.com',
      'signin.amazonaws.com',
      's3.amazonaws.com',
      'organizations.amazonaws.com',
    ]) {
      expect(derived.sources).toContain(s);
    }
    for (const s of derived.sources) expect(s).toMatch(/^[a-z0-9.-]+\.amazonaws\.com$/);
    // Detections reading every event (user agents, threat lists, root use) are named, not silently dropped.
    expect(derived.anySource).toContain('root-account-usage');
    expect(derived.anySource).not.toContain('cloudtrail-logging-stopped');
  });

  it('every positive test event of a source-bound CloudTrail detection comes from a forwarded source', () => {
    const forwarded = new Set(derived.sources);
    let checked = 0;
    for (const d of detections) {
      if (d.source !== 'cloudtrail' || derived.anySource.includes(d.id)) continue;
      for (const t of d.tests) {
        const events = t.match === true ? [t.event!] : (t.findings ?? 0) > 0 ? t.events! : [];
        for (const e of events) {
          const source = String(e.eventSource).toLowerCase();
          // Stateful cases mix in benign events; each event that can count is from a forwarded source.
          if (t.match === true) expect(forwarded.has(source), `${d.id}: ${t.name}: ${source}`).toBe(true);
          else if (!forwarded.has(source)) continue;
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('a new detection on another service adds its source', () => {
    const stop = detections.find((d) => d.id === 'cloudtrail-logging-stopped')!;
    const extra = {
      ...stop,
      id: 'polly-test',
      detection: { selection: { eventSource: 'polly.amazonaws.com' }, condition: 'selection' },
    };
    expect(detectionEventSources([stop, extra]).sources).toEqual([
      'cloudtrail.amazonaws.com',
      'polly.amazonaws.com',
    ]);
    expect(detectionEventSources([{ ...stop, source: 'vpcflow' }]).sources).toEqual([]);
  });
});
