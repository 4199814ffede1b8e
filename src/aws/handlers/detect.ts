import { createEngine } from '../../detect/engine.js';
import type { Detection, DetectionError, FieldGetter, Hit } from '../../detect/types.js';
import { createAggregator, eventKey } from '../../findings/aggregate.js';
import { findingEvent } from '../../router/routed-event.js';
import { BadRecordError } from '../../sources/cloudtrail/normalize.js';
import { CLOUDTRAIL_DETAIL_TYPES } from '../../sources/cloudtrail/entries.js';
import { normalizeRecord } from '../../sources/normalize.js';
import { buildFieldGetter, loadDetections } from '../../scan/context.js';
import { parseEventBridgeBody, PoisonRecordError, processBatch } from '../batch.js';
import { defaultPublisher, defaultTable } from '../env.js';
import { jsonLogger, type Logger } from '../log.js';
import type { Publish } from '../publish.js';
import { createDetectionState } from '../state.js';
import type { Table } from '../table.js';
import { FINDING_DETAIL_TYPE, type SQSBatchResponse, type SQSEvent } from '../types.js';

export interface DetectDeps {
  detections: readonly Detection[];
  getField: FieldGetter;
  table: Table;
  publish: Publish;
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
 */
export function createDetectHandler(deps: DetectDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const log = deps.log ?? jsonLogger();
  const engine = createEngine(deps.detections, {
    getField: deps.getField,
    trackState: true,
    onError: (e: DetectionError) => log('warn', 'detection failed on an event', { ...e }),
  });
  const state = createDetectionState({ table: deps.table, engine, ...(deps.now ? { now: deps.now } : {}) });

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
        let loaded;
        if (local.signals.length) {
          try {
            loaded = await state.load(id, local.signals);
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

let cold: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

/** The Lambda entry: built-in stable detections, no geo database, clients from the environment. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  if (!cold) {
    const log = jsonLogger();
    const loaded = loadDetections({ builtin: true, ruleDirs: [], experimental: false });
    for (const p of loaded.ruleProblems) log('warn', 'detection not loaded', { ...p });
    const { getField } = buildFieldGetter({ threatIntel: [], geo: false });
    cold = createDetectHandler({
      detections: loaded.detections,
      getField,
      table: defaultTable(),
      publish: defaultPublisher(),
      log,
    });
  }
  return cold(event);
};
