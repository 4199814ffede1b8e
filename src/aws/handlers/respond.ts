import { createHash } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { canonicalJson } from '../../audit/canonical-json.js';
import type { Finding } from '../../core/finding.js';
import type { ChannelDeps } from '../../notify/index.js';
import type { ResolveSecret } from '../../notify/secrets.js';
import { createClientFactory } from '../../respond/clients.js';
import { createActionContext, isRetryableAwsError } from '../../respond/context.js';
import { compilePlaybooks, resolveStep, type Playbook } from '../../respond/playbook.js';
import { actionRegistry } from '../../respond/registry.js';
import { createSafety, type Safety } from '../../respond/safety.js';
import {
  ActionError,
  type ActionEffects,
  type ActionOutcome,
  type ActionTarget,
  type AnyAction,
  type AwsCallRecord,
  type ClientFactory,
} from '../../respond/types.js';
import { compilePattern, findingEvent, type CompiledPattern, type RoutedEvent } from '../../router/index.js';
import { alertFromEvent } from '../alert.js';
import { parseEventBridgeBody, PoisonRecordError, processBatch } from '../batch.js';
import { channelsOf, DELIVERY_TTL_MS, deliveryPk } from '../channels.js';
import { awsParameterSource, configLoader, type AwsConfig, type LoadedAwsConfig } from '../config.js';
import { defaultTable } from '../env.js';
import { errorMessage, jsonLogger, type Logger } from '../log.js';
import { emfFields } from '../metrics.js';
import { ConditionFailedError, SK, ttlAfter, type Item, type Table } from '../table.js';
import { postToWebhook, runGuarded } from '../../respond/run-action.js';
import { ALERT_DETAIL_TYPE, VIGIL_SOURCE, type SQSBatchResponse, type SQSEvent } from '../types.js';

export interface RespondDeps {
  table: Table;
  config: () => Promise<LoadedAwsConfig>;
  /** SDK clients per account and region (default: own credentials, AssumeRole for respond.accounts). */
  clients?: ClientFactory;
  actions?: ReadonlyMap<string, AnyAction>;
  /** The deployment's DRY_RUN: every run is a dry run, whatever its playbook says. */
  dryRun?: boolean;
  /** Vigil's own roles (the deployment's VIGIL_OWN_ROLES): never a playbook's target. */
  ownRoles?: readonly string[];
  log?: Logger;
  now?: () => number;
  /** fetch, SNS client factory… for `notify` steps' channels and `webhook` steps (secrets come from the config). */
  channelDeps?: Partial<Omit<ChannelDeps, 'resolveSecret'>>;
  /** Waits between AWS retries inside a step (tests: instant). */
  sleep?: (ms: number) => Promise<void>;
}

export type StepStatus =
  | 'planned'
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'blocked'
  | 'awaiting-approval'
  | 'cancelled';

export type RunStatus =
  'planned' | 'queued' | 'succeeded' | 'failed' | 'blocked' | 'awaiting-approval' | 'rate-limited';

/** One step of a run as the run item records it: the plan, then what happened. */
export interface StepRecord {
  idx: number;
  /** The action id (as `vigil serve` names it: a hash of run and step index). */
  id: string;
  step: string;
  action: string;
  params: Record<string, unknown> | null;
  target: ActionTarget | null;
  /** One sentence: what it does (or why it cannot). */
  plan: string;
  status: StepStatus;
  approvalRequired: boolean;
  timeoutMs: number;
  onError: 'stop' | 'continue';
  /** Times the step was started (a crash or a retryable error leaves it to the next delivery). */
  attempts: number;
  /** Decided when planning (its `when` did not match, a safety refusal, unresolvable parameters). */
  verdict?: { status: 'skipped' | 'blocked' | 'failed'; error?: string; errorKind?: string };
  error?: string;
  errorKind?: string;
  outcome?: ActionOutcome;
  calls?: AwsCallRecord[];
  startedAt?: number;
  finishedAt?: number;
}

/** `run#<runId>`: one per (playbook, finding), written before anything runs and after every step. */
export interface RunItem extends Item {
  runId: string;
  playbook: string;
  findingId: string;
  alertId: string;
  finding: Finding;
  mode: 'dry-run' | 'live';
  status: RunStatus;
  message?: string;
  steps: StepRecord[];
  ver: number;
  /** Hash of the run's last audit item ({@link GENESIS_HASH} before the first). */
  auditHash: string;
  createdAt: number;
  updatedAt: number;
}

/** `audit#<runId>` / sk = the step index (zero-padded): one per decided step, hash-chained in step order. */
export interface AuditItem extends Item {
  runId: string;
  seq: number;
  ts: string;
  kind: string;
  actor: string;
  subject: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** `prevHash` of a run's first audit item. */
export const GENESIS_HASH = '0'.repeat(64);
/** A step is started at most this often; then it is recorded failed and the alert acknowledged. */
export const MAX_STEP_ATTEMPTS = 3;
/** A step `running` for less than its timeout plus this is another invocation's: not started again. */
const LEASE_MARGIN_MS = 30_000;
/** Run statuses after which a delivery of the same alert does nothing. */
const FINAL_RUN: ReadonlySet<RunStatus> = new Set([
  'planned',
  'succeeded',
  'failed',
  'blocked',
  'awaiting-approval',
  'rate-limited',
]);
/** Network failures the SDK reports without an HTTP status: worth another delivery. */
const TRANSIENT_NETWORK = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/** How long a `notify` step's channel may take (the step's own timeout also applies). */
const NOTIFY_TIMEOUT_MS = 15_000;

/** A channel that did not take a `notify` step's message: retryable when the channel says so. */
class EffectFailure extends ActionError {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super('aws', message);
  }
}

const hash = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20);
/** The run id `vigil serve` gives the same playbook and finding. */
export const runIdOf = (playbookId: string, findingId: string) => `run-${hash(playbookId, findingId)}`;
export const runPk = (runId: string) => `run#${runId}`;
export const auditPk = (runId: string) => `audit#${runId}`;
export const auditSk = (idx: number) => String(idx).padStart(3, '0');
const ratePk = (playbookId: string, window: number) => `rate#${playbookId}#${window}`;
/** JSON values only: optional parts left undefined are dropped (DynamoDB and canonical JSON refuse them). */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The SHA-256 of an audit item: canonical JSON of every field but the hash (src/audit's rule). */
export function auditHash(
  e: Pick<AuditItem, 'runId' | 'seq' | 'ts' | 'kind' | 'actor' | 'subject' | 'data' | 'prevHash'>,
): string {
  const text = canonicalJson({
    run: e.runId,
    seq: e.seq,
    ts: e.ts,
    kind: e.kind,
    actor: e.actor,
    subject: e.subject,
    data: e.data,
    prev_hash: e.prevHash,
  });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

interface Wired {
  playbooks: { playbook: Playbook; trigger: CompiledPattern }[];
  safety: Safety;
  clients: ClientFactory;
  effects: ActionEffects;
  /** respond.enabled: false is the kill switch. */
  enabled: boolean;
  dryRun: boolean;
}

/** Resolves, validates and safety-checks each step for this finding: what a dry run shows, a live run follows. */
function plan(runId: string, playbook: Playbook, finding: Finding, event: RoutedEvent, safety: Safety) {
  const scope = { finding, event };
  return playbook.steps.map((step, idx): StepRecord => {
    const base = {
      idx,
      id: `act-${hash(runId, String(idx))}`,
      step: step.id,
      action: step.action.name,
      timeoutMs: step.timeoutMs,
      onError: step.onError,
      attempts: 0,
      status: 'pending' as const,
    };
    if (step.when && !step.when.matches(event))
      return {
        ...base,
        params: null,
        target: null,
        plan: "Skipped: the finding does not match the step's `when`.",
        approvalRequired: false,
        verdict: { status: 'skipped' },
      };
    let params: Record<string, unknown>;
    let target: ActionTarget;
    try {
      ({ params, target } = resolveStep(step, scope));
    } catch (err) {
      const message = errorMessage(err);
      return {
        ...base,
        params: null,
        target: null,
        plan: `Cannot run: ${message}`,
        approvalRequired: false,
        verdict: { status: 'failed', error: message, errorKind: 'invalid' },
      };
    }
    const needsApproval = step.approval === 'required';
    const sentence = step.action.describe(params, target);
    const refused = safety.refuse(step.action, params, target);
    return {
      ...base,
      params,
      target,
      plan: refused
        ? `${sentence} Refused: ${refused}.`
        : needsApproval
          ? `${sentence} (needs approval)`
          : sentence,
      approvalRequired: needsApproval,
      ...(refused ? { verdict: { status: 'blocked' as const, error: refused, errorKind: 'refused' } } : {}),
    };
  });
}

/** What running one step came to. */
type Finished = Pick<StepRecord, 'status' | 'error' | 'errorKind' | 'outcome' | 'calls'> & {
  retryable?: boolean;
};

/**
 * Response playbooks in Lambda. Each "Vigil Alert" is matched against the playbooks' triggers (a route's
 * pattern, or the playbook's own); each match is one run per (playbook, finding) — the id `vigil serve`
 * gives it — recorded in DynamoDB (`run#<id>`, a conditional put) with its plan before anything runs, so a
 * repeated alert adds nothing and a redelivered one resumes the run where it stopped:
 *
 * - a dry run (the default: playbooks say `dryRun: false` to act, and the deployment's DRY_RUN or
 *   `respond.dryRun` overrides them) records the plan and calls nothing in AWS;
 * - a live run works its steps in order. Each step is marked `running` (a conditional write on the run's
 *   version) before its AWS calls and recorded finished after them, in one transaction with its audit
 *   item, so a crash repeats at most the step in flight — and actions read AWS's state first, so that
 *   repeat changes nothing twice. A step another invocation started less than its timeout ago is left
 *   to it (the record is retried later);
 * - the kill switch (`respond.enabled: false`) blocks every live step; the rate limit counts runs per
 *   playbook in `rate#<playbook>#<window>` items (idempotent per run id, checked over a sliding window
 *   of the current and previous items), before the first step that would act;
 * - a step needing an approval is not run here: nobody can approve in Lambda. The run stops as
 *   `awaiting-approval` (logged at warn, counted in the metric); approvals need self-hosted Vigil
 *   (`vigil serve`, or `vigil respond run … --approve` against the finding), or the step says
 *   `approval: auto`;
 * - `notify` steps send through the configured channel at once (no outbox, no digest), and `webhook`
 *   steps POST to respond.webhooks; a delivery that fails in a way a retry can help fails the record.
 *
 * Every decided step is an audit item (`audit#<runId>`, sk = step index) hash-chained to the run's
 * previous one, and one JSON log line that is also an EMF metric (Vigil / ResponseActions by Outcome).
 * A step that fails in a way a retry can help (throttling, 5xx, timeouts, network) fails the SQS record,
 * up to {@link MAX_STEP_ATTEMPTS} starts; any other failure is recorded and the record acknowledged.
 */
export function createRespondHandler(deps: RespondDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const log = deps.log ?? jsonLogger();
  const now = deps.now ?? Date.now;
  const actions = deps.actions ?? actionRegistry();
  const table = deps.table;
  let wired: Promise<Wired> | undefined;

  async function wire(): Promise<Wired> {
    const { config, resolveSecret } = await deps.config();
    const r = config.respond;
    const routes = new Map(config.routes.map((route) => [route.name, route.pattern]));
    const problems: string[] = [];
    if (r.playbookFiles.length)
      problems.push(
        'respond.playbookFiles: there are no files in Lambda; put the playbooks in respond.playbooks',
      );
    const compiled = compilePlaybooks(
      { playbooks: r.playbooks, playbookFiles: [] },
      actions,
      new Set(routes.keys()),
    );
    problems.push(...compiled.problems);
    if (problems.length) throw new Error(`invalid respond configuration: ${problems.join('; ')}`);
    return {
      playbooks: compiled.playbooks.map((playbook) => ({
        playbook,
        trigger: compilePattern(
          ('route' in playbook.trigger ? routes.get(playbook.trigger.route)! : playbook.trigger.pattern) as
            string | object,
        ),
      })),
      safety: createSafety({
        ...r.safety,
        homeAccountId: r.homeAccountId,
        accounts: Object.keys(r.accounts),
        ownRoles: [...Object.values(r.accounts).map((a) => a.roleArn), ...(deps.ownRoles ?? [])],
      }),
      clients:
        deps.clients ??
        createClientFactory({
          ...(r.homeAccountId ? { homeAccountId: r.homeAccountId } : {}),
          accounts: r.accounts,
          now,
        }),
      effects: effectsOf(config, resolveSecret),
      enabled: r.enabled,
      dryRun: deps.dryRun === true || r.dryRun,
    };
  }

  /**
   * What `notify` and `webhook` steps reach: the configured channels, built as the notify function builds
   * them and sent to at once (there is no outbox here), and the webhooks of respond.webhooks. A channel
   * that takes a step's message is remembered under the step's event id (`response-<actionId>`), as the
   * notify function remembers alerts, so a step repeated after a crash does not send it twice.
   */
  function effectsOf(config: AwsConfig, resolveSecret: ResolveSecret): ActionEffects {
    const channel = channelsOf({ channels: config.channels, resolveSecret, channelDeps: deps.channelDeps });
    const hooks = new Map(config.respond.webhooks.map((h) => [h.name, h]));
    const doFetch = deps.channelDeps?.fetch ?? globalThis.fetch;
    return {
      async notify(channelId, message, about) {
        const base = about.finding ?? ({} as Finding);
        const finding = { ...base, title: message.subject, description: message.text } as Finding;
        const event = { ...findingEvent(finding), id: `response-${about.actionId}` };
        const pk = deliveryPk(event.id, channelId);
        if (await table.get(pk)) return { id: `${event.id} (already sent)` };
        const result = await (
          await channel(channelId)
        ).send(
          { finding, event, reason: 'new', receivedAt: now() },
          { signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS) },
        );
        if (!result.ok)
          throw new EffectFailure(
            `channel ${channelId} did not take the message: ${result.error}`,
            result.retryable,
          );
        await table.put({ pk, sk: SK, at: now(), ttl: ttlAfter(now(), DELIVERY_TTL_MS) });
        return { id: result.providerId ?? event.id };
      },
      async webhook(name, body) {
        const hook = hooks.get(name);
        if (!hook) throw new ActionError('invalid', `no webhook named ${name} in respond.webhooks`);
        return postToWebhook(hook, body, resolveSecret, doFetch);
      },
    };
  }

  /** Logs a decided step: one JSON line that is also the ResponseActions metric, by Outcome. */
  function report(run: RunItem, s: StepRecord, outcome: string, extra: Record<string, unknown> = {}) {
    const level =
      outcome === 'failed' || outcome === 'blocked'
        ? 'error'
        : outcome === 'awaiting-approval'
          ? 'warn'
          : 'info';
    log(level, 'response action', {
      ...emfFields('ResponseActions', { Outcome: outcome }, 1, now()),
      runId: run.runId,
      playbook: run.playbook,
      findingId: run.findingId,
      mode: run.mode,
      step: s.step,
      action: s.action,
      actionId: s.id,
      target: s.target,
      plan: s.plan,
      ...(s.outcome ? { summary: s.outcome.summary } : {}),
      ...(s.error ? { error: s.error, errorKind: s.errorKind } : {}),
      ...extra,
    });
  }

  async function createRun(
    w: Wired,
    playbook: Playbook,
    finding: Finding,
    event: RoutedEvent,
  ): Promise<RunItem> {
    const runId = runIdOf(playbook.id, finding.id);
    const mode = w.dryRun || playbook.dryRun ? 'dry-run' : 'live';
    const steps = plan(runId, playbook, finding, event, w.safety);
    if (mode === 'dry-run')
      for (const s of steps) {
        s.status = s.verdict?.status ?? 'planned';
        if (s.verdict?.error) s.error = s.verdict.error;
        delete s.verdict;
      }
    const t = now();
    const run: RunItem = plain({
      pk: runPk(runId),
      sk: SK,
      runId,
      playbook: playbook.id,
      findingId: finding.id,
      alertId: event.id,
      finding,
      mode,
      status: mode === 'dry-run' ? 'planned' : 'queued',
      steps,
      ver: 1,
      auditHash: GENESIS_HASH,
      createdAt: t,
      updatedAt: t,
    });
    if (!(await table.putIf(run))) {
      // Another invocation recorded it first (the same alert delivered twice at once).
      return (await table.get(runPk(runId))) as RunItem;
    }
    if (mode === 'dry-run') for (const s of run.steps) report(run, s, 'dry-run');
    else log('info', 'response run recorded', { runId, playbook: playbook.id, findingId: finding.id });
    return run;
  }

  /** Writes the run at its next version; another writer's change in between fails the record (retried). */
  async function save(run: RunItem, changes: Partial<RunItem>): Promise<RunItem> {
    const next: RunItem = plain({ ...run, ...changes, ver: run.ver + 1, updatedAt: now() });
    if (!(await table.putIf(next, 'ver = :ver', { ':ver': run.ver })))
      throw new Error(`run ${run.runId} was changed by another invocation; SQS will deliver the alert again`);
    return next;
  }

  const withStep = (run: RunItem, idx: number, patch: Partial<StepRecord>) =>
    run.steps.map((s) => (s.idx === idx ? { ...s, ...patch } : s));

  /** Records a decided step and its audit item in one transaction: both or neither. */
  async function finishStep(
    run: RunItem,
    idx: number,
    done: Finished,
    kind = 'response.action',
  ): Promise<RunItem> {
    const { retryable: _r, ...result } = done;
    void _r;
    // What an earlier, retried attempt left (its error, its calls) gives way to this result.
    const { verdict: _v, error: _e, errorKind: _k, calls: _c, ...before } = run.steps[idx]!;
    void [_v, _e, _k, _c];
    const s: StepRecord = { ...before, ...result, finishedAt: now() };
    const ts = new Date(now()).toISOString();
    const data = plain({
      run: run.runId,
      playbook: run.playbook,
      finding: run.findingId,
      step: s.step,
      action: s.action,
      params: s.params,
      target: s.target,
      result: s.status,
      ...(s.outcome ? { outcome: s.outcome } : {}),
      ...(s.error ? { error: s.error, errorKind: s.errorKind } : {}),
      calls: s.calls ?? [],
    });
    const entry = {
      runId: run.runId,
      seq: idx,
      ts,
      kind,
      actor: 'vigil',
      subject: s.id,
      data,
      prevHash: run.auditHash,
    };
    const audit: AuditItem = { pk: auditPk(run.runId), sk: auditSk(idx), ...entry, hash: auditHash(entry) };
    const next: RunItem = plain({
      ...run,
      steps: withStep(run, idx, s),
      auditHash: audit.hash,
      ver: run.ver + 1,
      updatedAt: now(),
    });
    try {
      await table.transact([
        { put: next, condition: 'ver = :ver', values: { ':ver': run.ver } },
        { put: audit, condition: 'attribute_not_exists(pk)' },
      ]);
    } catch (err) {
      if (err instanceof ConditionFailedError)
        throw new Error(
          `run ${run.runId} was changed by another invocation; SQS will deliver the alert again`,
        );
      throw err;
    }
    const outcome =
      s.status === 'succeeded' && s.outcome?.status === 'unchanged'
        ? 'unchanged'
        : s.errorKind === 'rate-limited'
          ? 'rate-limited'
          : s.status;
    report(next, s, outcome, { auditHash: audit.hash, prevHash: audit.prevHash });
    return next;
  }

  /** Ends the run: steps not reached are cancelled (no audit: they never happened). */
  async function finishRun(run: RunItem, status: RunStatus, message?: string): Promise<void> {
    const steps = run.steps.map((s) =>
      s.status === 'pending' ? { ...s, status: 'cancelled' as const, error: `the run ended ${status}` } : s,
    );
    const done = await save(run, { status, steps, ...(message ? { message } : {}) });
    log(status === 'succeeded' ? 'info' : 'warn', 'response run finished', {
      runId: done.runId,
      playbook: done.playbook,
      findingId: done.findingId,
      status,
      ...(message ? { message } : {}),
    });
  }

  /**
   * Counts this run against its playbook's rate limit: at most `max` live runs within `per`, over the
   * items of the current and previous windows. Idempotent per run id (a resumed run is already counted);
   * the item is written conditionally on its version. Returns why the run may not act, or undefined.
   */
  async function admit(playbook: Playbook, runId: string): Promise<string | undefined> {
    const { max, perMs } = playbook.rateLimit;
    for (let attempt = 0; attempt < 5; attempt++) {
      const t = now();
      const window = Math.floor(t / perMs);
      const items = await table.getMany([ratePk(playbook.id, window), ratePk(playbook.id, window - 1)]);
      const current = items.get(ratePk(playbook.id, window));
      const runs = (current?.runs ?? []) as { run: string; at: number }[];
      const previous = (items.get(ratePk(playbook.id, window - 1))?.runs ?? []) as {
        run: string;
        at: number;
      }[];
      if (runs.some((r) => r.run === runId) || previous.some((r) => r.run === runId)) return undefined;
      const recent = runs.length + previous.filter((r) => r.at > t - perMs).length;
      if (recent >= max)
        return `rate limit: ${max} live runs of playbook ${playbook.id} per ${Math.round(perMs / 60_000)} min already made`;
      const item: Item = {
        pk: ratePk(playbook.id, window),
        sk: SK,
        playbook: playbook.id,
        runs: [...runs, { run: runId, at: t }],
        ver: typeof current?.ver === 'number' ? current.ver + 1 : 1,
        ttl: ttlAfter((window + 2) * perMs, 3_600_000),
      };
      const written = current
        ? await table.putIf(item, 'ver = :ver', { ':ver': current.ver })
        : await table.putIf(item);
      if (written) return undefined;
    }
    throw new Error(
      `the rate limit counter of playbook ${playbook.id} is contended; SQS will deliver the alert again`,
    );
  }

  /** Runs one step's action: the protected-tag check, then `run`, within the step's timeout. */
  async function execute(w: Wired, run: RunItem, s: StepRecord, definition: AnyAction): Promise<Finished> {
    const ctx = createActionContext({
      target: s.target!,
      clients: w.clients,
      actionId: s.id,
      finding: run.finding,
      effects: w.effects,
      now: () => new Date(now()),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    });
    try {
      const outcome = await runGuarded(definition, s.params, ctx, w.safety, s.timeoutMs);
      return { status: 'succeeded', outcome, calls: ctx.calls };
    } catch (err) {
      const e = err instanceof ActionError ? err : new ActionError('aws', errorMessage(err));
      const code = e.awsCode ?? '';
      const retryable =
        (e instanceof EffectFailure && e.retryable) ||
        e.kind === 'throttled' ||
        e.kind === 'timeout' ||
        TRANSIENT_NETWORK.has(code) ||
        (code !== '' && isRetryableAwsError({ code, message: e.message }));
      return {
        status: e.kind === 'refused' ? 'blocked' : 'failed',
        error: e.message,
        errorKind: e.kind,
        calls: ctx.calls,
        retryable,
      };
    }
  }

  /** Works a live run from its first undecided step; stops at a failure, a block or an approval. */
  async function work(w: Wired, playbook: Playbook, initial: RunItem): Promise<void> {
    let run = initial;
    let admitted = false;
    for (let i = 0; i < run.steps.length;) {
      const s = run.steps[i]!;
      switch (s.status) {
        case 'succeeded':
        case 'skipped':
          i++;
          continue;
        case 'failed':
          if (s.onError === 'continue') {
            i++;
            continue;
          }
          return finishRun(run, 'failed', `step ${s.step}: ${s.error ?? 'failed'}`);
        case 'blocked':
          return finishRun(run, 'blocked', `step ${s.step}: ${s.error ?? 'blocked'}`);
        case 'awaiting-approval':
          return finishRun(
            run,
            'awaiting-approval',
            `step ${s.step} needs an approval, which the AWS deployment cannot take: approve it in self-hosted Vigil (vigil serve, vigil respond) or make the step approval: auto`,
          );
        case 'cancelled':
          return finishRun(
            run,
            s.errorKind === 'rate-limited' ? 'rate-limited' : 'failed',
            `step ${s.step}: ${s.error ?? 'cancelled'}`,
          );
      }
      // pending, or running when an earlier invocation stopped
      if (s.verdict) {
        run = await finishStep(run, i, { ...s.verdict });
        continue;
      }
      if (!w.enabled) {
        run = await finishStep(run, i, {
          status: 'blocked',
          error: 'the response kill switch is on (respond.enabled: false): nothing runs live',
          errorKind: 'refused',
        });
        continue;
      }
      if (s.approvalRequired) {
        run = await finishStep(run, i, { status: 'awaiting-approval' }, 'response.approval-requested');
        continue;
      }
      if (!admitted) {
        const limited = await admit(playbook, run.runId);
        if (limited) {
          run = await finishStep(run, i, { status: 'cancelled', error: limited, errorKind: 'rate-limited' });
          continue;
        }
        admitted = true;
      }
      const definition = actions.get(s.action);
      if (!definition) {
        run = await finishStep(run, i, {
          status: 'failed',
          error: `action ${s.action} is not available`,
          errorKind: 'invalid',
        });
        continue;
      }
      if (s.status === 'running') {
        if ((s.startedAt ?? 0) + s.timeoutMs + LEASE_MARGIN_MS > now())
          throw new Error(
            `step ${s.step} of run ${run.runId} is running in another invocation; trying later`,
          );
        if (s.attempts >= MAX_STEP_ATTEMPTS) {
          run = await finishStep(run, i, {
            status: 'failed',
            error: `started ${s.attempts} times without a recorded result (timeouts or crashes); not tried again`,
            errorKind: 'timeout',
          });
          continue;
        }
      }
      run = await save(run, {
        steps: withStep(run, i, { status: 'running', attempts: s.attempts + 1, startedAt: now() }),
      });
      const result = await execute(w, run, run.steps[i]!, definition);
      if (result.retryable && run.steps[i]!.attempts < MAX_STEP_ATTEMPTS) {
        await save(run, {
          steps: withStep(run, i, {
            status: 'pending',
            error: result.error!,
            errorKind: result.errorKind!,
            calls: result.calls ?? [],
          }),
        });
        throw new Error(
          `step ${s.step} of run ${run.runId}: ${result.error} (SQS will deliver the alert again)`,
        );
      }
      run = await finishStep(run, i, result);
    }
    return finishRun(run, 'succeeded');
  }

  async function respond(
    w: Wired,
    playbook: Playbook,
    finding: Finding,
    event: RoutedEvent,
    messageId: string,
  ) {
    const runId = runIdOf(playbook.id, finding.id);
    const existing = (await table.get(runPk(runId))) as RunItem | undefined;
    const run = existing ?? (await createRun(w, playbook, finding, event));
    if (FINAL_RUN.has(run.status)) {
      if (existing)
        log('info', 'response run already recorded for this playbook and finding', {
          messageId,
          runId,
          playbook: playbook.id,
          findingId: finding.id,
          status: run.status,
        });
      return;
    }
    await work(w, playbook, run);
  }

  return (event) =>
    processBatch(
      event,
      async (record) => {
        const body = parseEventBridgeBody(record.body);
        if (body.source !== VIGIL_SOURCE || body['detail-type'] !== ALERT_DETAIL_TYPE)
          throw new PoisonRecordError(`not a Vigil Alert (${body.source} / ${body['detail-type']})`);
        const alert = alertFromEvent(body);
        if (alert.reason === 'resolved') return; // nothing to contain
        if (!wired) {
          wired = wire();
          wired.catch(() => (wired = undefined));
        }
        const w = await wired;
        const matched = w.playbooks.filter((p) => p.trigger.matches(alert.event));
        if (!matched.length) {
          log('info', 'alert matched no playbook', {
            messageId: record.messageId,
            findingId: alert.finding.id,
          });
          return;
        }
        // Every playbook gets its turn; the first retryable failure then fails the record, and the
        // redelivery skips the runs already finished.
        let failure: unknown;
        for (const { playbook } of matched) {
          try {
            await respond(w, playbook, alert.finding, alert.event, record.messageId);
          } catch (err) {
            failure ??= err;
            log('error', 'response run interrupted', {
              messageId: record.messageId,
              playbook: playbook.id,
              findingId: alert.finding.id,
              error: errorMessage(err),
            });
          }
        }
        if (failure) throw failure;
      },
      log,
    );
}

let cold: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  cold ??= createRespondHandler({
    table: defaultTable(),
    config: configLoader(awsParameterSource(new SSMClient({}), new SecretsManagerClient({}))),
    dryRun: process.env.DRY_RUN === 'true',
    ownRoles: (process.env.VIGIL_OWN_ROLES ?? '').split(',').filter(Boolean),
  });
  return cold(event);
};
