import { VigilError } from '../../core/errors.js';
import type { RawRecord } from '../types.js';
import { createCommitQueue, type CommitQueue } from './commit-queue.js';
import { builtinDemoDir, loadStory, type StoryRecord } from './demo-story.js';
import { replayRecord } from './replay.js';
import { realTimers, type LiveSource, type LiveSourceDeps, type LiveSourceStats } from './types.js';

export interface DemoSourceOptions {
  id: string;
  /** Replay speed: gaps between events are divided by this. */
  speed: number;
  /** Start the story again (with new event ids) when it ends. */
  loop: boolean;
  /** Longest wait between two records, and between two loops (default 5 s). */
  maxGapMs?: number;
  /** The story's folder (default: the bundled `demo/cloudtrail`). */
  storyDir?: string;
}

export interface DemoSourceStats extends LiveSourceStats {
  loop: number;
  /** Index in the story of the next record to hand over. */
  position: number;
  storyLength: number;
  finished: boolean;
}

export interface DemoSource extends LiveSource {
  stats(): DemoSourceStats;
}

/** The checkpoint key of the story; its position is `<loop>:<next record index>`. */
export const STORY_KEY = 'story';
/** Records of the same second handed over together, at most this many. */
const MAX_BATCH = 100;

function parsePosition(position: string | undefined): { loop: number; next: number } {
  const m = position === undefined ? undefined : /^(\d+):(\d+)$/.exec(position);
  return m ? { loop: Number(m[1]), next: Number(m[2]) } : { loop: 0, next: 0 };
}

/**
 * Replays the demo story in event-time order at `speed`× real time, with event times rewritten to now so
 * the findings look live. The checkpoint (loop and position) moves only when a batch is committed.
 */
export function createDemoSource(options: DemoSourceOptions, deps: LiveSourceDeps): DemoSource {
  const { id, speed, loop } = options;
  if (typeof id !== 'string' || id.length === 0) {
    throw new VigilError('VIGIL_USAGE', 'demo source: id must be a non-empty string');
  }
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
    throw new VigilError(
      'VIGIL_USAGE',
      `demo source ${id}: speed must be a positive number, got ${String(speed)}`,
    );
  }
  const maxGapMs = options.maxGapMs ?? 5000;
  if (!Number.isFinite(maxGapMs) || maxGapMs < 0) {
    throw new VigilError('VIGIL_USAGE', `demo source ${id}: maxGapMs must be a number ≥ 0`);
  }
  const storyDir = options.storyDir ?? builtinDemoDir();
  const timers = deps.timers ?? realTimers;
  const now = deps.now ?? Date.now;
  const { checkpoints } = deps;

  let story: StoryRecord[] | undefined;
  let loopNo = 0;
  let next = 0;
  let records = 0;
  let lastEmitMs: number | undefined;
  let finished = false;
  let running = false;
  let generation = 0;
  let timer: unknown;
  let current: Promise<void> | undefined;
  let queue: CommitQueue | undefined;

  function schedule(ms: number, gen: number): void {
    timer = timers.setTimeout(() => {
      timer = undefined;
      current = step(gen);
    }, ms);
  }

  /** The wait before the record at `next`: its gap from the one before, scaled and capped. */
  function delayBefore(s: StoryRecord[]): number {
    if (next === 0) return loopNo === 0 ? 0 : maxGapMs;
    return Math.min((s[next]!.ts - s[next - 1]!.ts) / speed, maxGapMs);
  }

  /** Moves past the end of the story: the next loop, or the end. True when there is something to play. */
  function wrap(s: StoryRecord[]): boolean {
    if (next < s.length) return true;
    if (!loop || s.length === 0) {
      finished = true;
      return false;
    }
    loopNo++;
    next = 0;
    return true;
  }

  async function step(gen: number): Promise<void> {
    const s = story!;
    if (!running || gen !== generation || !wrap(s)) return;
    const first = s[next]!;
    let end = next + 1;
    while (end < s.length && end - next < MAX_BATCH && s[end]!.ts === first.ts) end++;
    const t = now();
    const batch: RawRecord[] = s.slice(next, end).map((r) => ({ ...r, record: replayRecord(r, loopNo, t) }));
    next = end;
    const position = `${loopNo}:${end}`;
    const commit = queue!.add(position);
    records += batch.length;
    lastEmitMs = t;
    try {
      await deps.onRecords({ sourceId: id, file: `${storyDir} (loop ${loopNo})`, records: batch, commit });
    } catch (err) {
      deps.onProblem({
        file: storyDir,
        code: 'VIGIL_STORE',
        message: `the pipeline failed on a demo batch (${err instanceof Error ? err.message : String(err)}); the demo goes on`,
      });
    }
    if (!running || gen !== generation) return;
    if (wrap(s)) schedule(delayBefore(s), gen);
  }

  async function begin(gen: number): Promise<void> {
    try {
      story ??= await loadStory(storyDir, deps.onProblem);
    } catch (err) {
      deps.onProblem({
        file: storyDir,
        code: 'VIGIL_INPUT_UNREADABLE',
        message: `the demo story could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
      });
      return;
    }
    if (!running || gen !== generation) return;
    if (story.length === 0) {
      deps.onProblem({
        file: storyDir,
        code: 'VIGIL_INPUT_UNREADABLE',
        message: 'the demo story has no records',
      });
    }
    ({ loop: loopNo, next } = parsePosition(checkpoints.get(id, STORY_KEY)));
    next = Math.min(next, story.length);
    if (wrap(story)) schedule(next === 0 && loopNo > 0 ? 0 : delayBefore(story), gen);
  }

  return {
    id,
    start() {
      if (running) return;
      running = true;
      finished = false;
      const gen = ++generation;
      // Commits of an earlier session arriving after a restart are dropped: those records are replayed.
      queue = createCommitQueue((position) => {
        if (generation === gen) checkpoints.set(id, STORY_KEY, position);
      });
      current = begin(gen);
    },
    async stop() {
      running = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await current;
    },
    stats() {
      return {
        filesSeen: 0,
        filesDone: 0,
        records,
        lagMs: lastEmitMs === undefined ? undefined : Math.max(0, now() - lastEmitMs),
        loop: loopNo,
        position: next,
        storyLength: story?.length ?? 0,
        finished,
      };
    },
  };
}
