import type { VigilEvent } from '../core/event.js';
import { formatDuration } from './duration.js';
import type { Fire } from './stateful/types.js';
import { compileTemplate, formatValue, renderTemplate, type CompiledTemplate } from './template.js';
import type { Detection, FieldAccessor, FieldGetter, Hit } from './types.js';
import { fieldAccessor } from './fields/index.js';

/** A detection's templates, compiled once. */
export interface HitTemplates {
  title: CompiledTemplate;
  description: CompiledTemplate;
  resources: { type: string; id: CompiledTemplate }[];
}

export function compileHitTemplates(d: Detection): HitTemplates {
  return {
    title: compileTemplate(d.title),
    description: compileTemplate(d.description),
    resources: d.resources.map((r) => ({ type: r.type, id: compileTemplate(r.id) })),
  };
}

/** Values of `fields` on the event joined with `|` (missing → `-`). Used for dedup and group keys. */
export function keyOf(event: VigilEvent, fields: readonly string[], getField: FieldGetter): string {
  if (fields.length === 1) return formatValue(getField(event, fields[0]!));
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    if (i) out += '|';
    out += formatValue(getField(event, fields[i]!));
  }
  return out;
}

/** A compiled keyOf: the fields' accessors prepared once. */
export type KeyReader = (event: VigilEvent) => string;

export function compileKey(fields: readonly string[], getField: FieldGetter): KeyReader {
  const reads = fields.map((f) => lenientAccessor(getField, f));
  if (reads.length === 1) {
    const read = reads[0]!;
    return (event) => formatValue(read(event));
  }
  return (event) => {
    let out = '';
    for (let i = 0; i < reads.length; i++) {
      if (i) out += '|';
      out += formatValue(reads[i]!(event));
    }
    return out;
  };
}

/**
 * The accessor of a key or aggregate field. These are not checked when a detection loads: one that
 * cannot be read (an unknown `vigil.*` field) fails on each event, as an error of the detection, as
 * calling the getter would.
 */
export function lenientAccessor(getField: FieldGetter, path: string): FieldAccessor {
  try {
    return fieldAccessor(getField, path);
  } catch {
    return (event) => getField(event, path);
  }
}

function windowOf(d: Detection): number | undefined {
  const a = d.aggregate;
  return a && a.kind !== 'first-seen' ? a.window : undefined;
}

/**
 * The affected resources whose id the event gives: a resource whose template renders nothing (`-`, or
 * only placeholders of missing fields) is left out rather than reported with a meaningless id.
 */
function resourcesOf(
  templates: HitTemplates,
  event: VigilEvent,
  getField: FieldGetter,
  extra: Record<string, unknown> | undefined,
): { type: string; id: string }[] {
  const out: { type: string; id: string }[] = [];
  for (const r of templates.resources) {
    const id = renderTemplate(r.id, event, getField, extra);
    const known = r.id.parts.some(
      (p) => typeof p !== 'string' && formatValue(getField(event, p.path)) !== '-',
    );
    if (
      id === '' ||
      id === '-' ||
      (r.id.paths.length > 0 && !known && !r.id.paths.some((p) => p.startsWith('aggregate.')))
    )
      continue;
    out.push({ type: r.type, id });
  }
  return out;
}

/** Builds the Hit for a detection firing on `event` (stateful: with what fired). */
export function buildHit(
  detection: Detection,
  templates: HitTemplates,
  event: VigilEvent,
  getField: FieldGetter,
  fire?: Fire,
  dedupKey = keyOf(event, detection.dedupKey, getField),
): Hit {
  let extra: Record<string, unknown> | undefined;
  let eventIds: string[];
  let eventNames: string[];
  if (fire) {
    const window = windowOf(detection);
    extra = {
      'aggregate.value': fire.value,
      'aggregate.window': window === undefined ? undefined : formatDuration(window),
      'aggregate.group': fire.group,
      'aggregate.values': fire.values,
    };
    eventIds = [];
    const names = new Set<string>();
    for (const c of fire.evidence) {
      if (c.id !== undefined) eventIds.push(c.id);
      if (c.name !== undefined) names.add(c.name);
    }
    eventNames = [...names];
  } else {
    eventIds = event.eventId === undefined ? [] : [event.eventId];
    eventNames = event.eventName === undefined ? [] : [event.eventName];
  }
  return {
    detection,
    event,
    eventIds,
    eventNames,
    dedupKey,
    title: renderTemplate(templates.title, event, getField, extra),
    description: renderTemplate(templates.description, event, getField, extra),
    resources: resourcesOf(templates, event, getField, extra),
  };
}
