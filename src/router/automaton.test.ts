import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../testing/shared-data.js';
import { PatternError } from './pattern-error.js';
import { prepareEvent } from './event-tree.js';
import { compilePattern, matchesPrepared, type CompiledPattern } from './pattern.js';
import { createRouter, type RouteSpec } from './router.js';

/**
 * The router's shared automaton must give, for every event, exactly the routes whose compiled pattern
 * matches on its own (`CompiledPattern.matches`, the array-consistent matcher the conformance suite pins).
 */

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const chance = (p: number) => next() < p;
  return { next, pick, chance };
}
type Rng = ReturnType<typeof rng>;

const KEYS = ['a', 'b', 'c'];
const STRINGS = ['alpha', 'Alpha', 'ALPHA', 'alphabet', 'beta', 'betamax', '', 'straße', 'STRASSE'];
const IPS = ['10.0.0.1', '10.0.0.255', '10.0.1.7', '2001:db8::1', '2001:0db8:0:0:0:0:0:1'];
const NUMBERS = [0, 5, 7.5, 100, -3, 1e21];
const SCALARS: unknown[] = [...STRINGS, ...IPS, ...NUMBERS, true, false, null, '5', 'null'];

function entry(r: Rng): unknown {
  const s = () => r.pick(STRINGS);
  const ops: (() => unknown)[] = [
    () => r.pick(SCALARS),
    () => r.pick(SCALARS),
    () => ({ prefix: s().slice(0, 1 + Math.floor(r.next() * 4)) }),
    () => ({ prefix: { 'equals-ignore-case': s().slice(0, 3) } }),
    () => ({ suffix: s().slice(-3) }),
    () => ({ suffix: { 'equals-ignore-case': s().slice(-2) } }),
    () => ({ 'equals-ignore-case': s() }),
    () => ({ wildcard: r.pick(['a*a', '*ta*', 'b*', '*', '10.0.*']) }),
    () => ({ 'anything-but': r.pick([s(), [s(), s()], [5, 100], 7.5]) }),
    () => ({ 'anything-but': { prefix: r.pick(['al', ['be', 'AL']]) } }),
    () => ({ 'anything-but': { suffix: 'ha' } }),
    () => ({ 'anything-but': { 'equals-ignore-case': [s(), s()] } }),
    () => ({ 'anything-but': { wildcard: 'a*' } }),
    () => ({
      numeric: r.pick([
        ['>=', 5],
        ['<', 7.5],
        ['=', 100],
        ['>', 0, '<=', 100],
      ]),
    }),
    () => ({ cidr: r.pick(['10.0.0.0/24', '10.0.0.0/8', '2001:db8::/32']) }),
    () => ({ exists: r.chance(0.5) }),
    () => ({ exists: r.chance(0.5) }),
    () => ({ exactly: r.pick([...STRINGS, ...IPS]) }),
  ];
  return r.pick(ops)();
}

function patternObject(r: Rng, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = 1 + Math.floor(r.next() * 3);
  for (let i = 0; i < count; i++) {
    const roll = r.next();
    if (roll < 0.1 && depth < 2) {
      out.$or = [patternObject(r, depth), patternObject(r, depth)];
    } else if (roll < 0.4 && depth < 2) {
      out[r.pick(KEYS)] = patternObject(r, depth + 1);
    } else {
      // A dotted key is a path, in patterns as in events.
      const key = depth < 2 && r.chance(0.1) ? `${r.pick(KEYS)}.${r.pick(KEYS)}` : r.pick(KEYS);
      out[key] = Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => entry(r));
    }
  }
  return out;
}

/** JSON text with, now and then, a key written twice (both values count in an event). */
function eventText(r: Rng, depth: number): string {
  const value = (): string => {
    const roll = r.next();
    if (roll < 0.45 || depth >= 3) return JSON.stringify(r.pick(SCALARS));
    if (roll < 0.6) return `[${Array.from({ length: Math.floor(r.next() * 3) }, value).join(',')}]`;
    if (roll < 0.8) return eventText(r, depth + 1);
    return `[${Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => eventText(r, depth + 1)).join(',')}]`;
  };
  const fields: string[] = [];
  for (const key of KEYS) {
    if (r.chance(0.25)) continue;
    fields.push(`${JSON.stringify(key)}:${value()}`);
    if (r.chance(0.05)) fields.push(`${JSON.stringify(key)}:${value()}`);
  }
  if (r.chance(0.1)) fields.push(`${JSON.stringify(`${r.pick(KEYS)}.${r.pick(KEYS)}`)}:${value()}`);
  return `{${fields.join(',')}}`;
}

function compiles(pattern: object): boolean {
  try {
    compilePattern(pattern);
    return true;
  } catch (err) {
    if (err instanceof PatternError) return false;
    throw err;
  }
}

function expectSameAsEachPattern(routes: RouteSpec[], events: (string | object)[]): number {
  const router = createRouter(routes);
  const each: [string, CompiledPattern][] = routes.map((route) => [
    route.name,
    compilePattern(route.pattern),
  ]);
  let matched = 0;
  for (const event of events) {
    const prepared = prepareEvent(event);
    const expected = each.filter(([, p]) => matchesPrepared(p, prepared)).map(([name]) => name);
    const got = router.match(event);
    if (got.join() !== expected.join()) expect({ event, got }).toEqual({ event, got: expected });
    const candidates = new Set(router.candidates(event));
    for (const name of got) expect(candidates.has(name)).toBe(true);
    matched += got.length;
  }
  return matched;
}

describe('router automaton', () => {
  it('matches what each compiled pattern matches alone, on random patterns and events', () => {
    const r = rng(20261126);
    const routes: RouteSpec[] = [];
    while (routes.length < 250) {
      const pattern = patternObject(r, 0);
      if (compiles(pattern)) routes.push({ name: `r${routes.length}`, pattern });
    }
    // Some routes repeated, so conditions and whole chains are shared.
    for (let i = 0; i < 25; i++) routes.push({ name: `copy${i}`, pattern: r.pick(routes).pattern });
    const events = Array.from({ length: 800 }, () => {
      const text = eventText(r, 0);
      return r.chance(0.5) ? text : (JSON.parse(text) as object);
    });
    expect(expectSameAsEachPattern(routes, events)).toBeGreaterThan(1500);
  });

  it('keeps array consistency: conditions inside an array of objects hold in one element', () => {
    const routes: RouteSpec[] = [
      { name: 'same', pattern: { r: { type: ['bucket'], public: [true] } } },
      { name: 'absent', pattern: { r: { type: ['bucket'], public: [{ exists: false }] } } },
      { name: 'any', pattern: { r: { type: ['bucket'] } } },
    ];
    const router = createRouter(routes);
    const split = { r: [{ type: 'bucket' }, { type: 'user', public: true }] };
    expect(router.candidates(split)).toEqual(['same', 'absent', 'any']);
    expect(router.match(split)).toEqual(['absent', 'any']);
    expect(router.match({ r: [{ type: 'user' }, { type: 'bucket', public: true }] })).toEqual([
      'same',
      'any',
    ]);
    expect(router.match({ r: { type: 'bucket', public: true } })).toEqual(['same', 'any']);
  });

  it('shares conditions: thousands of routes on one value cost one lookup per event', () => {
    const routes: RouteSpec[] = Array.from({ length: 5000 }, (_, i) => ({
      name: `t${i}`,
      pattern: { account: [`${100000000000 + (i % 50)}`], detail: { severity: [{ numeric: ['>=', 7] }] } },
    }));
    const router = createRouter(routes);
    const names = routes.filter((_, i) => i % 50 === 7).map((route) => route.name);
    expect(router.match({ account: '100000000007', detail: { severity: 8 } })).toEqual(names);
    expect(router.match({ account: '100000000007', detail: { severity: 6 } })).toEqual([]);
    expect(router.candidates({ account: '100000000007', detail: { severity: 6 } })).toEqual([]);
  });

  const base = sharedDir();
  const dir = base && join(base, 'conformance', 'eventbridge');
  const present = dir !== undefined && existsSync(join(dir, 'matching.jsonl'));

  it.runIf(present)('routes every conformance event as its patterns, all loaded as routes, match it', () => {
    const lines = (file: string) =>
      readFileSync(join(dir!, file), 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map(
          (line) =>
            JSON.parse(line) as { pattern: object; event: object; pattern_raw?: string; event_raw?: string },
        );
    const cases = [...lines('matching.jsonl'), ...lines('named.jsonl')];
    const routes = cases.map((c, i) => ({ name: `c${i}`, pattern: c.pattern_raw ?? c.pattern }));
    expect(
      expectSameAsEachPattern(
        routes,
        cases.map((c) => c.event_raw ?? c.event),
      ),
    ).toBeGreaterThan(500);
  });
});
