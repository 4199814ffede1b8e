/**
 * Parameter templates of playbook steps: `{{ finding.actor.accessKeyId }}`, `{{ finding.actor.principal |
 * name }}`, `{{ finding.resources[type=AwsEc2Instance].id }}`. A template reads a value out of the finding
 * (or its routed event); it is never evaluated as code, and what it yields is validated by the action's
 * parameter schema before anything runs. A path that finds nothing is an error naming the path, not an
 * empty string.
 */

type Segment = { key: string } | { key: string; index: number } | { key: string; where: [string, string] };

interface Expr {
  root: 'finding' | 'event';
  path: Segment[];
  filters: Filter[];
  source: string;
}

type Filter = 'name' | 'account' | 'lower' | 'upper' | 'json';
const FILTERS: readonly Filter[] = ['name', 'account', 'lower', 'upper', 'json'];

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT = /^([A-Za-z_$][\w$-]*)(?:\[(?:(\d+)|([A-Za-z_]\w*)=([^\]]*))\])?$/;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

function parseExpr(text: string): Expr {
  const [pathText = '', ...filterTexts] = text.split('|').map((s) => s.trim());
  const parts = pathText.split('.');
  const root = parts.shift();
  if (root !== 'finding' && root !== 'event')
    throw new TemplateError(`"{{ ${text} }}": a template starts with finding. or event.`);
  const path: Segment[] = parts.map((p) => {
    const m = SEGMENT.exec(p);
    if (!m)
      throw new TemplateError(`"{{ ${text} }}": "${p}" is not a field name, name[N] or name[key=value]`);
    if (m[2] !== undefined) return { key: m[1]!, index: Number(m[2]) };
    if (m[3] !== undefined) return { key: m[1]!, where: [m[3], m[4]!] };
    return { key: m[1]! };
  });
  const filters = filterTexts.map((f) => {
    if (!(FILTERS as readonly string[]).includes(f))
      throw new TemplateError(`"{{ ${text} }}": unknown filter "${f}" (known: ${FILTERS.join(', ')})`);
    return f as Filter;
  });
  return { root, path, filters, source: text };
}

const own = (o: unknown, k: string): unknown =>
  o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k)
    ? (o as Record<string, unknown>)[k]
    : undefined;

function read(expr: Expr, scope: { finding: unknown; event: unknown }): unknown {
  let v: unknown = scope[expr.root];
  for (const s of expr.path) {
    v = own(v, s.key);
    if ('index' in s) v = Array.isArray(v) ? v[s.index] : undefined;
    else if ('where' in s)
      v = Array.isArray(v) ? v.find((e) => String(own(e, s.where[0])) === s.where[1]) : undefined;
    if (v === undefined || v === null) return undefined;
  }
  for (const f of expr.filters) v = applyFilter(f, v);
  return v;
}

function applyFilter(f: Filter, v: unknown): unknown {
  if (f === 'json') return JSON.stringify(v);
  if (typeof v !== 'string') return v;
  switch (f) {
    case 'name': {
      // The last part of an ARN's resource (`…:user/path/alice` → `alice`), or the value itself.
      const resource = v.startsWith('arn:') ? v.split(':').slice(5).join(':') : v;
      return resource.slice(resource.lastIndexOf('/') + 1);
    }
    case 'account':
      return v.startsWith('arn:') ? v.split(':')[4] : undefined;
    case 'lower':
      return v.toLowerCase();
    case 'upper':
      return v.toUpperCase();
  }
}

/** A parameter value with its templates parsed once (at start-up, so a typo is reported then). */
export interface CompiledValue {
  resolve(scope: { finding: unknown; event: unknown }): unknown;
}

/** Compiles a parameter value: strings with templates, objects and arrays of them, other literals. */
export function compileValue(value: unknown, where: string): CompiledValue {
  if (typeof value === 'string') {
    const matches = [...value.matchAll(TEMPLATE)];
    if (!matches.length) return { resolve: () => value };
    const exprs = matches.map((m) => parseExpr(m[1]!));
    // The whole value one template: its value keeps its type (a number, an array).
    if (matches.length === 1 && matches[0]![0] === value) {
      const e = exprs[0]!;
      return {
        resolve(scope) {
          const v = read(e, scope);
          if (v === undefined)
            throw new TemplateError(`${where}: {{ ${e.source} }} is empty for this finding`);
          return v;
        },
      };
    }
    return {
      resolve(scope) {
        let i = 0;
        return value.replace(TEMPLATE, () => {
          const e = exprs[i++]!;
          const v = read(e, scope);
          if (v === undefined)
            throw new TemplateError(`${where}: {{ ${e.source} }} is empty for this finding`);
          return typeof v === 'string' ? v : JSON.stringify(v);
        });
      },
    };
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileValue(v, `${where}[${i}]`));
    return { resolve: (scope) => items.map((c) => c.resolve(scope)) };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compileValue(v, `${where}.${k}`)] as const);
    return { resolve: (scope) => Object.fromEntries(entries.map(([k, c]) => [k, c.resolve(scope)])) };
  }
  return { resolve: () => value };
}
