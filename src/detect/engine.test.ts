import { describe, it, expect } from 'vitest';
import { normalizeCloudTrail } from '../sources/cloudtrail/normalize.js';
import type { VigilEvent } from '../core/event.js';
import { createEngine } from './engine.js';
import { createFieldGetter, registerDerivedFields } from './fields/index.js';
import { cloudTrailRecord, type RecordOptions } from './test-records.js';
import type { Aggregate, Detection, DetectionError, Hit } from './types.js';

const getField = createFieldGetter();
const ev = (o: RecordOptions): VigilEvent => normalizeCloudTrail(cloudTrailRecord(o));

function detection(id: string, block: Record<string, unknown>, extra: Partial<Detection> = {}): Detection {
  return {
    id,
    title: `${id} by {{vigil.principalName}}`,
    type: 'Test:IAMUser/Example',
    severity: 5,
    maturity: 'stable',
    source: 'cloudtrail',
    description: '{{vigil.principal}} called {{eventName}}',
    mitre: { tactics: [], techniques: [] },
    detection: block,
    dedupKey: ['vigil.accountId', 'vigil.principal'],
    resources: [],
    remediation: 'r',
    references: [],
    falsepositives: ['f'],
    tests: [],
    origin: 'builtin',
    file: `${id}.yml`,
    ...extra,
  };
}

const stateful = (
  id: string,
  block: Record<string, unknown>,
  aggregate: Aggregate,
  extra: Partial<Detection> = {},
) => detection(id, block, { aggregate, ...extra });

const MIN = 60_000;

describe('stateless detections', () => {
  it('returns a rendered Hit for a match and nothing otherwise', () => {
    const d = detection(
      'user-created',
      { selection: { eventName: 'CreateUser' }, condition: 'selection' },
      {
        dedupKey: ['vigil.accountId', 'requestParameters.userName'],
        resources: [{ type: 'AwsIamUser', id: '{{requestParameters.userName}}' }],
      },
    );
    const engine = createEngine([d], { getField });
    const hits = engine.process(
      ev({ eventName: 'CreateUser', requestParameters: { userName: 'mallory' }, id: 'x1' }),
    );
    expect(hits).toHaveLength(1);
    const hit = hits[0]!;
    expect(hit.title).toBe('user-created by alice');
    expect(hit.description).toBe('arn:aws:iam::123456789012:user/alice called CreateUser');
    expect(hit.dedupKey).toBe('123456789012|mallory');
    expect(hit.resources).toEqual([{ type: 'AwsIamUser', id: 'mallory' }]);
    expect(hit.eventIds).toEqual(['x1']);
    expect(hit.eventNames).toEqual(['CreateUser']);
    expect(engine.process(ev({ eventName: 'DeleteUser' }))).toHaveLength(0);
  });

  it('only evaluates detections of the event source', () => {
    const d = detection(
      'dns-only',
      { selection: { eventName: 'CreateUser' }, condition: 'selection' },
      { source: 'dns' },
    );
    expect(createEngine([d], { getField }).process(ev({ eventName: 'CreateUser' }))).toHaveLength(0);
  });
});

describe('a throwing detection', () => {
  registerDerivedFields({
    engineTestFragile: (e) => {
      if (e.eventName === 'Explode') throw new Error('fragile field broke');
      return 'ok';
    },
  });

  it('is recorded and counted while the other detections still fire', () => {
    const fragile = detection('fragile', {
      selection: { 'vigil.engineTestFragile': 'ok' },
      condition: 'selection',
    });
    const healthy = detection('healthy', { selection: { eventName: 'Explode' }, condition: 'selection' });
    const errors: DetectionError[] = [];
    const engine = createEngine([fragile, healthy], { getField, onError: (e) => errors.push(e) });

    const hits = engine.process(ev({ eventName: 'Explode', id: 'boom-1' }));
    expect(hits.map((h) => h.detection.id)).toEqual(['healthy']);
    expect(errors).toEqual([{ detectionId: 'fragile', eventId: 'boom-1', message: 'fragile field broke' }]);
    engine.process(ev({ eventName: 'Explode' }));
    expect(engine.errorCounts()).toEqual({ fragile: 2 });
    // and it still works on events it can read
    expect(engine.process(ev({ eventName: 'Other' })).map((h) => h.detection.id)).toEqual(['fragile']);
  });

  it('a stateful detection whose group key throws is counted too', () => {
    const d = stateful(
      'fragile-count',
      { selection: { eventName: 'Explode' }, condition: 'selection' },
      { kind: 'count', groupBy: ['vigil.engineTestFragile'], window: 10 * MIN, threshold: 1 },
    );
    const engine = createEngine([d], { getField });
    expect(engine.process(ev({ eventName: 'Explode' }))).toHaveLength(0);
    expect(engine.errorCounts()).toEqual({ 'fragile-count': 1 });
  });
});

describe('stateful detections', () => {
  it('count fires once at the threshold with the window as evidence and aggregate values', () => {
    const d = stateful(
      'many-denied',
      { selection: { errorCode: 'AccessDenied' }, condition: 'selection' },
      { kind: 'count', groupBy: ['vigil.principal'], window: 10 * MIN, threshold: 3 },
      { description: '{{aggregate.value}} denied calls in {{aggregate.window}} by {{aggregate.group}}' },
    );
    const engine = createEngine([d], { getField });
    const hits: Hit[] = [];
    const names = ['ListUsers', 'GetUser', 'ListRoles', 'ListPolicies', 'ListGroups'];
    names.forEach((eventName, i) =>
      hits.push(...engine.process(ev({ eventName, at: i, errorCode: 'AccessDenied', id: `d${i}` }))),
    );
    hits.push(...engine.process(ev({ eventName: 'ListUsers', at: 1, id: 'ok' }))); // not denied
    expect(hits).toHaveLength(1);
    expect(hits[0]!.eventIds).toEqual(['d0', 'd1', 'd2']);
    expect(hits[0]!.eventNames).toEqual(['ListUsers', 'GetUser', 'ListRoles']);
    expect(hits[0]!.description).toBe('3 denied calls in 10m by arn:aws:iam::123456789012:user/alice');
  });

  it('distinct renders the values it counted', () => {
    const d = stateful(
      'many-regions',
      { selection: { eventName: 'RunInstances' }, condition: 'selection' },
      {
        kind: 'distinct',
        groupBy: ['vigil.principal'],
        window: 60 * MIN,
        threshold: 2,
        field: 'vigil.region',
      },
      { description: '{{aggregate.values}}' },
    );
    const engine = createEngine([d], { getField });
    engine.process(ev({ eventName: 'RunInstances', region: 'us-east-1', eventSource: 'ec2.amazonaws.com' }));
    const hits = engine.process(
      ev({ eventName: 'RunInstances', region: 'sa-east-1', eventSource: 'ec2.amazonaws.com' }),
    );
    expect(hits[0]?.description.split(', ').sort()).toEqual(['sa-east-1', 'us-east-1']);
  });

  it('first-seen fires for a new region after learning, once', () => {
    const d = stateful(
      'new-region',
      { selection: { eventName: 'RunInstances' }, condition: 'selection' },
      { kind: 'first-seen', key: ['vigil.region'], scope: ['vigil.accountId'], learning: 60 * MIN },
      { description: 'first use of {{aggregate.values}} in {{aggregate.group}}' },
    );
    const engine = createEngine([d], { getField });
    const run = (eventName: string, region: string, at: number) =>
      engine.process(ev({ eventName, region, at, eventSource: 'ec2.amazonaws.com' })).length;
    expect(run('DescribeInstances', 'us-east-1', 0)).toBe(0); // any event starts the account's clock
    expect(run('RunInstances', 'eu-west-1', 30)).toBe(0); // learning (keys: the candidates by default)
    expect(run('RunInstances', 'eu-west-1', 90)).toBe(0); // learned above
    expect(run('DescribeInstances', 'ap-south-1', 100)).toBe(0); // not a candidate: teaches no key
    expect(run('RunInstances', 'ap-south-1', 110)).toBe(1);
    const hits = engine.process(
      ev({ eventName: 'RunInstances', region: 'sa-east-1', at: 120, eventSource: 'ec2.amazonaws.com' }),
    );
    expect(hits.map((h) => h.description)).toEqual(['first use of sa-east-1 in 123456789012']);
    expect(run('RunInstances', 'sa-east-1', 130)).toBe(0);
  });

  it('sequence fires when the steps happen in order for the same principal', () => {
    const d = stateful(
      'recon-then-escalate',
      {
        recon: { eventName: ['ListUsers', 'ListRoles'] },
        escalate: { eventName: 'AttachUserPolicy' },
        condition: 'recon or escalate',
      },
      { kind: 'sequence', groupBy: ['vigil.principal'], window: 60 * MIN, steps: ['recon', 'escalate'] },
    );
    const engine = createEngine([d], { getField });
    expect(engine.process(ev({ eventName: 'AttachUserPolicy', user: 'bob', at: 0 }))).toHaveLength(0);
    expect(engine.process(ev({ eventName: 'ListUsers', user: 'alice', at: 1 }))).toHaveLength(0);
    expect(engine.process(ev({ eventName: 'AttachUserPolicy', user: 'bob', at: 2 }))).toHaveLength(0);
    const hits = engine.process(ev({ eventName: 'AttachUserPolicy', user: 'alice', at: 3 }));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.eventNames).toEqual(['ListUsers', 'AttachUserPolicy']);
  });

  it('bounds groups per detection with maxGroups', () => {
    const d = stateful(
      'per-user',
      { selection: { eventName: 'GetUser' }, condition: 'selection' },
      { kind: 'count', groupBy: ['vigil.principal'], window: 60 * MIN, threshold: 2 },
    );
    const engine = createEngine([d], { getField, maxGroups: 2 });
    engine.process(ev({ eventName: 'GetUser', user: 'u1' }));
    engine.process(ev({ eventName: 'GetUser', user: 'u2' }));
    engine.process(ev({ eventName: 'GetUser', user: 'u3' })); // evicts u1
    expect(engine.process(ev({ eventName: 'GetUser', user: 'u1' }))).toHaveLength(0);
    expect(engine.process(ev({ eventName: 'GetUser', user: 'u3' }))).toHaveLength(1);
  });
});

/** A mixed catalogue and a stream that exercises it. */
function catalogue(): Detection[] {
  return [
    detection('create-user', { selection: { eventName: 'CreateUser' }, condition: 'selection' }),
    detection('any-delete', { selection: { 'eventName|startswith': 'Delete' }, condition: 'selection' }),
    detection('list-or-get', { a: { eventName: ['ListUsers', 'getuser'] }, condition: 'a' }),
    detection('denied', { s: { errorCode: 'AccessDenied' }, condition: 's' }),
    detection('not-list', { s: { eventName: 'ListUsers' }, condition: 'not s' }),
    stateful(
      'burst',
      { s: { eventName: ['ListUsers', 'ListRoles'] }, condition: 's' },
      { kind: 'count', groupBy: ['vigil.principal'], window: 5 * MIN, threshold: 3 },
    ),
    stateful(
      'regions',
      { s: { eventName: 'CreateUser' }, condition: 's' },
      { kind: 'distinct', groupBy: [], window: 30 * MIN, threshold: 2, field: 'vigil.region' },
    ),
    stateful(
      'new-ip',
      { s: { eventName: 'CreateUser' }, condition: 's' },
      { kind: 'first-seen', key: ['vigil.sourceIp'], scope: ['vigil.principal'], learning: 10 * MIN },
    ),
    stateful(
      'seq',
      { a: { eventName: 'ListUsers' }, b: { eventName: 'DeleteUser' }, condition: 'a or b' },
      { kind: 'sequence', groupBy: ['vigil.principal'], window: 30 * MIN, steps: ['a', 'b'] },
    ),
  ];
}

function stream(sources: readonly string[] = ['iam.amazonaws.com']): VigilEvent[] {
  const names = ['CreateUser', 'DeleteUser', 'ListUsers', 'GetUser', 'ListRoles', 'DeleteRole', 'PutObject'];
  const users = ['alice', 'bob', 'carol'];
  const out: VigilEvent[] = [];
  for (let i = 0; i < 300; i++) {
    out.push(
      ev({
        eventName: names[(i * 7 + (i >> 3)) % names.length]!,
        eventSource: sources[i % sources.length]!,
        user: users[(i * 5) % users.length]!,
        at: i * 0.5 + ((i % 4) - 2) * 0.3, // slightly out of order
        region: i % 11 === 0 ? 'eu-west-1' : 'us-east-1',
        ip: i % 23 === 0 ? `198.51.100.${i % 256}` : `203.0.113.${(i * 13) % 17}`,
        ...(i % 5 === 0 ? { errorCode: 'AccessDenied' } : {}),
        id: `e${i}`,
      }),
    );
  }
  return out;
}

const summary = (hits: readonly Hit[]) =>
  hits.map(
    (h) => `${h.detection.id}:${h.event.eventId}:${h.eventIds.join(',')}:${h.dedupKey}:${h.description}`,
  );

describe('evaluation modes agree', () => {
  it('the eventName index gives the same results as evaluating every detection', () => {
    const indexed = createEngine(catalogue(), { getField });
    const plain = createEngine(catalogue(), { getField, indexEventNames: false });
    let total = 0;
    for (const e of stream()) {
      const a = summary(indexed.process(e));
      expect(a).toEqual(summary(plain.process(e)));
      total += a.length;
    }
    expect(total).toBeGreaterThan(100);
  });

  it('the index skips detections that cannot match the eventName', () => {
    let reads = 0;
    const counting = (e: VigilEvent, path: string) => {
      if (path === 'eventName') reads++;
      return getField(e, path);
    };
    const only = [
      detection('a', { s: { eventName: 'CreateUser' }, condition: 's' }),
      detection('b', { s: { eventName: ['DeleteUser', 'DeleteRole'] }, condition: 's' }),
    ];
    const events = stream();
    const indexed = createEngine(only, { getField: counting });
    for (const e of events) indexed.process(e);
    const indexedReads = reads;
    reads = 0;
    const plain = createEngine(only, { getField: counting, indexEventNames: false });
    for (const e of events) plain.process(e);
    expect(indexedReads).toBeLessThan(reads / 2);
  });

  it('the eventSource index gives the same results as evaluating every detection', () => {
    const sourced = (): Detection[] => [
      ...catalogue(),
      detection('s3-any', { s: { eventSource: 'S3.amazonaws.com' }, condition: 's' }),
      detection('iam-get', {
        s: { eventSource: 'iam.amazonaws.com', 'eventName|startswith': 'Get' },
        condition: 's',
      }),
      detection('sts-or-s3-allowed', {
        s: { 'vigil.eventSource': ['sts.amazonaws.com', 's3.amazonaws.com'] },
        f: { errorCode: 'AccessDenied' },
        condition: 's and not f',
      }),
      stateful(
        's3-burst',
        { s: { eventSource: 's3.amazonaws.com', 'eventName|startswith': ['Get', 'List'] }, condition: 's' },
        { kind: 'count', groupBy: [], window: 30 * MIN, threshold: 3 },
      ),
      stateful(
        's3-new-user',
        { s3: { eventSource: 's3.amazonaws.com' }, del: { eventName: 'DeleteUser' }, condition: 'del' },
        { kind: 'first-seen', key: ['vigil.region'], scope: [], learning: 2 * MIN, baseline: 's3' },
      ),
      stateful(
        'sts-then-s3',
        {
          sts: { eventSource: 'sts.amazonaws.com' },
          s3: { 'vigil.eventSource': 's3.amazonaws.com' },
          condition: 'sts or s3',
        },
        { kind: 'sequence', groupBy: ['vigil.principal'], window: 30 * MIN, steps: ['sts', 's3'] },
      ),
    ];
    const indexed = createEngine(sourced(), { getField });
    const plain = createEngine(sourced(), { getField, indexEventNames: false });
    const fired = new Set<string>();
    for (const e of stream([
      'iam.amazonaws.com',
      's3.amazonaws.com',
      'sts.amazonaws.com',
      'ec2.amazonaws.com',
    ])) {
      const hits = indexed.process(e);
      expect(summary(hits)).toEqual(summary(plain.process(e)));
      for (const h of hits) fired.add(h.detection.id);
    }
    for (const id of ['s3-any', 'iam-get', 'sts-or-s3-allowed', 's3-burst', 's3-new-user', 'sts-then-s3'])
      expect(fired).toContain(id);
  });

  it('first-seen with a baseline and sequences skip events that match neither condition, baseline nor step', () => {
    let reads = 0;
    const counting = (e: VigilEvent, path: string) => {
      if (path === 'eventName' || path === 'eventSource') reads++;
      return getField(e, path);
    };
    const only = [
      stateful(
        'new-deleter',
        { list: { eventName: 'ListUsers' }, del: { eventName: 'DeleteUser' }, condition: 'del' },
        { kind: 'first-seen', key: ['vigil.principal'], scope: [], learning: 0, baseline: 'list' },
      ),
      stateful(
        'sts-then-s3',
        {
          sts: { eventSource: 'sts.amazonaws.com' },
          s3: { eventSource: 's3.amazonaws.com' },
          condition: 'sts or s3',
        },
        { kind: 'sequence', groupBy: ['vigil.principal'], window: 30 * MIN, steps: ['sts', 's3'] },
      ),
    ];
    const events = stream([
      'iam.amazonaws.com',
      's3.amazonaws.com',
      'sts.amazonaws.com',
      'ec2.amazonaws.com',
    ]);
    const indexed = createEngine(only, { getField: counting });
    const indexedHits = events.flatMap((e) => summary(indexed.process(e)));
    const indexedReads = reads;
    reads = 0;
    const plain = createEngine(only, { getField: counting, indexEventNames: false });
    expect(events.flatMap((e) => summary(plain.process(e)))).toEqual(indexedHits);
    expect(indexedHits.length).toBeGreaterThan(0);
    expect(indexedReads).toBeLessThan(reads / 2);
  });

  it('the eventSource index skips detections that cannot match the eventSource', () => {
    let reads = 0;
    const counting = (e: VigilEvent, path: string) => {
      if (path === 'eventSource') reads++;
      return getField(e, path);
    };
    const only = [
      detection('a', { s: { eventSource: 's3.amazonaws.com' }, condition: 's' }),
      detection('b', {
        s: { eventSource: 'sts.amazonaws.com', 'eventName|startswith': 'Get' },
        condition: 's',
      }),
    ];
    const events = stream([
      'iam.amazonaws.com',
      's3.amazonaws.com',
      'sts.amazonaws.com',
      'ec2.amazonaws.com',
    ]);
    const indexed = createEngine(only, { getField: counting });
    for (const e of events) indexed.process(e);
    const indexedReads = reads;
    reads = 0;
    const plain = createEngine(only, { getField: counting, indexEventNames: false });
    for (const e of events) plain.process(e);
    expect(indexedReads).toBeLessThan(reads / 2);
  });

  it('split mode (matchLocal on a worker engine, processSignal on the owner) equals one pass', () => {
    const onePass = createEngine(catalogue(), { getField });
    const worker = createEngine(catalogue(), { getField });
    const owner = createEngine(catalogue(), { getField });
    const fired = new Set<string>();
    for (const e of stream()) {
      const expected = summary(onePass.process(e));
      // events cross a thread boundary as structured clones
      const local = worker.matchLocal(e);
      const split = [...local.hits];
      for (const s of structuredClone(local.signals)) split.push(...owner.processSignal(s));
      expect(summary(split)).toEqual(expected);
      for (const h of split) fired.add(h.detection.id);
    }
    expect([...fired].sort()).toEqual(
      [
        'any-delete',
        'burst',
        'create-user',
        'denied',
        'list-or-get',
        'new-ip',
        'not-list',
        'regions',
        'seq',
      ].sort(),
    );
  });

  it('matchLocal sends each first-seen observation once: clock ticks and baseline keys', () => {
    const d = stateful(
      'new-ip',
      { s: { eventName: 'CreateUser' }, seen: { 'eventName|exists': true }, condition: 's' },
      {
        kind: 'first-seen',
        key: ['vigil.sourceIp'],
        scope: ['vigil.principal'],
        learning: 0,
        baseline: 'seen',
      },
    );
    const engine = createEngine([d], { getField });
    const kinds = (o: Parameters<typeof ev>[0]) => engine.matchLocal(ev(o)).signals.map((s) => s.kind);
    expect(kinds({ eventName: 'GetUser', at: 5 })).toEqual(['clock', 'first-seen']);
    expect(kinds({ eventName: 'GetUser', at: 6 })).toEqual([]);
    expect(kinds({ eventName: 'GetUser', at: 1 })).toEqual(['clock']); // earlier: moves the clock back
    expect(kinds({ eventName: 'GetUser', ip: '198.51.100.1', at: 7 })).toEqual(['first-seen']); // new key
    expect(kinds({ eventName: 'CreateUser', at: 8 })).toEqual(['first-seen']); // candidates always go
  });

  it('first-seen learning clocks are shared by detections with the same scope and fed by every event', () => {
    const block = { s: { 'eventName|startswith': 'Delete' }, condition: 's' };
    const one: Aggregate = {
      kind: 'first-seen',
      key: ['eventName'],
      scope: ['vigil.principal'],
      learning: 10 * MIN,
    };
    const engine = createEngine(
      [stateful('x', block, one), stateful('y', block, { ...one, key: ['vigil.region'] })],
      {
        getField,
      },
    );
    const clock = engine.matchLocal(ev({ eventName: 'GetUser', at: 0 })).signals;
    expect(clock).toEqual([{ kind: 'clock', clock: 0, scope: expect.any(String), ts: expect.any(Number) }]);
    for (const s of clock) engine.processSignal(s);
    // Both detections learn their first key while the principal's clock is young, then fire after it.
    expect(engine.process(ev({ eventName: 'DeleteUser', at: 1 }))).toHaveLength(0);
    const later = engine.process(ev({ eventName: 'DeleteRole', region: 'eu-west-1', at: 20 }));
    expect(later.map((h) => h.detection.id).sort()).toEqual(['x', 'y']);
  });

  it('rejects a signal from a different catalogue', () => {
    const a = createEngine(catalogue(), { getField });
    const b = createEngine(catalogue().slice(1), { getField });
    const signal = a.matchLocal(ev({ eventName: 'ListUsers' })).signals.find((s) => s.kind !== 'clock')!;
    expect(() => b.processSignal(signal)).toThrow(/does not match/);
  });
});
