import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Undoes `Content-Encoding` (identity or gzip), never producing more than `maxBytes`. */
export function decodeContent(raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const value = (encoding ?? 'identity').trim().toLowerCase();
  if (value === '' || value === 'identity') return raw;
  if (value !== 'gzip' && value !== 'x-gzip')
    throw new HttpError(
      415,
      'VIGIL_HTTP_BAD_ENCODING',
      `unsupported Content-Encoding "${value.slice(0, 40)}": send gzip or none`,
    );
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new HttpError(
        413,
        'VIGIL_HTTP_TOO_LARGE',
        `decompressed body is larger than the limit of ${maxBytes} bytes`,
      );
    throw new HttpError(
      400,
      'VIGIL_HTTP_BAD_GZIP',
      'Content-Encoding is gzip but the body is not valid gzip data',
    );
  }
}

/** Parses a request body as UTF-8 JSON, with an error that says where it breaks. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0)
    throw new HttpError(400, 'VIGIL_HTTP_EMPTY_BODY', 'request body is empty; send a JSON document');
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw new HttpError(400, 'VIGIL_HTTP_BAD_JSON', 'request body is not valid UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      'VIGIL_HTTP_BAD_JSON',
      `request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/**
 * Replaces Fastify's JSON parser: `application/json` (and `application/*+json`) bodies up to
 * `maxBodyBytes`, gzip allowed. Any other content type is answered 415 by Fastify.
 */
export function registerJsonBody(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  const parse = (
    request: FastifyRequest,
    raw: Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ): void => {
    try {
      const header = request.headers['content-encoding'];
      done(
        null,
        parseJsonBody(decodeContent(raw, typeof header === 'string' ? header : undefined, maxBodyBytes)),
      );
    } catch (error) {
      done(error as Error);
    }
  };
  const options = { parseAs: 'buffer' as const, bodyLimit: maxBodyBytes };
  app.addContentTypeParser('application/json', options, parse);
  app.addContentTypeParser(/^application\/[\w.+-]+\+json$/, options, parse);
}
