import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { InputProblem } from '../core/errors.js';
import type { VigilConfig } from '../config/schema.js';
import { resolveSecret } from '../config/load.js';
import { buildContext } from '../scan/context.js';
import { watchIntel } from '../intel/index.js';
import { openFindingStore } from '../store/index.js';
import { createRouter } from '../router/index.js';
import { createResponseSystem } from '../respond/index.js';
import { ALL_CHECKS } from '../posture/checks/index.js';
import { POSTURE_DETECTOR_PREFIX } from '../posture/findings.js';
import { createPostureService } from '../posture/service.js';
import type { ClientFactory } from '../respond/types.js';
import { auditLogFile, openAuditLog } from '../audit/log.js';
import { registerRespondApi } from '../api/respond.js';
import { registerPostureApi } from '../api/posture.js';
import { createChannel, createSecretResolver, type Channel } from '../notify/index.js';
import { createOutbox, openOutboxDatabase, type DigestOptions } from '../outbox/index.js';
import { createServer, createMetrics, type IngestBatch, type IngestResult } from '../server/index.js';
import {
  createDemoSource,
  createFolderSource,
  openCheckpointStore,
  type LiveSource,
} from '../sources/live/index.js';
import { createS3Source } from '../sources/live/s3-source.js';
import { findingsFromEvent } from '../sources/findings/index.js';
import { parseFlowLogFormat } from '../sources/vpcflow/fields.js';
import { createPipeline } from './pipeline.js';
import { registerDeliveriesApi } from './api.js';
import { createPipelineStats } from './stats.js';
import { openEventStore } from '../store/events.js';
import { createSuppressionMatcher } from '../findings/suppress.js';
import { registerAuth } from '../auth/index.js';
import { registerOpenApiDocument, registerOpenApiPlugin } from '../api/openapi.js';
import { registerFindingsApi } from '../api/findings.js';
import { registerOverviewApi } from '../api/overview.js';
import { registerSuppressionsApi } from '../api/suppressions.js';
import { registerActivityApi } from '../api/activity.js';
import { registerEventsApi } from '../api/events.js';
import { registerHealthApi } from '../api/health.js';
import { registerResponsesApi } from '../api/responses.js';
import { createEventHub, registerStreamApi } from '../api/stream.js';
import { registerWeb } from '../web/index.js';
import { openAlertState } from './alert-state.js';
import { openDetectionState } from './detection-state.js';
import { combineEngineStates } from '../detect/stateful/engine-state.js';
import { createBaselineDetector } from '../baseline/index.js';
import { parseDuration } from '../detect/duration.js';

export interface ServeDeps {
  env: NodeJS.ProcessEnv;
  fetch: typeof globalThis.fetch;
  /** Problems and alerts of the log channel, one line each. */
  log(line: string): void;
  /** AWS clients for response actions (tests: SDK clients under aws-sdk-client-mock); default: real ones. */
  respondClients?: ClientFactory;
}

export interface RunningServe {
  url: string;
  /** The HTTP app (health, metrics, ingest, API, UI), for embedding and for checks over its routes. */
  app: FastifyInstance;
  stop(): Promise<void>;
}

const CLOUDTRAIL_DETAIL_TYPES = new Set([
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
  'AWS Service Event via CloudTrail',
]);

/** The region in an AWS queue URL (`https://sqs.eu-west-1.amazonaws.com/…`), if it names one. */
export function queueRegion(url: string): string | undefined {
  try {
    return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * `vigil serve`: sources → detection → findings (SQLite) → router → outbox → channels, and the HTTP
 * server (health, metrics, ingest). Files next to the findings database hold the outbox and the source
 * checkpoints. Returns once everything is listening.
 */
export async function startServe(config: VigilConfig, deps: ServeDeps): Promise<RunningServe> {
  const dbFile = config.store.sqlite;
  mkdirSync(dirname(dbFile), { recursive: true });
  const base = dbFile.replace(/\.db$/, '');
  const store = openFindingStore(dbFile);
  const checkpointsDb = new Database(`${base}-state.db`);
  checkpointsDb.pragma('journal_mode = WAL');
  const checkpoints = openCheckpointStore(checkpointsDb);
  const outboxDb = openOutboxDatabase(`${base}-outbox.db`);

  const problem = (p: InputProblem) =>
    deps.log(
      `vigil: ${p.file}${p.record !== undefined ? ` record ${p.record}` : ''}: ${p.code}: ${p.message}`,
    );
  const context = buildContext({
    ruleDirs: [...config.detections.rules],
    builtin: config.detections.builtin,
    experimental: config.detections.experimental,
    threatIntel: [...config.detections.threatIntel],
    awsIpRanges: config.detections.awsIpRanges,
    torExits: config.detections.torExits,
    geo: config.geo.enabled && { countryDb: config.geo.countryDb, asnDb: config.geo.asnDb },
  });
  for (const p of context.ruleProblems) deps.log(`vigil: rule not loaded: ${p.file}: ${p.reason}`);
  for (const p of context.intelProblems) problem(p);
  // Threat and trusted lists reload on change; the engine's lookups read the current version.
  const intelWatcher = context.intel
    ? watchIntel(context.intel, {
        onProblem: problem,
        onReload: (l) => deps.log(`vigil: reloaded ${l.kind} list ${l.name}: ${l.entries} entries`),
      })
    : undefined;

  const secrets = createSecretResolver({ env: deps.env, readFile: (p) => readFile(p, 'utf8') });
  const channels = new Map<string, Channel>();
  for (const c of config.channels) {
    channels.set(
      c.id,
      await createChannel(c, { fetch: deps.fetch, resolveSecret: secrets, write: deps.log }),
    );
  }
  // Automated response (src/respond): its runs in -responses.db, every decision in the hash-chained
  // -audit.db. Playbooks with their own trigger pattern are routes of the one router.
  const auditLog = openAuditLog(auditLogFile(dbFile));
  const respond = createResponseSystem(config.respond, `${base}-responses.db`, {
    routeNames: new Set(config.routes.map((r) => r.name)),
    audit: auditLog,
    enqueue: (alert, channelIds) => outbox.enqueue(alert, channelIds),
    resolveSecret: secrets,
    fetch: deps.fetch,
    ...(deps.respondClients ? { clients: deps.respondClients } : {}),
    log: deps.log,
    onChange: (run) =>
      hub.publish('response', {
        id: run.id,
        playbook: run.playbook,
        status: run.status,
        findingId: run.findingId,
      }),
  });
  const router = createRouter([
    ...config.routes.map((r) => ({ name: r.name, pattern: r.pattern as string | object })),
    ...respond.routeSpecs,
  ]);
  const targets = new Map(config.routes.map((r) => [r.name, [...r.targets]] as const));

  // Channels with `digest` hold alerts of those severities and send them as one message per window.
  const digests: Record<string, DigestOptions> = {};
  for (const c of config.channels) {
    if (c.digest)
      digests[c.id] = { everyMs: parseDuration(c.digest.every)!, severities: c.digest.severities };
  }

  const registry = new Registry();
  const metrics = createMetrics(registry);
  const stats = createPipelineStats();
  const hub = createEventHub();
  const outbox = createOutbox(outboxDb, {
    channels,
    // This process alone uses its outbox file: what a killed run left in flight is resent at once.
    soleOwner: true,
    digests,
    onError: (err) => deps.log(`vigil: outbox: ${(err as Error).message}`),
    onOutcome: (channel, outcome, alert) => {
      metrics.deliveries.inc({ channel, outcome });
      const endToEnd =
        outcome === 'delivered' && alert?.receivedAt !== undefined
          ? Date.now() - alert.receivedAt
          : undefined;
      if (endToEnd !== undefined) metrics.endToEndSeconds.observe(endToEnd / 1000);
      if (outcome === 'delivered' || outcome === 'retry' || outcome === 'dead')
        stats.delivery(channel, outcome, endToEnd);
      hub.publish('delivery', { channel, outcome, findingId: alert?.finding.id });
    },
  });

  // The dashboard's side of the pipeline: every event kept for the activity pages, live updates.
  const events = config.store.events.enabled
    ? openEventStore(`${base}-events.db`, {
        retentionDays: config.store.events.retentionDays,
        maxEvents: config.store.events.maxEvents,
        // Small pruning transactions (~75 ms each): ingest is never held up for long.
        pruneBatch: 500,
      })
    : undefined;
  const suppressions = createSuppressionMatcher(store);

  const baselineConfig = config.detections.baselines;
  const baselines = baselineConfig.enabled
    ? createBaselineDetector({
        learningDays: baselineConfig.learningDays,
        minEvents: baselineConfig.minEvents,
        sensitivity: baselineConfig.sensitivity,
        ...(context.geo ? { geo: context.geo } : {}),
        track: true,
      })
    : undefined;
  const sequenceConfig = config.detections.sequences;
  const pipeline = createPipeline({
    sequences: sequenceConfig.enabled
      ? { windowMs: parseDuration(sequenceConfig.window)!, minTactics: sequenceConfig.minTactics }
      : false,
    detections: context.detections,
    ...(baselines ? { baselines } : {}),
    getField: context.getField,
    ...(context.actorGeo ? { actorGeo: context.actorGeo } : {}),
    store,
    router,
    targets,
    outbox,
    alerts: openAlertState(checkpointsDb),
    trackState: true,
    respond: (finding, event, routes) => {
      const ids = respond.playbooksFor(routes);
      if (ids.length) respond.responder.submit(finding, event, ids);
    },
    realertWindowMs: parseDuration(config.alerting.realertWindow) ?? 86_400_000,
    onProblem: problem,
    onDetectionError: (e) => {
      stats.detectionError(e.detectionId);
      deps.log(`vigil: detection ${e.detectionId} failed on event ${e.eventId ?? '-'}: ${e.message}`);
    },
    ...(events ? { events } : {}),
    suppressions,
    onFinding: (finding, alerted) =>
      hub.publish('finding', {
        id: finding.id,
        type: finding.type,
        severityLabel: finding.severityLabel,
        status: finding.status,
        lastSeen: finding.lastSeen,
        alerted,
      }),
    ...(config.server.publicUrl ? { publicUrl: config.server.publicUrl } : {}),
    metrics: {
      finding: (label) => metrics.findings.inc({ severity: label }),
      routed: (route) => metrics.routedEvents.inc({ route }),
    },
  });

  // Posture snapshots: failing checks are findings of the same store and router (src/posture/service.ts).
  const posture = createPostureService({
    snapshots: config.posture.snapshots,
    ...(config.posture.evidence ? { evidenceFile: config.posture.evidence } : {}),
    checks: ALL_CHECKS,
    findings: (findings) => pipeline.findings(findings),
    resolve: (id) => {
      if (store.setStatus(id, 'RESOLVED')) {
        const f = store.get(id);
        if (f) pipeline.resolved(f);
      }
    },
    reopen: (id) => void store.setStatus(id, 'NEW'),
    open: () =>
      store
        .list({ limit: 100_000 })
        .filter((f) => f.detector.startsWith(POSTURE_DETECTOR_PREFIX) && f.status !== 'SUPPRESSED'),
    log: deps.log,
  });

  // Stateful detections and baselines resume where the committed checkpoints left them (saved with each
  // commit below).
  const detectionState = openDetectionState(
    checkpointsDb,
    baselines ? combineEngineStates(pipeline.engine.state, baselines.state) : pipeline.engine.state,
  );
  detectionState.restore();

  const sources: LiveSource[] = [];
  const awsClients: { destroy(): void }[] = [];
  const sourceDeps = (id: string) => ({
    checkpoints,
    onProblem: problem,
    onRecords: (batch: {
      records: { record: Record<string, unknown>; file: string; index: number }[];
      commit(): void;
    }) => {
      try {
        const end = metrics.detectionSeconds.startTimer();
        const accepted = pipeline.records(batch.records);
        stats.detectionTime(end() * 1000);
        metrics.recordsIngested.inc({ source: id }, accepted);
        stats.ingested(id, accepted);
        // The detection state this batch changed commits with its checkpoint, or neither does.
        checkpoints.transaction(() => {
          batch.commit();
          detectionState.save();
        });
      } catch (err) {
        // The batch will be read again: the state goes back to what the committed checkpoints saw.
        detectionState.restore();
        throw err;
      }
    },
  });
  for (const s of config.sources) {
    if (s.kind === 'folder')
      sources.push(
        createFolderSource({ id: s.id, path: s.path, pollMs: s.pollSeconds * 1000 }, sourceDeps(s.id)),
      );
    else if (s.kind === 'demo')
      sources.push(createDemoSource({ id: s.id, speed: s.speed, loop: s.loop }, sourceDeps(s.id)));
    else if (s.kind === 's3') {
      // Credentials from the SDK's default chain (environment, profile, SSO, container or instance role).
      // S3-compatible servers (a custom endpoint) may predate the flexible checksums the SDK now sends.
      const s3 = new S3Client({
        region: s.region,
        ...(s.endpoint
          ? {
              endpoint: s.endpoint,
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            }
          : {}),
        forcePathStyle: s.forcePathStyle,
      });
      awsClients.push(s3);
      const sqs = s.sqsQueueUrl
        ? new SQSClient({
            region: s.sqsRegion ?? queueRegion(s.sqsQueueUrl) ?? s.region,
            ...(s.sqsEndpoint ? { endpoint: s.sqsEndpoint } : {}),
          })
        : undefined;
      if (sqs) awsClients.push(sqs);
      sources.push(
        createS3Source(
          {
            id: s.id,
            bucket: s.bucket,
            prefix: s.prefix,
            pollMs: s.pollSeconds * 1000,
            ...(s.sqsQueueUrl ? { sqsQueueUrl: s.sqsQueueUrl } : {}),
          },
          { ...sourceDeps(s.id), s3, ...(sqs ? { sqs } : {}) },
        ),
      );
    }
  }

  // HTTP ingest: EventBridge events (CloudTrail records in `detail`, or GuardDuty / Security Hub findings),
  // raw CloudTrail records, Firehose records. Each bad item is rejected by index; the rest go through.
  const ingest = (batch: IngestBatch): IngestResult => {
    try {
      const result = ingestItems(batch);
      detectionState.save(); // before the response: what was acknowledged survives a crash
      return result;
    } catch (err) {
      detectionState.restore(); // the request failed and will be sent again
      throw err;
    }
  };
  const ingestItems = (batch: IngestBatch): IngestResult => {
    const rejected: { index: number; error: string }[] = [];
    let accepted = 0;
    const file = `http:${batch.kind}`;
    batch.items.forEach((item, index) => {
      // A log line the server parsed (flow log, Resolver query log, S3 access log) goes straight in.
      const format = batch.formats?.[index];
      if (format !== undefined) {
        accepted += pipeline.records([{ record: item, file, index, format }], (p) =>
          rejected.push({ index, error: p.message }),
        );
        return;
      }
      try {
        const aws = batch.kind === 'cloudtrail' ? undefined : findingsFromEvent(item);
        if (aws) {
          pipeline.findings(aws);
          accepted++;
          return;
        }
      } catch (err) {
        rejected.push({ index, error: (err as Error).message });
        return;
      }
      let record: unknown = item;
      const detailType = (item as Record<string, unknown>)['detail-type'];
      if (batch.kind !== 'cloudtrail' && typeof detailType === 'string') {
        if (!CLOUDTRAIL_DETAIL_TYPES.has(detailType)) {
          rejected.push({ index, error: `unsupported detail-type "${detailType}"` });
          return;
        }
        record = (item as Record<string, unknown>).detail;
      }
      const n = pipeline.records([{ record, file, index }], (p) =>
        rejected.push({ index, error: p.message }),
      );
      accepted += n;
    });
    metrics.recordsIngested.inc({ source: file }, accepted);
    stats.ingested(file, accepted);
    return { accepted, rejected };
  };

  // Source lag for /metrics: refreshed from each source's own stats every few seconds and on /healthz.
  const updateLag = () => {
    for (const s of sources) {
      const lag = s.stats().lagMs;
      if (lag === undefined) continue;
      metrics.sourceLag.set({ source: s.id }, lag / 1000);
      stats.lag(s.id, lag);
    }
  };

  const token = config.server.ingestToken ? resolveSecret(config.server.ingestToken, deps.env) : undefined;
  const flowFormat = config.server.ingest.flowLogFormat;
  const flowParsed = flowFormat === undefined ? undefined : parseFlowLogFormat(flowFormat);
  const flowLogFields = flowParsed && 'fields' in flowParsed ? flowParsed.fields : undefined;
  const server = createServer({
    ingest,
    metrics: registry,
    ...(token ? { ingestToken: token } : {}),
    maxBodyBytes: config.server.maxBodyBytes,
    ...(flowLogFields ? { flowLogFields } : {}),
    health: () => {
      updateLag();
      return { ok: true, details: { sources: sources.map((s) => ({ id: s.id, ...s.stats() })) } };
    },
    serveMetrics: metrics,
  });
  // The dashboard API: access control first (its hook covers every /api route registered after it), the
  // OpenAPI plugin before the routes it documents, then the modules, then the UI.
  const authDb = new Database(`${base}-auth.db`);
  authDb.pragma('journal_mode = WAL');
  authDb.pragma('busy_timeout = 5000');
  await registerOpenApiPlugin(server.app);
  const access = registerAuth(server.app, {
    db: authDb,
    auditChain: auditLog,
    env: deps.env,
    log: deps.log,
    ...config.server.auth,
  });
  registerOpenApiDocument(server.app, { access });
  registerFindingsApi(server.app, {
    access,
    store,
    onResolved: (finding) => void pipeline.resolved(finding),
  });
  registerOverviewApi(server.app, { access, store });
  registerSuppressionsApi(server.app, { access, store });
  registerDeliveriesApi(server.app, { access, outbox });
  if (events) {
    registerActivityApi(server.app, { access, events });
    registerEventsApi(server.app, { access, events });
  }
  registerHealthApi(server.app, { access, stats });
  registerResponsesApi(server.app, { access, source: respond.stats });
  registerRespondApi(server.app, {
    access,
    responder: respond.responder,
    store: respond.store,
    playbooks: respond.playbooks,
    findings: store,
  });
  registerPostureApi(server.app, {
    access,
    posture,
    evidenceConfigured: config.posture.evidence !== undefined,
  });
  registerStreamApi(server.app, { access, hub });
  if (config.server.dashboard) await registerWeb(server.app);

  const url = await server.listen(config.server.host, config.server.port);
  outbox.start();
  respond.responder.start();
  await posture.refresh();
  const postureTimer = setInterval(() => void posture.refresh(), config.posture.pollSeconds * 1000);
  postureTimer.unref();
  for (const s of sources) s.start();
  const lagTimer = setInterval(() => {
    updateLag();
    if (hub.connections()) hub.publish('stats', stats.snapshot().now);
  }, 5000);
  lagTimer.unref();
  // Old events leave in small batches, so pruning never holds ingest up for long.
  const pruneTimer = events ? setInterval(() => events.prune({ maxBatches: 40 }), 60_000) : undefined;
  pruneTimer?.unref();

  return {
    url,
    app: server.app,
    async stop() {
      clearInterval(lagTimer);
      clearInterval(postureTimer);
      if (pruneTimer) clearInterval(pruneTimer);
      intelWatcher?.close();
      for (const s of sources) await s.stop();
      for (const c of awsClients) c.destroy();
      await server.close();
      await respond.responder.stop();
      await outbox.stop();
      outboxDb.close();
      respond.close();
      auditLog.close();
      checkpointsDb.close();
      authDb.close();
      events?.close();
      store.close();
    },
  };
}
