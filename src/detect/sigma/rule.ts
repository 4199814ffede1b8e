import { parseAllDocuments } from 'yaml';
import type { Detection, Maturity } from '../types.js';
import { createFieldGetter } from '../fields/index.js';
import { compileSigma } from './compile.js';
import { mapAttackTags } from './mitre.js';
import { SigmaSyntaxError, SigmaUnsupportedError } from './errors.js';

const SEVERITY: Record<string, number> = { informational: 1, low: 2, medium: 5, high: 7.5, critical: 9 };
const MATURITY: Record<string, Maturity> = { stable: 'stable', test: 'stable', experimental: 'experimental' };

export const SIGMAHQ_URL = 'https://github.com/SigmaHQ/sigma';
export const NOT_AWS = 'not an AWS rule';

/**
 * Maps a plain Sigma rule (YAML text) to a Detection. The detection block is compiled once to
 * validate it and carried as is. Throws SigmaSyntaxError (malformed rule) or SigmaUnsupportedError
 * (not an AWS CloudTrail rule, an unsupported Sigma feature, correlation or multi-document rules,
 * status deprecated/unsupported).
 */
export function loadSigmaRule(text: string, file: string): Detection {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new SigmaSyntaxError(`${file}: empty file`);
  if (docs.length > 1)
    throw new SigmaUnsupportedError('multi-document (action: global) rules are not supported');
  const doc = docs[0];
  if (!doc) throw new SigmaSyntaxError('empty file');
  if (doc.errors.length > 0) throw new SigmaSyntaxError(`invalid YAML: ${doc.errors[0]!.message}`);
  const rule: unknown = doc.toJS();
  if (!isMap(rule)) throw new SigmaSyntaxError('a Sigma rule must be a YAML map');

  if (rule.correlation !== undefined)
    throw new SigmaUnsupportedError('Sigma correlation rules are not supported');
  const logsource = isMap(rule.logsource) ? rule.logsource : {};
  if (String(logsource.product ?? '').toLowerCase() !== 'aws') {
    throw new SigmaUnsupportedError(
      `${NOT_AWS} (logsource.product: ${String(logsource.product ?? 'missing')})`,
    );
  }
  if (logsource.service !== undefined && String(logsource.service).toLowerCase() !== 'cloudtrail') {
    throw new SigmaUnsupportedError(
      `AWS log source "${String(logsource.service)}" is not supported (only cloudtrail)`,
    );
  }

  const title = requireString(rule, 'title');
  const id = requireString(rule, 'id');
  if (!/^[A-Za-z0-9-]+$/.test(id)) throw new SigmaSyntaxError(`"id" must be a UUID, not "${id}"`);
  if (!isMap(rule.detection))
    throw new SigmaSyntaxError('"detection" must be a map of selections and a condition');

  // Compile now so a rule is reported for what it uses (an aggregation, a placeholder) before its status.
  compileSigma(rule.detection, createFieldGetter());

  const level = String(rule.level ?? '').toLowerCase();
  const severity = SEVERITY[level];
  if (severity === undefined)
    throw new SigmaSyntaxError(
      `"level" must be informational, low, medium, high or critical, not "${String(rule.level ?? '')}"`,
    );
  const status = String(rule.status ?? 'experimental').toLowerCase();
  const maturity = MATURITY[status];
  if (!maturity) throw new SigmaUnsupportedError(`rules with status "${status}" are not loaded`);

  const mitre = mapAttackTags(stringList(rule.tags, 'tags'));
  const references = stringList(rule.references, 'references');
  if (!references.includes(SIGMAHQ_URL)) references.push(SIGMAHQ_URL);
  const description = typeof rule.description === 'string' ? rule.description.trim() : title;

  return {
    id: `sigma-${id}`,
    title,
    type: `${mitre.purpose}:AwsApiCall/Sigma.${pascalCase(title)}`,
    severity,
    maturity,
    source: 'cloudtrail',
    ...(typeof rule.author === 'string' ? { author: rule.author } : {}),
    description,
    mitre: { tactics: mitre.tactics, techniques: mitre.techniques },
    detection: rule.detection,
    dedupKey: ['vigil.accountId', 'vigil.principal'],
    resources: [],
    remediation: "Review the activity; see the rule's references.",
    references,
    falsepositives: stringList(rule.falsepositives, 'falsepositives'),
    tests: [],
    origin: 'sigma',
    file,
  };
}

/** `AWS IAM S3Browser Templated S3 Bucket Policy Creation` → `AWSIAMS3BrowserTemplatedS3BucketPolicyCreation`. */
export function pascalCase(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(rule: Record<string, unknown>, key: string): string {
  const v = rule[key];
  if (typeof v !== 'string' || v.trim() === '')
    throw new SigmaSyntaxError(`"${key}" is missing or not a string`);
  return v.trim();
}

function stringList(v: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number'))
    return v.map(String);
  throw new SigmaSyntaxError(`"${key}" must be a list of strings`);
}
