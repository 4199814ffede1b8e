import { fromValue, parseJsonText, type JsonNode } from './json-text.js';

export type EventLeaf = Extract<JsonNode, { kind: 'string' | 'number' | 'boolean' | 'null' }>;

/** An event ready for matching: objects index their fields by name, keeping every value of a repeated key. */
export type EventNode =
  EventLeaf | { kind: 'array'; items: EventNode[] } | { kind: 'object'; fields: Map<string, EventNode[]> };

function index(node: JsonNode): EventNode {
  if (node.kind === 'array') return { kind: 'array', items: node.items.map(index) };
  if (node.kind !== 'object') return node;
  const fields = new Map<string, EventNode[]>();
  for (const [name, value] of node.entries) {
    // Paths are dotted names, so {"c.count": 5} is the same field as {"c": {"count": 5}}.
    const dot = name.indexOf('.');
    const key = dot < 0 ? name : name.slice(0, dot);
    const child = index(dot < 0 ? value : { kind: 'object', entries: [[name.slice(dot + 1), value]] });
    const list = fields.get(key);
    if (list) list.push(child);
    else fields.set(key, [child]);
  }
  return { kind: 'object', fields };
}

/** Text is read with `parseJsonText` (duplicate keys and exact numbers kept); anything else is taken as a value. */
export function prepareEvent(event: unknown): EventNode {
  return index(typeof event === 'string' ? parseJsonText(event) : fromValue(event));
}

/** Every leaf value under `values`, looking through arrays (nested ones too) but not into objects. */
export function leavesOf(values: readonly EventNode[], out: EventLeaf[] = []): EventLeaf[] {
  for (const v of values) {
    if (v.kind === 'array') leavesOf(v.items, out);
    else if (v.kind !== 'object') out.push(v);
  }
  return out;
}
