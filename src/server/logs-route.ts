import type { FastifyInstance } from 'fastify';
import { createLogLineReader, isResolverQueryLog, linesOf, type RecordFormat } from '../sources/index.js';
import { HttpError } from './http-error.js';
import { requireBody, requireToken } from './ingest-routes.js';
import { cloudTrailItems } from './items.js';
import { decodeContent } from './json-body.js';
import { runIngest } from './run-ingest.js';
import type { ServerDeps } from './types.js';

export const LOGS_PATH = '/ingest/logs';

/** Content types read as log lines; `application/json` bodies keep the shared JSON parser. */
const TEXT_TYPES = ['text/plain', 'application/x-ndjson', 'application/jsonl'];

const decoder = new TextDecoder('utf-8', { fatal: true });

/** One line the server or the pipeline refused, by its 1-based line number in the body. */
export interface LineRejection {
  line: number;
  error: string;
}

/**
 * `POST /ingest/logs`: log lines as AWS writes them — VPC flow log lines (with or without their header
 * line), Route 53 Resolver query logs and CloudTrail records as JSON lines, S3 server access log lines —
 * recognised by their content as the folder source does. Answers 200 `{accepted, rejected, skipped}` with
 * each bad line listed by number (the good ones are ingested); `skipped` counts header lines and flow
 * records without traffic (NODATA, SKIPDATA). An `application/json` body (a Resolver query log or
 * CloudTrail record, an array of them, a `{"Records": […]}` file) is answered like /ingest/cloudtrail,
 * by index. Registered in its own scope, so the text parser applies to this route only.
 */
export function registerLogsRoute(app: FastifyInstance, deps: ServerDeps): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      TEXT_TYPES,
      { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes },
      (request, raw: Buffer, done) => {
        try {
          const header = request.headers['content-encoding'];
          done(
            null,
            textBody(decodeContent(raw, typeof header === 'string' ? header : undefined, deps.maxBodyBytes)),
          );
        } catch (error) {
          done(error as Error);
        }
      },
    );
    scope.post(LOGS_PATH, { onRequest: requireToken(deps) }, async (request) => {
      const body = requireBody(request.body);
      if (typeof body === 'string') return ingestLines(deps, body, request.log);
      const items = cloudTrailItems(body);
      const formats = items.map((item): RecordFormat | undefined =>
        isResolverQueryLog(item) ? 'dns' : undefined,
      );
      return runIngest(deps, 'logs', items, request.log, formats);
    });
  });
}

function textBody(body: Buffer): string {
  if (body.length === 0)
    throw new HttpError(400, 'VIGIL_HTTP_EMPTY_BODY', 'request body is empty; send log lines');
  try {
    return decoder.decode(body);
  } catch {
    throw new HttpError(400, 'VIGIL_HTTP_BAD_TEXT', 'request body is not valid UTF-8 text');
  }
}

async function ingestLines(
  deps: ServerDeps,
  text: string,
  log: Parameters<typeof runIngest>[3],
): Promise<{ accepted: number; rejected: LineRejection[]; skipped: number }> {
  const reader = createLogLineReader(deps.flowLogFields ? { flowFields: deps.flowLogFields } : {});
  const items: unknown[] = [];
  const formats: (RecordFormat | undefined)[] = [];
  const lines: number[] = [];
  const rejected: LineRejection[] = [];
  let skipped = 0;
  for (const line of linesOf(text)) {
    const read = reader.line(line);
    if (read.kind === 'json') {
      for (const v of read.values) {
        items.push(v.value);
        formats.push(v.format);
        lines.push(line.n);
      }
    } else if (read.kind === 'text') {
      items.push(read.record);
      formats.push(read.format);
      lines.push(line.n);
    } else if (read.kind === 'bad') {
      rejected.push({ line: line.n, error: `line ${line.n}: ${read.error}` });
    } else if (read.why !== 'blank') {
      skipped++;
    }
  }
  if (rejected.length > 0)
    deps.serveMetrics?.recordsRejected.inc({ source: 'http:logs', reason: 'bad_line' }, rejected.length);
  const result = await runIngest(deps, 'logs', items, log, formats);
  for (const r of result.rejected) {
    const n = lines[r.index] ?? 0;
    rejected.push({ line: n, error: `line ${n}: ${r.error}` });
  }
  rejected.sort((a, b) => a.line - b.line);
  return { accepted: result.accepted, rejected, skipped };
}
