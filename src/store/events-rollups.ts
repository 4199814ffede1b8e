import {
  ROLLUP_CUBES,
  ROLLUP_LEVELS,
  rollupTable,
  type RollupCube,
  type RollupDim,
} from './events-schema.js';

const MINUTE = 60_000;

/** A run of whole slots [lo, hi) of one rollup level. */
export interface Segment {
  level: number;
  lo: number;
  hi: number;
}

/**
 * The minutes of [since, until) (rounded outward to whole minutes) as runs of rollup slots: whole slots
 * of the coarsest level up to `maxLevel` in the middle, finer ones only at the ragged edges. A range
 * aligned to a slot of `maxLevel` is a single segment.
 */
export function segments(since: number, until: number, maxLevel: number): Segment[] {
  const m0 = Math.floor(since / MINUTE);
  const m1 = Math.max(m0, Math.ceil(until / MINUTE));
  const out: Segment[] = [];
  const split = (lo: number, hi: number, level: number): void => {
    if (lo >= hi) return;
    const size = ROLLUP_LEVELS[level]!.minutes;
    const a = Math.ceil(lo / size) * size;
    const b = Math.floor(hi / size) * size;
    if (level === 0 || a >= b) {
      if (level === 0) out.push({ level, lo, hi });
      else split(lo, hi, level - 1);
      return;
    }
    split(lo, a, level - 1);
    out.push({ level, lo: a / size, hi: b / size });
    split(b, hi, level - 1);
  };
  split(m0, m1, maxLevel);
  if (out.length === 0) out.push({ level: 0, lo: m0, hi: m0 });
  return out;
}

/** The coarsest level whose slots tile buckets of `bucketMs` (a whole number of minutes). */
export function levelFor(bucketMs: number): number {
  for (let l = ROLLUP_LEVELS.length - 1; l > 0; l--)
    if (bucketMs % (ROLLUP_LEVELS[l]!.minutes * MINUTE) === 0) return l;
  return 0;
}

/** The narrowest cube holding every dimension in `dims`; undefined: only the events table has them. */
export function cubeFor(dims: readonly RollupDim[]): RollupCube | undefined {
  return ROLLUP_CUBES.find((c) => dims.every((d) => c.dims.includes(d)));
}

/** The bound parameter of each filter dimension (the names of the API's filters). */
export const DIM_PARAM: Record<RollupDim, string> = {
  account: 'account',
  region: 'region',
  service: 'service',
  event_name: 'eventName',
  principal: 'principal',
};

/** Reads a dimension's value as the rollups store it ('' for missing). */
export type Column = (dim: RollupDim) => string;

export interface SourceSpec {
  /** Extra select-list items after `minute`, `error_class` and `count`, written with `col`. */
  select: (col: Column) => string;
  /** Dimensions filtered by equality with their `DIM_PARAM` parameter. */
  filters: readonly RollupDim[];
  /** Further conditions, written with `col`. */
  where?: (col: Column) => string[];
}

/**
 * The SQL of the rows (minute, …select, error_class, count) of `segs` from `cube`, or straight from the
 * events (one row each, at minute resolution) when no cube holds the dimensions. Segment `i` binds
 * `@lo{i}` and `@hi{i}` (see `segmentParams`). Only fixed identifiers enter the text.
 */
export function sourceSql(cube: RollupCube | undefined, segs: readonly Segment[], spec: SourceSpec): string {
  return segs
    .map((s, i) => {
      if (!cube) {
        const col: Column = (d) => `IFNULL(${d}, '')`;
        const where = [
          `ts >= @lo${i} * ${MINUTE}`,
          `ts < @hi${i} * ${MINUTE}`,
          ...spec.filters.map((d) => `${d} IS NULLIF(@${DIM_PARAM[d]}, '')`),
          ...(spec.where?.(col) ?? []),
        ];
        return `SELECT ts / ${MINUTE} AS minute, ${spec.select(col)}, error_class, 1 AS count
          FROM events WHERE ${where.join(' AND ')}`;
      }
      const col: Column = (d) => d;
      const where = [
        `slot >= @lo${i}`,
        `slot < @hi${i}`,
        ...spec.filters.map((d) => `${d} = @${DIM_PARAM[d]}`),
        ...(spec.where?.(col) ?? []),
      ];
      return `SELECT slot * ${ROLLUP_LEVELS[s.level]!.minutes} AS minute, ${spec.select(col)}, error_class, count
        FROM ${rollupTable(cube, s.level)} WHERE ${where.join(' AND ')}`;
    })
    .join('\n UNION ALL ');
}

export function segmentParams(segs: readonly Segment[]): Record<string, number> {
  const p: Record<string, number> = {};
  segs.forEach((s, i) => {
    p[`lo${i}`] = s.lo;
    p[`hi${i}`] = s.hi;
  });
  return p;
}
