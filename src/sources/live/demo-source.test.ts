import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoSource, STORY_KEY } from './demo-source.js';
import { builtinDemoDir, loadStory } from './demo-story.js';
import { REPLAY_FIELD, replayEventId } from './replay.js';
import { ctRecord, ids, manualTimers, recorder, tempState, tick, waitFor } from './testing.js';
import type { LiveSource } from './types.js';

const NOW = Date.parse('2027-01-05T09:00:00Z');

describe('createDemoSource', () => {
  let state: ReturnType<typeof tempState>;
  const sources: LiveSource[] = [];
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    state.cleanup();
  });

  /** A story of 4 records spread over two files out of time order, with a 2-minute and a 1-hour gap. */
  function writeStory(): string {
    const dir = join(state.dir, 'story');
    mkdirSync(dir, { recursive: true });
    const withSession = ctRecord('s2', '2026-11-20T02:02:00Z', 'CreateUser');
    withSession.userIdentity = {
      type: 'IAMUser',
      sessionContext: { attributes: { creationDate: '2026-11-20T01:02:00Z', mfaAuthenticated: 'false' } },
    };
    writeFileSync(
      join(dir, '123456789012_CloudTrail_us-east-1_20261120T0305Z_b.json'),
      JSON.stringify({
        Records: [ctRecord('s3', '2026-11-20T03:02:00Z'), ctRecord('s4', '2026-11-20T03:02:00Z')],
      }),
    );
    writeFileSync(
      join(dir, '123456789012_CloudTrail_us-east-1_20261120T0205Z_a.json'),
      JSON.stringify({ Records: [withSession, ctRecord('s1', '2026-11-20T02:00:00Z')] }),
    );
    return dir;
  }

  function setup(storyDir: string, loop: boolean) {
    const timers = manualTimers();
    const rec = recorder();
    let t = NOW;
    const source = createDemoSource(
      { id: 'demo', speed: 60, loop, storyDir },
      { checkpoints: state.open(), onRecords: rec.onRecords, onProblem: rec.onProblem, timers, now: () => t },
    );
    sources.push(source);
    return { timers, rec, source, advance: (ms: number) => (t += ms), now: () => t };
  }

  it('replays the story in event-time order, at speed, with times rewritten to now', async () => {
    state = tempState();
    const { timers, rec, source, advance } = setup(writeStory(), false);
    source.start();
    await waitFor(() => timers.pending().length > 0, 'the story to load');
    expect(timers.pending()).toEqual([0]);
    const delays: number[][] = [];
    while (timers.pending().length > 0) {
      delays.push(timers.pending());
      advance(1000);
      timers.fire();
      await waitFor(() => timers.pending().length > 0 || source.stats().finished, 'the next step');
    }
    // s1 → s2: 120 s / 60 = 2 s; s2 → s3: an hour / 60 = 60 s, capped at 5 s; s3 and s4 share a second.
    expect(delays).toEqual([[0], [2000], [5000]]);
    expect(rec.batches.map((b) => b.records.length)).toEqual([1, 1, 2]);
    const records = rec.batches.flatMap((b) => b.records.map((r) => r.record));
    expect(records.map((r) => (r[REPLAY_FIELD] as { eventID: string }).eventID)).toEqual([
      's1',
      's2',
      's3',
      's4',
    ]);
    expect(records.map((r) => r.eventTime)).toEqual([
      '2027-01-05T09:00:01Z',
      '2027-01-05T09:00:02Z',
      '2027-01-05T09:00:03Z',
      '2027-01-05T09:00:03Z',
    ]);
    expect(records[0]![REPLAY_FIELD]).toEqual({ loop: 0, eventID: 's1', eventTime: '2026-11-20T02:00:00Z' });
    expect(ids(rec.batches)).toEqual(['s1', 's2', 's3', 's4'].map((id) => replayEventId(id, 0)));
    // The session began an hour before the event, and still does.
    const attrs = (records[1]!.userIdentity as { sessionContext: { attributes: { creationDate: string } } })
      .sessionContext.attributes;
    expect(attrs.creationDate).toBe('2027-01-05T08:00:02Z');
    expect(source.stats()).toMatchObject({ records: 4, position: 4, storyLength: 4, finished: true });
  });

  it('resumes from its committed checkpoint after a restart, and loops with new, stable ids', async () => {
    state = tempState();
    const dir = writeStory();
    const first = setup(dir, true);
    first.source.start();
    await waitFor(() => first.timers.pending().length > 0, 'the story to load');
    await tick(first.timers);
    await tick(first.timers);
    await tick(first.timers);
    expect(ids(first.rec.batches)).toHaveLength(4);
    first.rec.batches[0]!.commit();
    first.rec.batches[2]!.commit(); // out of order: the checkpoint stays after s1 until s2 is committed
    await first.source.stop();
    expect(state.open().get('demo', STORY_KEY)).toBe('0:1');

    const second = setup(dir, true);
    second.source.start();
    await waitFor(() => second.timers.pending().length > 0, 'the story to load');
    expect(second.timers.pending()).toEqual([2000]);
    await tick(second.timers);
    await tick(second.timers);
    expect(ids(second.rec.batches)).toEqual(['s2', 's3', 's4'].map((id) => replayEventId(id, 0)));
    second.rec.batches.forEach((b) => b.commit());
    expect(state.open().get('demo', STORY_KEY)).toBe('0:4');
    // The end of the story: a pause, then loop 1 with ids of its own.
    expect(second.timers.pending()).toEqual([5000]);
    await tick(second.timers);
    expect(ids(second.rec.batches.slice(2))).toEqual([replayEventId('s1', 1)]);
    expect(replayEventId('s1', 1)).not.toBe(replayEventId('s1', 0));
    second.rec.batches[2]!.commit();
    await second.source.stop();

    const third = setup(dir, true);
    third.source.start();
    await waitFor(() => third.timers.pending().length > 0, 'the story to load');
    await tick(third.timers);
    expect(ids(third.rec.batches)).toEqual([replayEventId('s2', 1)]);
    expect(third.source.stats()).toMatchObject({ loop: 1, position: 2 });
  });

  it('loads the bundled story whole and in time order', async () => {
    const problems: unknown[] = [];
    const story = await loadStory(builtinDemoDir(), (p) => problems.push(p));
    expect(problems).toEqual([]);
    expect(story).toHaveLength(352);
    for (let i = 1; i < story.length; i++) expect(story[i]!.ts).toBeGreaterThanOrEqual(story[i - 1]!.ts);
    expect(new Set(story.map((r) => r.record.eventID)).size).toBe(352);
  });

  it('rejects a speed that is not a positive number', () => {
    state = tempState();
    const deps = { checkpoints: state.open(), onRecords: () => undefined, onProblem: () => undefined };
    expect(() => createDemoSource({ id: 'd', speed: 0, loop: false }, deps)).toThrow(
      /speed must be a positive/,
    );
  });
});
