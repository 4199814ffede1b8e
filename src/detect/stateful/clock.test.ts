import { describe, it, expect } from 'vitest';
import type { VigilEvent } from '../../core/event.js';
import { createScopeClocks } from './clock.js';
import type { Signal } from './types.js';

const ev = (account: string, ts: number) => ({ accountId: account, ts }) as VigilEvent;
const byAccount = (e: VigilEvent) => e.accountId ?? '-';

function run(clocks: ReturnType<typeof createScopeClocks>, events: VigilEvent[]): Signal[] {
  const out: Signal[] = [];
  for (const e of events) clocks.local(e, out);
  for (const s of out) if (s.kind === 'clock') clocks.apply(s);
  return out;
}

describe('scope clocks', () => {
  it('keeps the earliest time each scope was seen, even when events arrive out of order', () => {
    const clocks = createScopeClocks([byAccount], 100);
    run(clocks, [ev('a', 50), ev('a', 60), ev('b', 70), ev('a', 10), ev('a', 20)]);
    expect(clocks.since(0, 'a')).toBe(10);
    expect(clocks.since(0, 'b')).toBe(70);
    expect(clocks.since(0, 'c')).toBeUndefined();
  });

  it('sends an observation only when it teaches something: a new scope or an earlier time', () => {
    const clocks = createScopeClocks([byAccount], 100);
    const sent = run(clocks, [ev('a', 50), ev('a', 60), ev('a', 55), ev('b', 1), ev('a', 40), ev('a', 45)]);
    expect(sent).toEqual([
      { kind: 'clock', clock: 0, scope: 'a', ts: 50 },
      { kind: 'clock', clock: 0, scope: 'b', ts: 1 },
      { kind: 'clock', clock: 0, scope: 'a', ts: 40 },
    ]);
  });

  it('keeps several clocks apart and stays bounded', () => {
    const byRegion = (e: VigilEvent) => String(e.ts % 3);
    const clocks = createScopeClocks([byAccount, byRegion], 2);
    run(clocks, [ev('a', 1), ev('b', 2), ev('c', 3)]);
    expect(clocks.since(0, 'a')).toBeUndefined(); // evicted: least recently used
    expect(clocks.since(0, 'c')).toBe(3);
    expect(clocks.since(1, '1')).toBeUndefined();
    expect(clocks.since(1, '0')).toBe(3);
  });
});
