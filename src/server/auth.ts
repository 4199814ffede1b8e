import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const FIREHOSE_ACCESS_KEY_HEADER = 'x-amz-firehose-access-key';

/**
 * Compares two secrets in constant time. Both are hashed first, so neither the content nor the
 * length of the expected token leaks through timing.
 */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token a request presents: `Authorization: Bearer <t>` or `X-Amz-Firehose-Access-Key: <t>`. */
export function presentedTokens(headers: IncomingHttpHeaders): string[] {
  const tokens: string[] = [];
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(.+)$/i.exec(authorization.trim());
    if (match?.[1] !== undefined) tokens.push(match[1].trim());
  }
  const accessKey = headers[FIREHOSE_ACCESS_KEY_HEADER];
  if (typeof accessKey === 'string') tokens.push(accessKey);
  return tokens;
}

/** Why a request is not authorized, or undefined when it is (or no token is configured). */
export function authProblem(headers: IncomingHttpHeaders, expected: string | undefined): string | undefined {
  if (expected === undefined) return undefined;
  const tokens = presentedTokens(headers);
  if (tokens.length === 0)
    return 'missing credentials: send "Authorization: Bearer <token>" or "X-Amz-Firehose-Access-Key: <token>"';
  // Check every presented token (no early exit), so timing does not reveal which header matched.
  let ok = false;
  for (const token of tokens) ok = tokensEqual(token, expected) || ok;
  return ok ? undefined : 'invalid ingest token';
}
