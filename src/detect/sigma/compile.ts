import type { VigilEvent } from '../../core/event.js';
import type { CompiledSigma, FieldGetter } from '../types.js';
import { parseCondition, type ConditionNode } from './condition.js';
import { createJsonText, type JsonText } from './json-text.js';
import { compileSelection, type CompiledSelection } from './selection.js';
import { admits, exactOnly, intersectAll, unionAll, type Required } from './required.js';
import type { EventPredicate } from './field.js';
import { SigmaSyntaxError, SigmaUnsupportedError } from './errors.js';

export interface CompileSigmaOptions {
  /** Shared JSON-text memo: pass one to every rule so an object field is serialized once per event. */
  jsonText?: JsonText;
}

/**
 * Compiles a Sigma `detection` block (named selections plus `condition`) into a predicate over
 * events. Throws SigmaUnsupportedError for features Vigil does not evaluate and SigmaSyntaxError
 * for malformed blocks.
 */
export function compileSigma(
  detection: unknown,
  getField: FieldGetter,
  opts: CompileSigmaOptions = {},
): CompiledSigma {
  if (typeof detection !== 'object' || detection === null || Array.isArray(detection)) {
    throw new SigmaSyntaxError('detection must be a map of named selections and a "condition"');
  }
  const { condition, timeframe, ...selectionBodies } = detection as Record<string, unknown>;
  const conditions = conditionList(condition);
  const names = Object.keys(selectionBodies);
  // Parse first: an aggregation in the condition is the reason a rule is unsupported.
  const trees = conditions.map((c) => parseCondition(c, names));
  if (timeframe !== undefined) {
    throw new SigmaUnsupportedError(
      `"timeframe: ${String(timeframe)}" is not supported (correlating several events in a time window needs a Vigil detection with "aggregate")`,
    );
  }
  const ctx = { getField, jsonText: opts.jsonText ?? createJsonText() };
  const selections = new Map<string, CompiledSelection>();
  for (const name of names) selections.set(name, compileSelection(name, selectionBodies[name], ctx));

  const build = (tree: ConditionNode) => buildPredicate(tree, selections);
  const predicates = trees.map(build);
  const matches: EventPredicate =
    predicates.length === 1
      ? predicates[0]!
      : (event) => {
          for (const p of predicates) if (p(event)) return true;
          return false;
        };
  const eventName = unionAll(trees.map((t) => requiredOf(t, selections, 'eventName')));
  return {
    matches,
    compileCondition: (expression: string): ((event: VigilEvent) => boolean) => {
      if (typeof expression !== 'string') throw new SigmaSyntaxError('condition must be a string');
      return build(parseCondition(expression, names));
    },
    eventNames: exactOnly(eventName),
    eventSources: exactOnly(unionAll(trees.map((t) => requiredOf(t, selections, 'eventSource')))),
    couldMatchEventName: eventName && ((name: string) => admits(eventName, name.toLowerCase())),
  };
}

function conditionList(condition: unknown): string[] {
  if (typeof condition === 'string') return [condition];
  if (Array.isArray(condition) && condition.length > 0 && condition.every((c) => typeof c === 'string')) {
    return condition as string[];
  }
  if (condition === undefined) throw new SigmaSyntaxError('detection has no "condition"');
  throw new SigmaSyntaxError('"condition" must be a string (or a list of strings)');
}

function buildPredicate(node: ConditionNode, selections: Map<string, CompiledSelection>): EventPredicate {
  switch (node.kind) {
    case 'ref':
      return selections.get(node.name)!.test;
    case 'not': {
      const inner = buildPredicate(node.item, selections);
      return (event) => !inner(event);
    }
    case 'and': {
      const items = node.items.map((n) => buildPredicate(n, selections));
      if (items.length === 2) {
        const [a, b] = items as [EventPredicate, EventPredicate];
        return (event) => a(event) && b(event);
      }
      return (event) => {
        for (const p of items) if (!p(event)) return false;
        return true;
      };
    }
    case 'or': {
      const items = node.items.map((n) => buildPredicate(n, selections));
      if (items.length === 2) {
        const [a, b] = items as [EventPredicate, EventPredicate];
        return (event) => a(event) || b(event);
      }
      return (event) => {
        for (const p of items) if (p(event)) return true;
        return false;
      };
    }
  }
}

/** What every match of the condition requires of the field; undefined when it could be anything. */
function requiredOf(
  node: ConditionNode,
  selections: Map<string, CompiledSelection>,
  field: 'eventName' | 'eventSource',
): Required | undefined {
  switch (node.kind) {
    case 'ref':
      return selections.get(node.name)![field];
    case 'not':
      return undefined;
    case 'or':
      return unionAll(node.items.map((n) => requiredOf(n, selections, field)));
    case 'and':
      return intersectAll(node.items.map((n) => requiredOf(n, selections, field)));
  }
}
