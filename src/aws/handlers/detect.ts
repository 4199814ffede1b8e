import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createBaselineDetector, type BaselineOptions } from '../../baseline/index.js';
import { createEngine } from '../../detect/engine.js';
import type { Detection, DetectionError, FieldGetter, Hit } from '../../detect/types.js';
import { createAggregator, eventKey } from '../../findings/aggregate.js';
import { findingEvent } from '../../router/routed-event.js';
import { BadRecordError } from '../../sources/cloudtrail/normalize.js';
import { CLOUDTRAIL_DETAIL_TYPES } from '../../sources/cloudtrail/entries.js';
import { normalizeRecord } from '../../sources/normalize.js';
import { buildFieldGetter, loadDetections } from '../../scan/context.js';
import { parseEventBridgeBody, PoisonRecordError, processBatch } from '../batch.js';
import { awsConfigSchema, awsParameterSource, configLoader } from '../config.js';
import { defaultPublisher, defaultTable } from '../env.js';
import { jsonLogger, type Logger } from '../log.js';
import type { Publish } from '../publish.js';
import { createDetectionState, FIRST_SEEN_TTL_MS } from '../state.js';
import type { Table } from '../table.js';
import { FINDING_DETAIL_TYPE, type SQSBatchResponse, type SQSEvent } from '../types.js';

export interface DetectDeps {
  detections: readonly Detection[];
  getField: FieldGetter;
  table: Table;
  publish: Publish;
  /** Behavioural baselines (config `detections.baselines`); absent: none. */
  baselines?: BaselineOptions;
  log?: Logger;
  now?: () => number;
}

/**
 * Detection on CloudTrail events (EventBridge "AWS API Call via CloudTrail" and console sign-ins, one per
 * SQS message): the same normalizer and engine as `vigil scan` and `vigil serve`. Stateful detections keep
 * their state in DynamoDB (../state.ts). Each hit becomes a Finding (count 1, its own evidence) put on the
 * bus as "Vigil Finding"; triage merges repeats by finding id. Findings are published before the state is
 * committed: a failure in between repeats the record against the old state, which publishes the same
 * finding again (harmless: triage recognises its event ids) rather than losing it.
 *
 * Behavioural baselines run after the engine, as in `vigil serve`: the event's principal profile is read
 * with the detections' entries, its findings are published with theirs, and the updated profile is
 * written in the same transaction as the event marker (so a redelivery does not learn twice). Only that
 * one profile is in memory, so the population prior is this principal's own history: nothing is known of
 * how many other principals use a value, and a value new to the principal is judged on its own rarity.
 * Profiles live FIRST_SEEN_TTL_MS after the principal's last event (a forgotten one learns again).
 */
export function createDetectHandler(deps: DetectDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const log = deps.log ?? jsonLogger();
  const engine = createEngine(deps.detections, {
    getField: deps.getField,
    trackState: true,
    onError: (e: DetectionError) => log('warn', 'detection failed on an event', { ...e }),
  });
  const baselines = deps.baselines ? createBaselineDetector({ ...deps.baselines, track: true }) : undefined;
  const state = createDetectionState({
    table: deps.table,
    engine,
    ...(baselines ? { extra: [{ state: baselines.state, ttlMs: FIRST_SEEN_TTL_MS }] } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });

  return (event) =>
    processBatch(
      event,
      async (record) => {
        const body = parseEventBridgeBody(record.body);
        if (!CLOUDTRAIL_DETAIL_TYPES.has(body['detail-type']))
          throw new PoisonRecordError(`detail-type "${body['detail-type']}" is not a CloudTrail event`);
        let ev;
        try {
          ev = normalizeRecord(body.detail, 'cloudtrail', body.region ? { region: body.region } : {});
        } catch (err) {
          if (err instanceof BadRecordError) throw new PoisonRecordError(err.message);
          throw err;
        }
        const id = eventKey(ev);
        const local = engine.matchLocal(ev);
        const hits: Hit[] = [...local.hits];
        const profileKeys = baselines?.keysFor(ev) ?? [];
        let loaded;
        if (local.signals.length || profileKeys.length) {
          try {
            loaded = await state.load(id, local.signals, profileKeys);
          } catch (err) {
            engine.state.importAll([]); // forget what matchLocal noted as sent: the next event sends again
            throw err;
          }
          if (loaded.duplicate) {
            engine.state.takeChanges();
            log('info', 'event already applied to detection state; skipped', {
              messageId: record.messageId,
              eventId: id,
            });
            return;
          }
          for (const s of local.signals) hits.push(...engine.processSignal(s));
          if (baselines) hits.push(...baselines.process(ev));
        }
        if (hits.length) {
          const aggregator = createAggregator(deps.now ? { now: deps.now } : {});
          for (const h of hits) aggregator.add(h);
          const list = aggregator.findings();
          await deps.publish(
            list.map((f) => ({
              detailType: FINDING_DETAIL_TYPE,
              detail: f,
              resources: findingEvent(f).resources.filter((r) => r.startsWith('arn:')),
            })),
          );
          log('info', 'findings published', {
            messageId: record.messageId,
            eventId: id,
            findings: list.map((f) => ({ id: f.id, detector: f.detector, severity: f.severityLabel })),
          });
        }
        if (loaded) {
          try {
            const out = await state.commit(id, loaded);
            if (out.duplicate) log('info', 'event applied concurrently by another instance', { eventId: id });
          } catch (err) {
            engine.state.importAll([]);
            throw err;
          }
        }
      },
      log,
    );
}

let cold: Promise<(event: SQSEvent) => Promise<SQSBatchResponse>> | undefined;

/**
 * The Lambda entry: built-in stable detections, no geo database (so no country or ASN in the baselines),
 * baselines as the config document's `detections.baselines` says (its defaults without CONFIG_PARAMETER,
 * outside the stack), clients from the environment.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  if (!cold) {
    cold = (async () => {
      const log = jsonLogger();
      const { baselines } = process.env.CONFIG_PARAMETER
        ? (await configLoader(awsParameterSource(new SSMClient({}), new SecretsManagerClient({})))()).config
        : awsConfigSchema.parse({}).detections;
      const loaded = loadDetections({ builtin: true, ruleDirs: [], experimental: false });
      for (const p of loaded.ruleProblems) log('warn', 'detection not loaded', { ...p });
      const { getField } = buildFieldGetter({ threatIntel: [], geo: false });
      return createDetectHandler({
        detections: loaded.detections,
        getField,
        table: defaultTable(),
        publish: defaultPublisher(),
        ...(baselines.enabled
          ? {
              baselines: {
                learningDays: baselines.learningDays,
                minEvents: baselines.minEvents,
                sensitivity: baselines.sensitivity,
              },
            }
          : {}),
        log,
      });
    })();
    // A failed start (the config unreadable) is not kept: the next invocation tries again.
    cold.catch(() => (cold = undefined));
  }
  return (await cold)(event);
};
