import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DONE } from './folder-source.js';
import { createS3Source, type S3SourceOptions } from './s3-source.js';
import { ctKey, ctLog, startTestBucket, type TestBucket } from './s3-testing.js';
import { ids, manualTimers, recorder, tempState, tick } from './testing.js';
import type { LiveSource } from './types.js';

const NOW = Date.parse('2026-11-20T02:30:00Z');
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/vigil-trail-events';

function s3Event(bucket: string, ...keys: string[]): string {
  return JSON.stringify({
    Records: keys.map((key) => ({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } },
    })),
  });
}

describe('createS3Source', () => {
  let state: ReturnType<typeof tempState>;
  let bucket: TestBucket;
  const sources: LiveSource[] = [];
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    await bucket.close();
    state.cleanup();
  });

  async function init() {
    state = tempState();
    bucket = await startTestBucket();
  }

  function setup(options: Partial<S3SourceOptions> = {}, sqs?: SQSClient) {
    const timers = manualTimers();
    const rec = recorder();
    const source = createS3Source(
      { id: 'trail', bucket: bucket.bucket, prefix: 'AWSLogs/', pollMs: 30_000, ...options },
      {
        checkpoints: state.open(),
        onRecords: (b) => rec.onRecords(b),
        onProblem: (p) => rec.onProblem(p),
        timers,
        now: () => NOW,
        s3: bucket.client(),
        ...(sqs ? { sqs } : {}),
        tmpDir: state.dir,
      },
    );
    sources.push(source);
    return { timers, rec, source };
  }

  it('reads CloudTrail objects once, in delivery order, leaving out digests and other logs; new ones on later polls', async () => {
    await init();
    await bucket.put(ctKey('us-west-2', '20261120T0215Z', 'b'), ctLog(['b1', 'b2']));
    await bucket.put(ctKey('us-east-1', '20261120T0205Z', 'a'), ctLog(['a1']));
    await bucket.put(
      'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/123456789012_CloudTrail-Digest_us-east-1_x_20261120T0300Z.json.gz',
      ctLog(['digest']),
    );
    await bucket.put(
      'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20/elb.log.gz',
      ctLog(['flow']),
    );
    await bucket.put('outside/other.json', ctLog(['outside']));
    const { timers, rec, source } = setup();
    source.start();
    await tick(timers);
    expect(ids(rec.batches)).toEqual(['a1', 'b1', 'b2']);
    expect(rec.batches[0]!.file).toBe(`s3://${bucket.bucket}/${ctKey('us-east-1', '20261120T0205Z', 'a')}`);
    expect(rec.batches[0]!.records[0]!.file).toBe(rec.batches[0]!.file);
    rec.batches.forEach((b) => b.commit());
    expect(timers.pending()).toEqual([30_000]);

    // A region that sorts before the one done last, and a late file of the same partition.
    await bucket.put(ctKey('us-east-1', '20261120T0220Z', 'c'), ctLog(['c1']));
    await bucket.put(ctKey('us-west-2', '20261120T0210Z', 'late'), ctLog(['late1']));
    await tick(timers);
    expect(ids(rec.batches)).toEqual(['a1', 'b1', 'b2', 'late1', 'c1']);
    rec.batches.forEach((b) => b.commit());
    await tick(timers);
    expect(rec.batches).toHaveLength(4);
    expect(rec.problems).toEqual([]);
    expect(source.stats()).toEqual({
      filesSeen: 4,
      filesDone: 4,
      records: 5,
      lagMs: NOW - Date.parse('2026-11-20T02:10:00Z'),
    });
  });

  it('re-delivers uncommitted records after a restart, and nothing once committed', async () => {
    await init();
    const key = ctKey('us-east-1', '20261120T0210Z', 'x');
    await bucket.put(key, ctLog(['r0', 'r1', 'r2', 'r3', 'r4']));
    const first = setup({ maxBatch: 2 });
    first.source.start();
    await tick(first.timers);
    expect(first.rec.batches.map((b) => b.records.map((r) => r.index))).toEqual([[0, 1], [2, 3], [4]]);
    first.rec.batches[0]!.commit(); // the process dies before the rest is stored
    await first.source.stop();

    const second = setup({ maxBatch: 2 });
    second.source.start();
    await tick(second.timers);
    expect(ids(second.rec.batches)).toEqual(['r2', 'r3', 'r4']);
    second.rec.batches.forEach((b) => b.commit());
    await second.source.stop();

    const third = setup({ maxBatch: 2 });
    third.source.start();
    await tick(third.timers);
    await tick(third.timers);
    expect(third.rec.batches).toEqual([]);
    expect(third.source.stats()).toMatchObject({ filesSeen: 1, filesDone: 1, records: 0 });
    expect(state.open().get('trail', key)).toBe(DONE);
  });

  it('reports a corrupt object once and goes on with the good ones', async () => {
    await init();
    const bad = ctKey('us-east-1', '20261120T0205Z', 'bad');
    await bucket.put(bad, Buffer.from('this is not JSON at all'));
    await bucket.put(ctKey('us-east-1', '20261120T0210Z', 'good'), ctLog(['g1']));
    const first = setup();
    first.source.start();
    await tick(first.timers);
    first.rec.batches.forEach((b) => b.commit());
    await tick(first.timers);
    expect(ids(first.rec.batches)).toEqual(['g1']);
    expect(first.rec.problems.map((p) => [p.file, p.code])).toEqual([
      [`s3://${bucket.bucket}/${bad}`, expect.stringMatching(/^VIGIL_INPUT_(BAD_JSON|NOT_CLOUDTRAIL)$/)],
    ]);
    await first.source.stop();

    const second = setup();
    second.source.start();
    await tick(second.timers);
    expect(second.rec.problems).toEqual([]);
    expect(second.rec.batches).toEqual([]);
  });

  it('reads an object again from its checkpoint when the pipeline throws, and reports a missing bucket once', async () => {
    await init();
    await bucket.put(ctKey('us-east-1', '20261120T0210Z', 'x'), ctLog(['x1']));
    const { timers, rec, source } = setup();
    let fail = true;
    const onRecords = rec.onRecords;
    rec.onRecords = (b) => {
      if (fail) throw new Error('store unavailable');
      onRecords(b);
    };
    source.start();
    await tick(timers);
    expect(rec.problems.map((p) => p.code)).toEqual(['VIGIL_STORE']);
    fail = false;
    await tick(timers);
    expect(ids(rec.batches)).toEqual(['x1']);

    const missing = setup({ id: 'gone', bucket: 'no-such-bucket' });
    missing.source.start();
    await tick(missing.timers);
    await tick(missing.timers);
    expect(missing.rec.problems.map((p) => [p.file, p.code])).toEqual([
      ['s3://no-such-bucket/AWSLogs/', 'VIGIL_INPUT_UNREADABLE'],
    ]);
  });

  it('reads the objects SQS notifications name and deletes each message once its records are committed', async () => {
    await init();
    const k1 = ctKey('us-east-1', '20261120T0210Z', 'n1');
    const k2 = ctKey('us-east-1', '20261120T0215Z', 'n 2');
    await bucket.put(k1, ctLog(['n1']));
    await bucket.put(k2, ctLog(['n2a', 'n2b']));
    const sqs = new SQSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const mock = mockClient(sqs);
    const sns = JSON.stringify({
      Type: 'Notification',
      MessageId: 'sns-1',
      Message: s3Event(bucket.bucket, k2),
    });
    mock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm1', ReceiptHandle: 'h1', Body: s3Event(bucket.bucket, k1) },
          { MessageId: 'm2', ReceiptHandle: 'h2', Body: sns },
          { MessageId: 'm3', ReceiptHandle: 'h3', Body: JSON.stringify({ Event: 's3:TestEvent' }) },
          { MessageId: 'm4', ReceiptHandle: 'h4', Body: 'garbage' },
          { MessageId: 'm5', ReceiptHandle: 'h5', Body: s3Event('other-bucket', k1) },
        ],
      })
      .resolvesOnce({
        Messages: [{ MessageId: 'm6', ReceiptHandle: 'h6', Body: s3Event(bucket.bucket, k1) }],
      })
      .resolves({});
    mock.on(DeleteMessageCommand).resolves({});
    const deleted = () => mock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);

    const { timers, rec, source } = setup({ sqsQueueUrl: QUEUE, maxBatch: 1 }, sqs);
    source.start();
    await tick(timers);
    expect(ids(rec.batches)).toEqual(['n1', 'n2a', 'n2b']);
    expect(mock.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({
      QueueUrl: QUEUE,
      WaitTimeSeconds: 20,
    });
    // Nothing to read in the test event nor for another bucket; the unparsable message is reported.
    expect(deleted()).toEqual(['h3', 'h4', 'h5']);
    expect(rec.problems.map((p) => [p.file, p.code])).toEqual([[QUEUE, 'VIGIL_INPUT_BAD_JSON']]);

    rec.batches[0]!.commit();
    expect(deleted()).toEqual(['h3', 'h4', 'h5', 'h1']);
    rec.batches[2]!.commit(); // the object's first batch is not committed yet: m2 stays
    expect(deleted()).toHaveLength(4);
    rec.batches[1]!.commit();
    expect(deleted()).toEqual(['h3', 'h4', 'h5', 'h1', 'h2']);

    // A second notification for a done object: nothing read again, the message deleted.
    expect(timers.pending()).toEqual([0]);
    await tick(timers);
    expect(rec.batches).toHaveLength(3);
    expect(deleted()).toEqual(['h3', 'h4', 'h5', 'h1', 'h2', 'h6']);
    expect(timers.pending()).toEqual([0]);
    await tick(timers);
    expect(timers.pending()).toEqual([1000]);
    expect(source.stats()).toMatchObject({ filesSeen: 2, filesDone: 2, records: 3 });
  });

  it('leaves a message whose records are not committed on the queue, to be received again after a restart', async () => {
    await init();
    const key = ctKey('us-east-1', '20261120T0210Z', 'q');
    await bucket.put(key, ctLog(['q1']));
    const sqs = new SQSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const mock = mockClient(sqs);
    const message = { MessageId: 'm1', ReceiptHandle: 'h1', Body: s3Event(bucket.bucket, key) };
    mock.on(ReceiveMessageCommand).resolves({ Messages: [message] });
    mock.on(DeleteMessageCommand).resolves({});

    const first = setup({ sqsQueueUrl: QUEUE }, sqs);
    first.source.start();
    await tick(first.timers);
    expect(ids(first.rec.batches)).toEqual(['q1']);
    await first.source.stop(); // dies before the commit
    expect(mock.commandCalls(DeleteMessageCommand)).toHaveLength(0);

    const second = setup({ sqsQueueUrl: QUEUE }, sqs);
    second.source.start();
    await tick(second.timers);
    expect(ids(second.rec.batches)).toEqual(['q1']);
    second.rec.batches[0]!.commit();
    expect(mock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['h1']);
  });

  it('rejects bad options with a message naming the option', async () => {
    await init();
    const deps = {
      checkpoints: state.open(),
      onRecords: () => undefined,
      onProblem: () => undefined,
      s3: bucket.client(),
    };
    expect(() => createS3Source({ id: 's', bucket: 'b', prefix: '', pollMs: 0 }, deps)).toThrow(
      /pollMs must be a positive/,
    );
    expect(() => createS3Source({ id: 's', bucket: '', prefix: '', pollMs: 1 }, deps)).toThrow(
      /bucket must be/,
    );
    expect(() =>
      createS3Source({ id: 's', bucket: 'b', prefix: '', pollMs: 1, sqsQueueUrl: QUEUE }, deps),
    ).toThrow(/no SQS client/);
  });
});
