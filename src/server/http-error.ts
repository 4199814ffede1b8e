/** An error with the HTTP status and stable code the server answers with. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** Fastify's own request errors, reworded so a sender knows what to fix. */
const FASTIFY_MESSAGES: Record<string, (limit: number) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (limit) => `request body is larger than the limit of ${limit} bytes`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => 'unsupported content type: send "Content-Type: application/json"',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'the Content-Length header does not match the body',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'request body is empty; send a JSON document',
};

/** Status, code and message for any error thrown while handling a request. */
export function describeError(
  error: unknown,
  maxBodyBytes: number,
): { statusCode: number; code: string; message: string } {
  if (error instanceof HttpError)
    return { statusCode: error.statusCode, code: error.code, message: error.message };
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : 500;
  const code = typeof e.code === 'string' ? e.code : 'VIGIL_SERVER_ERROR';
  const reword = FASTIFY_MESSAGES[code];
  if (reword) return { statusCode, code, message: reword(maxBodyBytes) };
  if (statusCode >= 400 && statusCode < 500 && typeof e.message === 'string')
    return { statusCode, code, message: e.message };
  return { statusCode: 500, code: 'VIGIL_SERVER_ERROR', message: 'internal server error' };
}
