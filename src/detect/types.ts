import type { VigilEvent } from '../core/event.js';

/** Reads one field of an event (see FieldGetter.accessor). */
export type FieldAccessor = (event: VigilEvent) => unknown;

/** Reads a field by dotted path from an event: raw CloudTrail paths, or `vigil.*` derived fields. */
export interface FieldGetter {
  (event: VigilEvent, path: string): unknown;
  /**
   * Optional: a reader for one path, prepared once (path split, derived field resolved) for fields
   * read on every event. Reads the same value as calling the getter with that path. Throws when the
   * path can never be read (an unknown `vigil.*` field). Use `fieldAccessor` to fall back on the
   * getter when a getter has none.
   */
  accessor?: (path: string) => FieldAccessor;
}

/** A compiled Sigma `detection` block. */
export interface CompiledSigma {
  /** Evaluates the block's `condition` against an event. */
  matches(event: VigilEvent): boolean;
  /** Evaluates another condition expression over the same named selections (used for sequence steps and baselines). */
  compileCondition(expression: string): (event: VigilEvent) => boolean;
  /**
   * When every match requires `eventName` to be one of these exact values, the set (for indexing);
   * undefined when the block can match any eventName. Values are lower-cased (Sigma matching is
   * case-insensitive): index by `eventName.toLowerCase()`. An empty set means the block never matches.
   */
  eventNames: ReadonlySet<string> | undefined;
  /** The same for `eventSource` (index by `eventSource.toLowerCase()`). */
  eventSources: ReadonlySet<string> | undefined;
  /**
   * When every match requires `eventName` to be one of some exact values or to start with one of some
   * prefixes (`eventName|startswith`): false for an eventName no match can have, true otherwise
   * (conservative, case-insensitive). Undefined when the block can match any eventName.
   */
  couldMatchEventName: ((eventName: string) => boolean) | undefined;
}

export type Maturity = 'stable' | 'experimental';

export type Aggregate =
  | { kind: 'count'; groupBy: string[]; window: number; threshold: number }
  | { kind: 'distinct'; groupBy: string[]; window: number; threshold: number; field: string }
  | { kind: 'sum'; groupBy: string[]; window: number; threshold: number; field: string }
  | { kind: 'first-seen'; key: string[]; scope: string[]; learning: number; baseline?: string }
  | { kind: 'sequence'; groupBy: string[]; window: number; steps: string[] };

export interface DetectionTest {
  name: string;
  /** Stateless: one event and whether it matches. */
  event?: Record<string, unknown>;
  match?: boolean;
  /** Stateful: several events and the number of findings expected. */
  events?: Record<string, unknown>[];
  findings?: number;
}

/** A loaded detection: the data of one detection file (or one Sigma rule), validated. */
export interface Detection {
  id: string;
  title: string;
  type: string;
  severity: number;
  maturity: Maturity;
  source: string;
  author?: string;
  description: string;
  mitre: { tactics: string[]; techniques: string[] };
  detection: Record<string, unknown>;
  aggregate?: Aggregate;
  dedupKey: string[];
  resources: { type: string; id: string }[];
  remediation: string;
  references: string[];
  falsepositives: string[];
  tests: DetectionTest[];
  origin: 'builtin' | 'sigma' | 'user';
  file: string;
}

/** A detection firing on an event: what the findings stage turns into a Finding. */
export interface Hit {
  detection: Detection;
  /** The (last) event that made it fire. */
  event: VigilEvent;
  /** Ids of the events that contributed (stateful: the window's events, bounded). */
  eventIds: string[];
  eventNames: string[];
  /** Rendered dedup key (joined field values). */
  dedupKey: string;
  title: string;
  description: string;
  resources: { type: string; id: string }[];
  /**
   * Set when this Hit stands for several matches of the same detection and dedup key, merged before
   * reaching the findings stage (parallel scans): how many, and the span of their event times.
   */
  repeats?: { count: number; firstTs: number; lastTs: number };
}

/** A detection that threw: recorded and counted, never a crash, never a silent "no match". */
export interface DetectionError {
  detectionId: string;
  eventId: string | undefined;
  message: string;
}
