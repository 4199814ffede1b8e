import { basename } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseExpiry } from '../posture/evidence.js';
import {
  CONTROL_STATUSES,
  FRAMEWORK_IDS,
  isFrameworkId,
  loadBuiltinFramework,
  type Framework,
} from '../posture/frameworks.js';
import { renderChecksHtml, renderFrameworkHtml, type PostureReport } from '../posture/report/index.js';
import type { PostureService, PostureView } from '../posture/service.js';
import { fail, ID_PARAMS, rejectInvalid } from './finding-schemas.js';
import { ERROR_SCHEMA, GUARD_RESPONSES } from './openapi.js';
import type { ApiAccess } from './types.js';

/**
 * Posture for the dashboard: the latest report of each configured snapshot (`vigil serve`'s posture
 * service), one check's results, one framework's controls, the printable HTML report, and evidence for
 * manual controls. Reading needs viewer; adding evidence needs responder and is audited.
 *
 * Snapshots are named by their file's base name only: the server's folders are nobody's business. A
 * `snapshot` parameter picks one (the first with that name); without it, the first snapshot is used.
 */

const RESULT_STATUSES = ['PASS', 'FAIL', 'UNKNOWN', 'ERROR'] as const;
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
/** Failing results listed per control in the framework view; `failingTotal` gives the full count. */
const FAILING_PER_CONTROL = 100;

/** The HTML report's own CSP, also sent as a header: it never runs a script, loads anything or is framed. */
export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const statusCounts = (keys: readonly string[]) =>
  ({
    type: 'object',
    required: [...keys],
    properties: Object.fromEntries(keys.map((k) => [k, int])),
  }) as const;
const RESULT_COUNTS = statusCounts(RESULT_STATUSES);

const ACCOUNT_SCHEMA = {
  type: 'object',
  required: ['accountId'],
  properties: { accountId: str, alias: str },
} as const;

const COLLECTION_ERROR_SCHEMA = {
  type: 'object',
  description: 'A call that failed while the snapshot was collected (collection went on)',
  required: ['accountId', 'service', 'api', 'code', 'message'],
  properties: {
    accountId: str,
    region: str,
    service: str,
    api: str,
    resource: str,
    code: str,
    message: str,
  },
} as const;

const RESULT_SCHEMA = {
  type: 'object',
  description: 'What a check says about one resource, in a sentence naming it',
  required: ['status', 'checkId', 'accountId', 'resource', 'message'],
  properties: {
    status: { type: 'string', enum: [...RESULT_STATUSES] },
    checkId: str,
    accountId: str,
    region: str,
    resource: { type: 'object', required: ['type', 'id'], properties: { type: str, id: str } },
    message: str,
  },
} as const;

const CHECK_STATUS = { type: 'string', enum: [...RESULT_STATUSES, 'NO-RESOURCES'] } as const;

const CHECK_SUMMARY_SCHEMA = {
  type: 'object',
  required: ['id', 'title', 'severity', 'service', 'status', 'counts'],
  properties: {
    id: str,
    title: str,
    severity: { type: 'string', enum: [...SEVERITIES] },
    service: str,
    status: CHECK_STATUS,
    counts: RESULT_COUNTS,
  },
} as const;

const FRAMEWORK_SUMMARY_SCHEMA = {
  type: 'object',
  required: ['controls', 'automated', 'fullyAutomated', 'manual', 'coverage', 'statuses'],
  properties: {
    controls: int,
    automated: { type: 'integer', description: 'Controls mapped to at least one check' },
    fullyAutomated: { type: 'integer', description: 'Controls the checks decide alone' },
    manual: { type: 'integer', description: 'Controls that need evidence from a person' },
    coverage: { type: 'number', description: 'automated / controls, 0–1' },
    statuses: statusCounts(CONTROL_STATUSES),
  },
} as const;

const FRAMEWORK_INFO = {
  type: 'object',
  required: ['id', 'name', 'version', 'source', 'scope'],
  properties: { id: str, name: str, version: str, source: str, scope: str },
} as const;

const SNAPSHOT_SUMMARY_SCHEMA = {
  type: 'object',
  required: [
    'file',
    'collectedAt',
    'generatedAt',
    'accounts',
    'collectionErrors',
    'summary',
    'bySeverity',
    'checks',
    'frameworks',
    'warnings',
  ],
  properties: {
    file: { type: 'string', description: 'The snapshot file’s base name' },
    collectedAt: str,
    collector: str,
    generatedAt: { type: 'string', description: 'When the checks last ran over it' },
    accounts: { type: 'array', items: ACCOUNT_SCHEMA },
    collectionErrors: {
      type: 'object',
      required: ['count', 'items'],
      properties: { count: int, items: { type: 'array', items: COLLECTION_ERROR_SCHEMA } },
    },
    summary: {
      type: 'object',
      required: ['checks', 'results', ...RESULT_STATUSES],
      properties: { checks: int, results: int, ...RESULT_COUNTS.properties },
    },
    bySeverity: {
      type: 'array',
      description: 'Per severity: checks, failing checks and result counts',
      items: {
        type: 'object',
        required: ['severity', 'checks', 'failingChecks', ...RESULT_STATUSES],
        properties: {
          severity: str,
          checks: int,
          failingChecks: int,
          ...RESULT_COUNTS.properties,
        },
      },
    },
    checks: { type: 'array', items: CHECK_SUMMARY_SCHEMA },
    frameworks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'version', 'summary'],
        properties: { id: str, name: str, version: str, summary: FRAMEWORK_SUMMARY_SCHEMA },
      },
    },
    warnings: { type: 'array', items: str },
  },
} as const;

const EVIDENCE_SCHEMA = {
  type: 'object',
  required: ['id', 'framework', 'control', 'note', 'by', 'addedAt', 'expires'],
  properties: {
    id: str,
    framework: str,
    control: str,
    note: str,
    by: str,
    addedAt: str,
    expires: str,
    attachment: str,
  },
} as const;

const CONTROL_SCHEMA = {
  type: 'object',
  required: ['id', 'title', 'status', 'coverage', 'checks', 'failing', 'failingTotal', 'evidence', 'detail'],
  properties: {
    id: str,
    title: str,
    group: str,
    status: { type: 'string', enum: [...CONTROL_STATUSES] },
    coverage: { type: 'string', enum: ['full', 'partial', 'manual'] },
    checks: {
      type: 'array',
      description: 'The mapped checks and how each came out',
      items: {
        type: 'object',
        required: ['id', 'status', 'pass', 'fail', 'unknown', 'error'],
        properties: {
          id: str,
          title: str,
          status: str,
          pass: int,
          fail: int,
          unknown: int,
          error: int,
        },
      },
    },
    failing: {
      type: 'array',
      description: `Failing (or undecided) resource results, at most ${FAILING_PER_CONTROL}`,
      items: RESULT_SCHEMA,
    },
    failingTotal: int,
    evidence: { type: 'array', items: EVIDENCE_SCHEMA },
    evidenceNeeded: str,
    detail: str,
  },
} as const;

const SNAPSHOT_QUERY = {
  snapshot: {
    type: 'string',
    maxLength: 255,
    description: 'A snapshot file’s base name; default: the first snapshot',
  },
} as const;

type Principal = Parameters<ApiAccess['audit']>[0];

export interface PostureApiDeps {
  access: ApiAccess;
  posture: Pick<PostureService, 'current' | 'addEvidence'>;
  /** Whether `posture.evidence` names a file: without one, evidence cannot be added. */
  evidenceConfigured: boolean;
  /** The frameworks, to check a control id before adding evidence. Default: the built-in mapping files. */
  frameworks?: readonly Framework[];
  now?: () => number;
}

function summarize(view: PostureView) {
  const r = view.report;
  const bySeverity = SEVERITIES.map((severity) => {
    const own = r.checks.items.filter((c) => c.severity === severity);
    const counts = { PASS: 0, FAIL: 0, UNKNOWN: 0, ERROR: 0 };
    for (const c of own) for (const s of RESULT_STATUSES) counts[s] += c.counts[s];
    return {
      severity,
      checks: own.length,
      failingChecks: own.filter((c) => c.status === 'FAIL' || c.status === 'ERROR').length,
      ...counts,
    };
  });
  return {
    file: basename(view.file),
    collectedAt: r.snapshot.collectedAt,
    collector: r.snapshot.collector,
    generatedAt: r.generatedAt,
    accounts: r.snapshot.accounts,
    collectionErrors: { count: r.snapshot.collectionErrors.length, items: r.snapshot.collectionErrors },
    summary: r.checks.summary,
    bySeverity,
    checks: r.checks.items.map((c) => ({
      id: c.id,
      title: c.title,
      severity: c.severity,
      service: c.service,
      status: c.status,
      counts: c.counts,
    })),
    frameworks: r.frameworks.map((f) => ({
      id: f.framework.id,
      name: f.framework.name,
      version: f.framework.version,
      summary: f.summary,
    })),
    warnings: r.warnings,
  };
}

/** The error message without the server's path to the file. */
function problemOut(p: { file: string; message: string }) {
  const file = basename(p.file);
  return { file, message: p.message.split(p.file).join(file) };
}

export function registerPostureApi(app: FastifyInstance, deps: PostureApiDeps): void {
  const { access, posture } = deps;
  const now = deps.now ?? Date.now;
  const frameworks = new Map(
    (deps.frameworks ?? FRAMEWORK_IDS.map((id) => loadBuiltinFramework(id))).map((f) => [f.id, f]),
  );

  /** The snapshot the request names (or the first), or a 404 sent. */
  const pick = (request: FastifyRequest, reply: FastifyReply): PostureReport | undefined => {
    const wanted = (request.query as { snapshot?: string }).snapshot;
    const { views } = posture.current();
    const view = wanted === undefined ? views[0] : views.find((v) => basename(v.file) === wanted);
    if (view) return view.report;
    void fail(
      reply,
      404,
      'VIGIL_NOT_FOUND',
      wanted === undefined
        ? 'no posture snapshot has been loaded: list files under posture.snapshots (vigil posture collect)'
        : `no posture snapshot named ${wanted}`,
    );
    return undefined;
  };

  app.get(
    '/api/posture',
    {
      schema: {
        tags: ['posture'],
        summary: 'Every snapshot’s checks and framework coverage at a glance (without per-resource results)',
        response: {
          200: {
            type: 'object',
            required: ['snapshots', 'problems', 'evidenceConfigured'],
            properties: {
              snapshots: { type: 'array', items: SNAPSHOT_SUMMARY_SCHEMA },
              problems: {
                type: 'array',
                description: 'Snapshot files that could not be read',
                items: {
                  type: 'object',
                  required: ['file', 'message'],
                  properties: { file: str, message: str },
                },
              },
              evidenceConfigured: {
                type: 'boolean',
                description: 'Whether evidence can be added (posture.evidence names a file)',
              },
            },
          },
          ...GUARD_RESPONSES,
        },
      },
      preHandler: access.require('viewer'),
    },
    async () => {
      const { views, problems } = posture.current();
      return {
        snapshots: views.map(summarize),
        problems: problems.map(problemOut),
        evidenceConfigured: deps.evidenceConfigured,
      };
    },
  );

  app.get(
    '/api/posture/checks/:id',
    {
      schema: {
        tags: ['posture'],
        summary: 'One check: rationale, remediation and its per-resource results (paged, by status)',
        params: ID_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...SNAPSHOT_QUERY,
            status: { type: 'string', enum: [...RESULT_STATUSES] },
            offset: { type: 'integer', minimum: 0, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['check', 'results'],
            properties: {
              check: {
                type: 'object',
                required: [...CHECK_SUMMARY_SCHEMA.required, 'rationale', 'remediation', 'findingType'],
                properties: {
                  ...CHECK_SUMMARY_SCHEMA.properties,
                  rationale: str,
                  remediation: {
                    type: 'object',
                    required: ['text'],
                    properties: { text: str, cli: str, console: str, cdk: str, cloudformation: str },
                  },
                  references: {
                    type: 'object',
                    properties: {
                      cis: { type: 'array', items: str },
                      fsbp: { type: 'array', items: str },
                      urls: { type: 'array', items: str },
                    },
                  },
                  findingType: str,
                },
              },
              results: {
                type: 'object',
                required: ['total', 'offset', 'limit', 'items'],
                properties: {
                  total: { type: 'integer', description: 'Results matching the status filter' },
                  offset: int,
                  limit: int,
                  items: { type: 'array', items: RESULT_SCHEMA },
                },
              },
            },
          },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: access.require('viewer'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const report = pick(request, reply);
      if (!report) return reply;
      const id = (request.params as { id: string }).id;
      const check = report.checks.items.find((c) => c.id === id);
      if (!check) return fail(reply, 404, 'VIGIL_NOT_FOUND', `no check ${id}`);
      const q = request.query as { status?: string; offset: number; limit: number };
      const matching = q.status ? check.results.filter((r) => r.status === q.status) : check.results;
      const { results: _all, ...rest } = check;
      return {
        check: rest,
        results: {
          total: matching.length,
          offset: q.offset,
          limit: q.limit,
          items: matching.slice(q.offset, q.offset + q.limit),
        },
      };
    },
  );

  app.get(
    '/api/posture/frameworks/:id',
    {
      schema: {
        tags: ['posture'],
        summary:
          'One framework’s evaluation: each control’s status, mapped checks, failing resources, evidence',
        params: ID_PARAMS,
        querystring: { type: 'object', additionalProperties: false, properties: SNAPSHOT_QUERY },
        response: {
          200: {
            type: 'object',
            required: ['framework', 'evaluatedAt', 'summary', 'controls', 'warnings'],
            properties: {
              framework: FRAMEWORK_INFO,
              evaluatedAt: str,
              summary: FRAMEWORK_SUMMARY_SCHEMA,
              controls: { type: 'array', items: CONTROL_SCHEMA },
              warnings: { type: 'array', items: str },
            },
          },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: access.require('viewer'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const id = (request.params as { id: string }).id;
      if (!isFrameworkId(id))
        return fail(reply, 404, 'VIGIL_NOT_FOUND', `no framework ${id} (one of ${FRAMEWORK_IDS.join(', ')})`);
      const report = pick(request, reply);
      if (!report) return reply;
      const evaluation = report.frameworks.find((f) => f.framework.id === id);
      if (!evaluation) return fail(reply, 404, 'VIGIL_NOT_FOUND', `framework ${id} was not evaluated`);
      const titles = new Map(report.checks.items.map((c) => [c.id, c.title]));
      return {
        ...evaluation,
        controls: evaluation.controls.map((c) => ({
          ...c,
          checks: c.checks.map((o) => ({ ...o, ...(titles.has(o.id) ? { title: titles.get(o.id) } : {}) })),
          failing: c.failing.slice(0, FAILING_PER_CONTROL),
          failingTotal: c.failing.length,
        })),
      };
    },
  );

  app.get(
    '/api/posture/report.html',
    {
      schema: {
        tags: ['posture'],
        summary:
          'The self-contained printable HTML report of a framework (or of the checks alone), as a download',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...SNAPSHOT_QUERY,
            framework: {
              type: 'string',
              enum: [...FRAMEWORK_IDS],
              description: 'Absent: the report of the checks, without a framework',
            },
          },
        },
        response: {
          200: {
            description: 'An HTML document with no script, sent as an attachment',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: access.require('viewer'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const report = pick(request, reply);
      if (!report) return reply;
      const framework = (request.query as { framework?: string }).framework;
      if (framework && !report.frameworks.some((f) => f.framework.id === framework))
        return fail(reply, 404, 'VIGIL_NOT_FOUND', `framework ${framework} was not evaluated`);
      const body = framework ? renderFrameworkHtml(report, framework) : renderChecksHtml(report);
      const day = report.snapshot.collectedAt.slice(0, 10).replace(/[^0-9-]/g, '');
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="vigil-posture-${framework ?? 'checks'}-${day}.html"`,
        )
        .header('content-security-policy', REPORT_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .send(body);
    },
  );

  app.post(
    '/api/posture/evidence',
    {
      schema: {
        tags: ['posture'],
        summary: 'Attaches evidence (a note with an expiry) to a control no check decides alone',
        body: {
          type: 'object',
          required: ['framework', 'control', 'note', 'expires'],
          additionalProperties: false,
          properties: {
            framework: { type: 'string', minLength: 1, maxLength: 40 },
            control: { type: 'string', minLength: 1, maxLength: 100 },
            note: { type: 'string', minLength: 1, maxLength: 4000 },
            expires: {
              type: 'string',
              minLength: 10,
              maxLength: 40,
              description: 'A date (counts through that day, UTC) or an ISO 8601 time, in the future',
            },
            attachment: {
              type: 'string',
              minLength: 1,
              maxLength: 500,
              description: 'The name of a document kept elsewhere (the file itself is not stored)',
            },
          },
        },
        response: { 201: EVIDENCE_SCHEMA, 400: ERROR_SCHEMA, 409: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      attachValidation: true,
      preHandler: access.require('responder'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const body = request.body as {
        framework: string;
        control: string;
        note: string;
        expires: string;
        attachment?: string;
      };
      if (!deps.evidenceConfigured)
        return fail(
          reply,
          409,
          'VIGIL_CONFLICT',
          'no evidence file is configured: set posture.evidence in the configuration to add evidence',
        );
      const fw = frameworks.get(body.framework as Framework['id']);
      if (!fw)
        return fail(
          reply,
          400,
          'VIGIL_BAD_REQUEST',
          `unknown framework ${body.framework} (one of ${[...frameworks.keys()].join(', ')})`,
        );
      const control = fw.controls.find((c) => c.id === body.control);
      if (!control)
        return fail(reply, 400, 'VIGIL_BAD_REQUEST', `framework ${fw.id} has no control ${body.control}`);
      if (control.coverage === 'full')
        return fail(
          reply,
          400,
          'VIGIL_BAD_REQUEST',
          `${fw.id} ${control.id} is decided by automated checks alone: evidence would not change it`,
        );
      const expires = parseExpiry(body.expires);
      if (!expires)
        return fail(
          reply,
          400,
          'VIGIL_BAD_REQUEST',
          'body/expires must be a date (YYYY-MM-DD) or an ISO 8601 time',
        );
      if (Date.parse(expires) <= now())
        return fail(reply, 400, 'VIGIL_BAD_REQUEST', `body/expires (${expires}) is in the past`);
      const principal: Principal = access.principalOf(request);
      const added = await posture.addEvidence({
        framework: fw.id,
        control: control.id,
        note: body.note,
        by: principal?.user ?? 'unknown',
        expires,
        ...(body.attachment ? { attachment: body.attachment } : {}),
      });
      access.audit(principal, 'posture.evidence', `${fw.id}:${control.id}`, {
        evidence: added.id,
        expires,
      });
      return reply.code(201).send(added);
    },
  );
}
