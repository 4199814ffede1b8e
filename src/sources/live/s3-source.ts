import { tmpdir } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { VigilError, type InputProblem } from '../../core/errors.js';
import type { RawRecord } from '../types.js';
import { createCommitQueue } from './commit-queue.js';
import { byDeliveryOrder, noteBatchTimes, readInBatches } from './batches.js';
import { DONE } from './folder-source.js';
import { reportOnce } from './report-once.js';
import { readS3Object, s3Uri } from './s3-download.js';
import { isWantedKey, listCandidates, partitionOf, startAfterFor, type S3Object } from './s3-listing.js';
import { parseNotification } from './s3-notifications.js';
import { realTimers, type LiveSource, type LiveSourceDeps } from './types.js';

export interface S3SourceOptions {
  id: string;
  bucket: string;
  /** Key prefix to follow ('' for the whole bucket). */
  prefix: string;
  /** Time between listings (polling mode); after an empty SQS receive, min(pollMs, 1 s). */
  pollMs: number;
  /** When set, S3 event notifications read from this queue drive the reads instead of listings. */
  sqsQueueUrl?: string;
  /** SQS long-polling wait, in seconds (default 20, the SQS maximum). */
  waitSeconds?: number;
  /** Records per batch handed to `onRecords` (default 500). */
  maxBatch?: number;
}

export interface S3SourceDeps extends LiveSourceDeps {
  s3: S3Client;
  sqs?: SQSClient;
  /** Where object bodies are written while they are read (default `os.tmpdir()`). */
  tmpDir?: string;
}

type Validated = Required<Omit<S3SourceOptions, 'sqsQueueUrl'>> & { sqsQueueUrl: string | undefined };

function usage(message: string): VigilError {
  return new VigilError('VIGIL_USAGE', message);
}

function validate(o: S3SourceOptions, deps: S3SourceDeps): Validated {
  if (typeof o.id !== 'string' || o.id.length === 0) throw usage('s3 source: id must be a non-empty string');
  if (typeof o.bucket !== 'string' || o.bucket.length === 0) {
    throw usage(`s3 source ${o.id}: bucket must be a non-empty string`);
  }
  if (typeof o.prefix !== 'string') throw usage(`s3 source ${o.id}: prefix must be a string`);
  const positive = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw usage(`s3 source ${o.id}: ${name} must be a positive number, got ${String(v)}`);
    }
    return v;
  };
  const pollMs = positive('pollMs', o.pollMs);
  const maxBatch = positive('maxBatch', o.maxBatch ?? 500);
  if (!Number.isInteger(maxBatch)) throw usage(`s3 source ${o.id}: maxBatch must be an integer`);
  const waitSeconds = o.waitSeconds ?? 20;
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 20) {
    throw usage(`s3 source ${o.id}: waitSeconds must be an integer from 0 to 20`);
  }
  if (o.sqsQueueUrl !== undefined && deps.sqs === undefined) {
    throw usage(`s3 source ${o.id}: sqsQueueUrl is set but no SQS client was given`);
  }
  return {
    id: o.id,
    bucket: o.bucket,
    prefix: o.prefix,
    pollMs,
    maxBatch,
    waitSeconds,
    sqsQueueUrl: o.sqsQueueUrl,
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Follows an S3 bucket and prefix (any S3-compatible endpoint): lists it every `pollMs`, or reads the
 * objects named by S3 event notifications from SQS, downloads each new CloudTrail object once, in delivery
 * order, and hands its records over in batches. An object's checkpoint (`done`, or the index of the last
 * record committed), keyed by its S3 key, is written only by the batch's `commit()`; an SQS message is
 * deleted only once every object it names is done. See README.md.
 */
export function createS3Source(options: S3SourceOptions, deps: S3SourceDeps): LiveSource {
  const { id, bucket, prefix, pollMs, maxBatch, waitSeconds, sqsQueueUrl } = validate(options, deps);
  const { s3, checkpoints } = deps;
  const timers = deps.timers ?? realTimers;
  const now = deps.now ?? Date.now;
  const tmpDir = deps.tmpDir ?? tmpdir();
  const problem = reportOnce(deps.onProblem);

  /** Session state, reset by start(). */
  let positions = new Map<string, string>();
  /** Newest done key per CloudTrail partition: where the next listing of that partition may start. */
  let newestDone = new Map<string, string>();
  let inFlight = new Set<string>();
  let readTokens = new Map<string, number>();
  /** Called once the key is done (SQS: messages waiting to be deleted). */
  let waiters = new Map<string, (() => void)[]>();
  let keysSeen = new Set<string>();
  let records = 0;
  let newestMs: number | undefined;

  let generation = 0;
  let running = false;
  let timer: unknown;
  let current: Promise<void> | undefined;
  let abort: AbortController | undefined;
  const deletes = new Set<Promise<void>>();

  function noteTime(ms: number): void {
    if (newestMs === undefined || ms > newestMs) newestMs = ms;
  }

  function markDone(key: string): void {
    const part = partitionOf(key);
    if (part !== undefined) {
      const before = newestDone.get(part);
      if (before === undefined || key > before) newestDone.set(part, key);
    }
    const w = waiters.get(key);
    waiters.delete(key);
    w?.forEach((fn) => fn());
  }

  function setPosition(key: string, position: string): void {
    checkpoints.set(id, key, position);
    positions.set(key, position);
    if (position === DONE) markDone(key);
  }

  /** Reads one object from its checkpoint; false when it could not be read (it stays not done). */
  async function readObject(key: string, lastModifiedMs: number | undefined, gen: number): Promise<boolean> {
    const token = (readTokens.get(key) ?? 0) + 1;
    readTokens.set(key, token);
    const stored = positions.get(key);
    const after = stored !== undefined && /^\d+$/.test(stored) ? Number(stored) : -1;
    // Commits of an earlier session or of an abandoned read are ignored: a later read hands the records over again.
    const queue = createCommitQueue((position) => {
      if (generation !== gen || readTokens.get(key) !== token) return;
      setPosition(key, position);
    });
    let unreadable = false;
    const onProblem = (p: InputProblem) => {
      if (p.code === 'VIGIL_INPUT_UNREADABLE') unreadable = true;
      problem(p);
    };
    const file = s3Uri(bucket, key);
    let timed = false;

    const deliver = async (batch: RawRecord[], position: string): Promise<boolean> => {
      if (!running || gen !== generation) return false; // stopped: nothing is handed over after stop()
      inFlight.add(key);
      const queued = queue.add(position);
      const commit = () => {
        queued();
        if (queue.size === 0 && readTokens.get(key) === token) inFlight.delete(key);
      };
      records += batch.length;
      if (noteBatchTimes(batch, now(), noteTime)) timed = true;
      try {
        await deps.onRecords({ sourceId: id, file, records: batch, commit });
        return true;
      } catch (err) {
        readTokens.set(key, token + 1);
        inFlight.delete(key);
        problem({
          file,
          code: 'VIGIL_STORE',
          message: `the pipeline failed on a batch (${errorText(err)}); the object will be read again`,
        });
        return false;
      }
    };

    const signal = abort?.signal;
    const { ended, delivered, lastAccepted } = await readInBatches({
      records: readS3Object(s3, bucket, key, { tmpDir, onProblem, ...(signal ? { signal } : {}) }),
      after,
      maxBatch,
      deliver,
      current: () => running && gen === generation,
      unreadable: () => unreadable,
      done: () => queue.add(DONE)(),
      donePosition: DONE,
    });
    if (ended !== 'read' || !lastAccepted) return false;
    if (!timed && delivered > 0 && lastModifiedMs !== undefined) noteTime(lastModifiedMs);
    return !unreadable;
  }

  const pending = (key: string) => positions.get(key) !== DONE && !inFlight.has(key);

  /** Polling mode: one listing, then the new objects in delivery order. */
  async function poll(gen: number): Promise<void> {
    const listed = await listCandidates(
      s3,
      bucket,
      prefix,
      (partition) => startAfterFor(newestDone.get(partition)),
      abort?.signal,
    );
    const ready: S3Object[] = [];
    for (const o of listed) {
      keysSeen.add(o.key);
      if (pending(o.key)) ready.push(o);
    }
    ready.sort((a, b) => byDeliveryOrder(a.key, b.key));
    for (const o of ready) {
      if (!running || gen !== generation) break;
      await readObject(o.key, o.lastModifiedMs, gen);
    }
  }

  function deleteMessage(m: Message): void {
    const p = deps
      .sqs!.send(new DeleteMessageCommand({ QueueUrl: sqsQueueUrl, ReceiptHandle: m.ReceiptHandle }))
      .then(
        () => undefined,
        (err: unknown) =>
          problem({
            file: sqsQueueUrl!,
            code: 'VIGIL_INPUT_UNREADABLE',
            message: `deleting a message failed (${errorText(err)}); it will be received again`,
          }),
      )
      .finally(() => deletes.delete(p));
    deletes.add(p);
  }

  /** SQS mode: one receive (long polling), then the objects each message names; true when messages came. */
  async function receive(gen: number): Promise<boolean> {
    const out = await deps.sqs!.send(
      new ReceiveMessageCommand({
        QueueUrl: sqsQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
      }),
      abort ? { abortSignal: abort.signal } : {},
    );
    const messages = out.Messages ?? [];
    for (const m of messages) {
      if (!running || gen !== generation) break;
      const parsed = parseNotification(m.Body);
      if (parsed.kind === 'invalid') {
        // Not a notification this source understands: reported, and deleted so it does not come back forever.
        problem({
          file: sqsQueueUrl!,
          code: 'VIGIL_INPUT_BAD_JSON',
          message: `message ${m.MessageId ?? '?'}: ${parsed.reason}`,
        });
        deleteMessage(m);
        continue;
      }
      const keys =
        parsed.kind === 'ignore' ? [] : parsed.objects.filter((o) => o.bucket === bucket).map((o) => o.key);
      const wanted = [...new Set(keys.filter((k) => k.startsWith(prefix) && isWantedKey(k)))];
      let left = wanted.length;
      const oneDone = () => {
        if (--left === 0 && gen === generation) deleteMessage(m);
      };
      if (left === 0) deleteMessage(m);
      for (const key of wanted) {
        keysSeen.add(key);
        if (positions.get(key) === DONE) {
          oneDone();
          continue;
        }
        waiters.set(key, [...(waiters.get(key) ?? []), oneDone]);
        if (inFlight.has(key)) continue;
        if (!(await readObject(key, undefined, gen))) waiters.delete(key); // left on the queue: received again
        if (!running || gen !== generation) break;
      }
    }
    return messages.length > 0;
  }

  function schedule(ms: number): void {
    timer = timers.setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  }

  function run(): void {
    const gen = generation;
    current = (async () => {
      let next = pollMs;
      try {
        if (sqsQueueUrl === undefined) await poll(gen);
        else next = (await receive(gen)) ? 0 : Math.min(pollMs, 1000);
      } catch (err) {
        if (running && gen === generation) {
          problem({
            file: sqsQueueUrl ?? s3Uri(bucket, prefix),
            code: 'VIGIL_INPUT_UNREADABLE',
            message: `${sqsQueueUrl === undefined ? 'listing' : 'receiving messages'} failed: ${errorText(err)}`,
          });
        }
      }
      if (running && gen === generation) schedule(next);
    })();
  }

  return {
    id,
    start() {
      if (running) return;
      running = true;
      generation++;
      abort = new AbortController();
      positions = new Map(checkpoints.list(id).map((c) => [c.key, c.position]));
      newestDone = new Map();
      for (const [key, position] of positions) if (position === DONE) markDone(key);
      inFlight = new Set();
      readTokens = new Map();
      waiters = new Map();
      keysSeen = new Set();
      records = 0;
      newestMs = undefined;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      abort?.abort();
      await current;
      await Promise.all([...deletes]);
    },
    stats() {
      let filesDone = 0;
      for (const key of keysSeen) if (positions.get(key) === DONE) filesDone++;
      return {
        filesSeen: keysSeen.size,
        filesDone,
        records,
        lagMs: newestMs === undefined ? undefined : Math.max(0, now() - newestMs),
      };
    },
  };
}
