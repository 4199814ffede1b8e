import { describe, it, expect } from 'vitest';
import { createScopeClocks } from './clock.js';
import { createFirstSeenState } from './first-seen.js';
import type { StateEntry } from './persist.js';
import { createSequenceState } from './sequence.js';
import { createWindowState, type WindowOptions } from './window.js';

const MIN = 60_000;
let seq = 0;
const c = (ts: number, id = `e${seq}`) => ({ ts, seq: seq++, id, name: 'GetObject' });
/** Through JSON, as the state goes to and from the database. */
const json = (entries: StateEntry[]): StateEntry[] => JSON.parse(JSON.stringify(entries)) as StateEntry[];

function windows(over: Partial<WindowOptions> = {}) {
  return createWindowState({
    kind: 'count',
    window: 10 * MIN,
    threshold: 3,
    maxGroups: 100,
    track: true,
    ...over,
  });
}

describe('window state export and import', () => {
  it('count: a window half filled before the restart fires once after it', () => {
    const before = windows();
    before.apply('alice', undefined, c(0));
    before.apply('alice', undefined, c(1 * MIN));
    const after = windows();
    expect(after.importAll(json(before.exportAll()))).toBe(seq - 1);
    expect(after.entries('alice')).toBe(2);
    const fire = after.apply('alice', undefined, c(2 * MIN, 'third'));
    expect(fire?.value).toBe(3);
    expect(fire?.evidence.map((e) => e.ts)).toEqual([0, 1 * MIN, 2 * MIN]);
    // Fired state survives too: quiet for a window, so the next event does not fire again.
    const again = windows();
    again.importAll(json(after.exportAll()));
    expect(again.apply('alice', undefined, c(3 * MIN))).toBeUndefined();
    expect(again.apply('alice', undefined, c(4 * MIN))).toBeUndefined();
    expect(again.apply('alice', undefined, c(5 * MIN))).toBeUndefined();
  });

  it('distinct: values counted before the restart are not counted twice', () => {
    const before = windows({ kind: 'distinct' });
    before.apply('ip', 'alice', c(0));
    before.apply('ip', 'bob', c(1 * MIN));
    const after = windows({ kind: 'distinct' });
    after.importAll(json(before.exportAll()));
    expect(after.apply('ip', 'bob', c(2 * MIN))).toBeUndefined();
    expect(after.apply('ip', 'carol', c(3 * MIN))?.values).toEqual(['carol', 'bob', 'alice']);
  });

  it('sum: amounts carry over', () => {
    const before = windows({ kind: 'sum', threshold: 100 });
    before.apply('u', 60, c(0));
    const after = windows({ kind: 'sum', threshold: 100 });
    after.importAll(json(before.exportAll()));
    expect(after.apply('u', 30, c(1 * MIN))).toBeUndefined();
    expect(after.apply('u', '15', c(2 * MIN))?.value).toBe(105);
  });

  it('reports only the groups changed since the last save, and removed ones without a value', () => {
    const s = windows({ maxGroups: 2 });
    s.apply('a', undefined, c(0));
    s.apply('b', undefined, c(0));
    expect(s.takeChanges().map((e) => e.key)).toEqual(['a', 'b']);
    expect(s.takeChanges()).toEqual([]);
    s.apply('c', undefined, c(1)); // evicts a
    const changes = s.takeChanges();
    expect(changes.map((e) => [e.key, e.value === undefined])).toEqual([
      ['a', true],
      ['c', false],
    ]);
  });

  it('imports within maxGroups (the oldest evicted, reported as removed) and skips invalid entries', () => {
    const before = windows();
    for (const g of ['a', 'b', 'c']) before.apply(g, undefined, c(0));
    const after = windows({ maxGroups: 2 });
    after.importAll([{ key: 'bad', value: { maxTs: 'x' } }, ...json(before.exportAll())]);
    expect(after.size).toBe(2);
    expect(after.entries('a')).toBe(0);
    expect(after.entries('c')).toBe(1);
    expect(after.takeChanges()).toEqual([{ key: 'a', value: undefined }]);
  });
});

describe('sequence state export and import', () => {
  it('a sequence started before the restart completes after it, in time order', () => {
    const opts = { steps: 3, window: 60 * MIN, maxGroups: 100, track: true };
    const before = createSequenceState(opts);
    before.apply('mallory', [0], c(0, 'create'));
    before.apply('mallory', [1], c(1 * MIN, 'attach'));
    const after = createSequenceState(opts);
    after.importAll(json(before.exportAll()));
    expect(after.size).toBe(1);
    const fire = after.apply('mallory', [2], c(2 * MIN, 'key'));
    expect(fire?.evidence.map((e) => e.id)).toEqual(['create', 'attach', 'key']);
    expect(after.takeChanges()).toEqual([{ key: 'mallory', value: undefined }]); // fired: cleared
  });

  it('skips a group stored with another number of steps', () => {
    const before = createSequenceState({ steps: 2, window: MIN, maxGroups: 10 });
    before.apply('g', [0], c(0));
    const after = createSequenceState({ steps: 3, window: MIN, maxGroups: 10 });
    after.importAll(json(before.exportAll()));
    expect(after.size).toBe(0);
  });
});

describe('first-seen state and learning clocks export and import', () => {
  it('keys learned before the restart stay known, new ones fire', () => {
    const before = createFirstSeenState({ learning: 0, maxGroups: 100, track: true });
    before.apply('acct', 'us-east-1', true, true, 1, 0);
    expect(before.takeChanges()).toEqual([{ key: 'acct\u0000us-east-1', value: 1 }]);
    before.apply('acct', 'us-east-1', true, true, 2, 0);
    expect(before.takeChanges()).toEqual([]); // known: nothing to save
    const after = createFirstSeenState({ learning: 0, maxGroups: 100 });
    after.importAll(json(before.exportAll()));
    expect(after.apply('acct', 'us-east-1', true, true, 3, 0)).toBe(false);
    expect(after.apply('acct', 'eu-west-1', true, true, 3, 0)).toBe(true);
  });

  it('clocks keep each scope earliest time', () => {
    const before = createScopeClocks([() => 'x', () => 'y'], 100, true);
    before.apply({ kind: 'clock', clock: 0, scope: 'acct', ts: 50 });
    before.apply({ kind: 'clock', clock: 0, scope: 'acct', ts: 70 }); // later: not a change
    before.apply({ kind: 'clock', clock: 1, scope: 'alice', ts: 5 });
    expect(before.state(0).takeChanges()).toEqual([{ key: 'acct', value: 50 }]);
    const after = createScopeClocks([() => 'x', () => 'y'], 100);
    after.state(0).importAll(json(before.state(0).exportAll()));
    after.state(1).importAll(json(before.state(1).exportAll()));
    expect(after.since(0, 'acct')).toBe(50);
    expect(after.since(1, 'alice')).toBe(5);
    expect(after.since(0, 'alice')).toBeUndefined();
  });

  it('change tracking is opt-in', () => {
    expect(() => createFirstSeenState({ learning: 0, maxGroups: 1 }).takeChanges()).toThrow(/tracking/);
  });
});
