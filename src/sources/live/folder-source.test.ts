import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createFolderSource, DONE } from './folder-source.js';
import { ctRecord, ids, manualTimers, recorder, tempState, tick } from './testing.js';
import type { LiveSource } from './types.js';
import { FLOW_V2_HEADER, FLOW_V2_LINES } from '../network-samples.js';
import { createPipeline } from '../../serve/pipeline.js';

const NOW = Date.parse('2026-11-20T02:30:00Z');

function ctName(region: string, stamp: string, suffix: string): string {
  return `AWSLogs/123456789012/CloudTrail/${region}/2026/11/20/123456789012_CloudTrail_${region}_${stamp}_${suffix}.json.gz`;
}

function logFile(eventIds: string[], time = '2026-11-20T02:10:00Z'): Buffer {
  return gzipSync(JSON.stringify({ Records: eventIds.map((id) => ctRecord(id, time)) }));
}

describe('createFolderSource', () => {
  let state: ReturnType<typeof tempState>;
  const sources: LiveSource[] = [];
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    state.cleanup();
  });

  function setup(options: { maxBatch?: number } = {}) {
    const logs = join(state.dir, 'logs');
    mkdirSync(logs, { recursive: true });
    const timers = manualTimers();
    const rec = recorder();
    const source = createFolderSource(
      { id: 'local', path: logs, pollMs: 2000, settleMs: 250, ...options },
      {
        checkpoints: state.open(),
        onRecords: (b) => rec.onRecords(b),
        onProblem: (p) => rec.onProblem(p),
        timers,
        now: () => NOW,
      },
    );
    sources.push(source);
    const write = (rel: string, data: string | Buffer) => {
      const file = join(logs, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, data);
      return file;
    };
    return { logs, timers, rec, source, write };
  }

  it('reads a file written in two steps once, when it has stopped changing', async () => {
    state = tempState();
    const { timers, rec, source, logs } = setup();
    const text = JSON.stringify({
      Records: [ctRecord('e1', '2026-11-20T02:10:00Z'), ctRecord('e2', '2026-11-20T02:11:00Z')],
    });
    const file = join(logs, '123456789012_CloudTrail_us-east-1_20261120T0210Z_part.json');
    writeFileSync(file, text.slice(0, 150));
    source.start();
    await tick(timers); // first sight of the half-written file
    expect(timers.pending()).toEqual([250]);
    appendFileSync(file, text.slice(150));
    await tick(timers); // size changed: still waiting
    expect(rec.batches).toHaveLength(0);
    expect(timers.pending()).toEqual([250]);
    await tick(timers); // same size and time twice: read
    expect(ids(rec.batches)).toEqual(['e1', 'e2']);
    expect(rec.problems).toEqual([]);
    rec.batches[0]!.commit();
    await tick(timers);
    await tick(timers);
    expect(rec.batches).toHaveLength(1);
    expect(timers.pending()).toEqual([2000]);
    expect(source.stats()).toEqual({
      filesSeen: 1,
      filesDone: 1,
      records: 2,
      lagMs: NOW - Date.parse('2026-11-20T02:11:00Z'),
    });
  });

  it('takes files in delivery order across regions, and new files on later polls', async () => {
    state = tempState();
    const { timers, rec, source, write } = setup();
    // Path order would put us-east-1 first; delivery order puts the 02:05 file of us-west-2 first.
    write(ctName('us-east-1', '20261120T0215Z', 'b'), logFile(['b1', 'b2']));
    write(ctName('us-west-2', '20261120T0205Z', 'a'), logFile(['a1']));
    source.start();
    await tick(timers);
    await tick(timers);
    expect(ids(rec.batches)).toEqual(['a1', 'b1', 'b2']);
    rec.batches.forEach((b) => b.commit());

    write(ctName('us-east-1', '20261120T0225Z', 'd'), logFile(['d1']));
    write(ctName('us-west-2', '20261120T0220Z', 'c'), logFile(['c1']));
    await tick(timers);
    expect(rec.batches).toHaveLength(2);
    await tick(timers);
    expect(ids(rec.batches)).toEqual(['a1', 'b1', 'b2', 'c1', 'd1']);
    expect(rec.batches.map((b) => b.sourceId)).toEqual(['local', 'local', 'local', 'local']);
  });

  it('re-delivers uncommitted records after a restart, and only those', async () => {
    state = tempState();
    const first = setup({ maxBatch: 2 });
    const name = ctName('us-east-1', '20261120T0210Z', 'x');
    first.write(name, logFile(['r0', 'r1', 'r2', 'r3', 'r4']));
    first.source.start();
    await tick(first.timers);
    await tick(first.timers);
    expect(first.rec.batches.map((b) => b.records.map((r) => r.index))).toEqual([[0, 1], [2, 3], [4]]);
    first.rec.batches[0]!.commit(); // findings of r0, r1 stored; the process dies before the rest
    await first.source.stop();

    const second = setup({ maxBatch: 2 });
    second.source.start();
    await tick(second.timers);
    await tick(second.timers);
    expect(ids(second.rec.batches)).toEqual(['r2', 'r3', 'r4']);
    expect(second.rec.batches.map((b) => b.records.map((r) => r.index))).toEqual([[2, 3], [4]]);
    // Committed out of order: the checkpoint waits for the earlier batch.
    second.rec.batches[1]!.commit();
    await second.source.stop();

    const third = setup({ maxBatch: 2 });
    third.source.start();
    await tick(third.timers);
    await tick(third.timers);
    expect(ids(third.rec.batches)).toEqual(['r2', 'r3', 'r4']);
    third.rec.batches.forEach((b) => b.commit());
    await third.source.stop();

    const fourth = setup({ maxBatch: 2 });
    fourth.source.start();
    for (let i = 0; i < 3; i++) await tick(fourth.timers);
    expect(fourth.rec.batches).toEqual([]);
    expect(fourth.source.stats()).toMatchObject({ filesSeen: 1, filesDone: 1, records: 0 });
    expect(state.open().get('local', name)).toBe(DONE);
  });

  it('reports a corrupt file and a dangling link once and goes on with the good files', async () => {
    state = tempState();
    const { timers, rec, source, write, logs } = setup();
    const bad = write(ctName('us-east-1', '20261120T0205Z', 'bad'), Buffer.from('this is not JSON at all'));
    write(ctName('us-east-1', '20261120T0210Z', 'good'), logFile(['g1']));
    symlinkSync(join(logs, 'missing.json'), join(logs, 'gone.json'));
    source.start();
    for (let i = 0; i < 4; i++) {
      await tick(timers);
      rec.batches.forEach((b) => b.commit());
    }
    expect(ids(rec.batches)).toEqual(['g1']);
    const byFile = rec.problems.map((p) => [p.file.slice(logs.length + 1), p.code]);
    expect(byFile).toEqual([
      ['gone.json', 'VIGIL_INPUT_UNREADABLE'],
      [bad.slice(logs.length + 1), expect.stringMatching(/^VIGIL_INPUT_(BAD_JSON|NOT_CLOUDTRAIL)$/)],
    ]);
    expect(source.stats()).toMatchObject({ filesSeen: 2, filesDone: 2 });
  });

  it('reads a file again from its checkpoint when the pipeline throws on a batch', async () => {
    state = tempState();
    const { timers, rec, source, write } = setup();
    write(ctName('us-east-1', '20261120T0210Z', 'x'), logFile(['x1']));
    let fail = true;
    const onRecords = rec.onRecords;
    rec.onRecords = (b) => {
      if (fail) throw new Error('store unavailable');
      onRecords(b);
    };
    source.start();
    await tick(timers);
    await tick(timers);
    expect(rec.problems.map((p) => p.code)).toEqual(['VIGIL_STORE']);
    fail = false;
    await tick(timers);
    expect(ids(rec.batches)).toEqual(['x1']);
  });

  it('rejects bad options with a message naming the option', () => {
    state = tempState();
    const deps = { checkpoints: state.open(), onRecords: () => undefined, onProblem: () => undefined };
    expect(() => createFolderSource({ id: 'f', path: '/x', pollMs: 0 }, deps)).toThrow(
      /pollMs must be a positive/,
    );
    expect(() => createFolderSource({ id: '', path: '/x', pollMs: 1 }, deps)).toThrow(/id must be/);
  });
  it("ingests a flow log file in its S3 layout as vpcflow records, with the layout's region", async () => {
    state = tempState();
    const { timers, rec, source, write } = setup();
    write(
      'AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/11/20/123456789012_vpcflowlogs_eu-west-1_fl-0a1b_20261120T0210Z_0a1b2c3d.log.gz',
      gzipSync([FLOW_V2_HEADER, ...FLOW_V2_LINES].join('\n')),
    );
    source.start();
    await tick(timers);
    await tick(timers);
    await tick(timers);
    expect(rec.problems).toEqual([]);
    const records = rec.batches.flatMap((b) => b.records);
    expect(records.map((r) => [r.format, r.region, r.record.action])).toEqual([
      ['vpcflow', 'eu-west-1', 'REJECT'],
      ['vpcflow', 'eu-west-1', 'ACCEPT'],
    ]);
    // The serve pipeline turns them into flow events.
    const events: string[] = [];
    const pipeline = createPipeline({
      detections: [],
      getField: () => undefined,
      store: {} as never,
      router: {} as never,
      targets: new Map(),
      outbox: {} as never,
      alerts: new Map() as never,
      realertWindowMs: 0,
      sequences: false,
      onProblem: (p) => rec.onProblem(p),
      events: { add: (batch) => batch.forEach((e) => events.push(`${e.source} ${e.region}`)) },
    });
    expect(pipeline.records(records)).toBe(2);
    expect(events).toEqual(['vpcflow eu-west-1', 'vpcflow eu-west-1']);
  });
});
