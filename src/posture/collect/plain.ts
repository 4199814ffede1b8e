import type { PolicyDocument } from '../types.js';

/**
 * An SDK response made plain JSON data, as the snapshot stores it: dates as ISO strings, byte arrays
 * dropped, `undefined` members and the SDK's `$metadata` left out. Field names stay AWS's own.
 */
export function plain<T = unknown>(value: unknown): T {
  return convert(value) as T;
}

function convert(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return undefined;
  if (Array.isArray(value)) return value.map(convert).filter((v) => v !== undefined);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$metadata') continue;
    const c = convert(v);
    if (c !== undefined) out[key] = c;
  }
  return out;
}

/** What went wrong reading a policy document, for the collection error. */
export class PolicyParseError extends Error {}

/**
 * A policy document as IAM, S3 or KMS return it, parsed. IAM returns documents URL-encoded (RFC 3986);
 * S3 bucket policies and KMS key policies are plain JSON. A document that is not a JSON object with a
 * `Statement` throws `PolicyParseError`.
 */
export function parsePolicy(text: string, urlEncoded = false): PolicyDocument {
  let json = text;
  if (urlEncoded) {
    try {
      json = decodeURIComponent(text);
    } catch {
      throw new PolicyParseError('the document is not valid URL-encoded text');
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new PolicyParseError(`the document is not JSON (${(err as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !('Statement' in doc))
    throw new PolicyParseError('the document has no Statement');
  return doc as PolicyDocument;
}

/** EC2-style `[{Key, Value}]` tags as a plain map. */
export function tagMap(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}
