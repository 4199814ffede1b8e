import { createHash, randomBytes } from 'node:crypto';
import type { Finding } from '../core/finding.js';
import { findingEvent, type RoutedEvent } from '../router/index.js';
import { createActionContext } from './context.js';
import { resolveStep, type Playbook } from './playbook.js';
import type { Safety } from './safety.js';
import { FINAL_RUN, type ActionRow, type ResponseStore, type RunRow } from './store.js';
import { runGuarded } from './run-action.js';
import {
  ActionError,
  type ActionEffects,
  type ActionTarget,
  type AnyAction,
  type ClientFactory,
} from './types.js';

/** Where every response decision and action is written (src/audit: append-only, hash-chained). */
export interface AuditSink {
  append(entry: { kind: string; actor: string; subject?: string; data: Record<string, unknown> }): unknown;
}

export interface ResponderOptions {
  store: ResponseStore;
  playbooks: readonly Playbook[];
  actions: ReadonlyMap<string, AnyAction>;
  clients: ClientFactory;
  safety: Safety;
  audit: AuditSink;
  effects?: ActionEffects;
  /** `respond.enabled` of the config: false is a kill switch nobody can lift at run time. */
  enabled?: boolean;
  approvalTimeoutMs?: number;
  now?: () => number;
  /** This process, as lease owner. */
  owner?: string;
  /** How long a claimed run is this process's before another may take it over (crash recovery). */
  leaseMs?: number;
  /** Waits between AWS retries (tests: instant). */
  sleep?: (ms: number) => Promise<void>;
  /** A run or action changed (for live updates). */
  onChange?: (run: RunRow) => void;
  log?: (line: string) => void;
}

export interface RunView extends RunRow {
  actions: ActionRow[];
}

export class ResponseError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'ResponseError';
  }
}

const hash = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20);
const KILL_SWITCH = 'kill-switch';
/** How long an undo may take; an undo `running` for longer was cut short (a crash) and may be retried. */
const UNDO_TIMEOUT_MS = 120_000;

/**
 * Runs playbooks. `submit` (called by the pipeline when a finding is routed) records a run and its plan
 * synchronously — in the same step as the alert, so a crash cannot lose it — and the executor works the
 * queue: each action is marked `running` before its AWS call and finished after it, so a restart re-runs
 * at most the action that was in flight, and actions read AWS's state first, so that re-run changes
 * nothing twice. One run per playbook and finding: repeats of the finding add nothing.
 */
export function createResponder(options: ResponderOptions) {
  const { store, safety } = options;
  // Audit entries are plain JSON: undefined fields (optional outcome parts) are dropped, not refused.
  const audit: AuditSink = {
    append: (e) =>
      options.audit.append({ ...e, data: JSON.parse(JSON.stringify(e.data)) as Record<string, unknown> }),
  };
  const now = options.now ?? Date.now;
  const owner = options.owner ?? `vigil-${process.pid}-${randomBytes(4).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const approvalTimeoutMs = options.approvalTimeoutMs ?? 3_600_000;
  const playbooks = new Map(options.playbooks.map((p) => [p.id, p]));
  const log = options.log ?? (() => undefined);
  let wake: (() => void) | undefined;
  let stopped = false;
  let loop: Promise<void> | undefined;
  const running = new Set<Promise<unknown>>();

  const view = (id: string): RunView | undefined => {
    const run = store.run(id);
    return run ? { ...run, actions: store.actionsOf(id) } : undefined;
  };
  const changed = (runId: string) => {
    const run = store.run(runId);
    if (run) options.onChange?.(run);
  };

  function killSwitch(): { on: boolean; by?: string; at?: string; configured: boolean } {
    const raw = store.setting(KILL_SWITCH);
    const s = raw ? (JSON.parse(raw) as { on: boolean; by?: string; at?: string }) : { on: false };
    if (options.enabled === false) return { ...s, on: true, configured: true };
    return { ...s, configured: false };
  }

  /** Resolves, validates and safety-checks each step: the plan that dry runs show and live runs follow. */
  function plan(run: RunRow, playbook: Playbook, finding: Finding, event: RoutedEvent): void {
    const scope = { finding, event };
    const t = now();
    playbook.steps.forEach((step, idx) => {
      const base = {
        id: `act-${hash(run.id, String(idx))}`,
        runId: run.id,
        idx,
        step: step.id,
        action: step.action.name,
      };
      const needsApproval = step.approval === 'required';
      if (step.when && !step.when.matches(event)) {
        store.insertAction(
          {
            ...base,
            params: null,
            target: null,
            plan: "Skipped: the finding does not match the step's `when`.",
            status: 'skipped',
            approvalRequired: false,
          },
          t,
        );
        return;
      }
      let params: Record<string, unknown>;
      let target: ActionTarget;
      try {
        ({ params, target } = resolveStep(step, scope));
      } catch (err) {
        store.insertAction(
          {
            ...base,
            params: null,
            target: null,
            plan: `Cannot run: ${(err as Error).message}`,
            status: run.mode === 'live' ? 'failed' : 'planned',
            approvalRequired: false,
            error: (err as Error).message,
            errorKind: 'invalid',
          },
          t,
        );
        return;
      }
      const refused = safety.refuse(step.action, params, target);
      const sentence = step.action.describe(params, target);
      if (refused) {
        store.insertAction(
          {
            ...base,
            params,
            target,
            plan: `${sentence} Refused: ${refused}.`,
            status: 'blocked',
            approvalRequired: needsApproval,
            error: refused,
            errorKind: 'refused',
          },
          t,
        );
        return;
      }
      store.insertAction(
        {
          ...base,
          params,
          target,
          plan: needsApproval ? `${sentence} (needs approval)` : sentence,
          status: run.mode === 'live' ? 'pending' : 'planned',
          approvalRequired: needsApproval,
        },
        t,
      );
    });
  }

  /** Records a run of `playbook` for `finding`, and its plan. Returns the run (existing one for a repeat). */
  function record(
    playbook: Playbook,
    finding: Finding,
    event: RoutedEvent,
    how: { trigger: 'route' | 'manual'; requestedBy?: string; dryRun?: boolean },
  ): RunView {
    const mode = (how.dryRun ?? playbook.dryRun) ? 'dry-run' : 'live';
    const id =
      how.trigger === 'route'
        ? `run-${hash(playbook.id, finding.id)}`
        : `run-${hash(playbook.id, finding.id, String(now()), randomBytes(6).toString('hex'))}`;
    const existing = view(id);
    if (existing) return existing;
    const t = now();
    let status: RunRow['status'] = mode === 'dry-run' ? 'planned' : 'queued';
    let message: string | null = null;
    const switchState = killSwitch();
    if (mode === 'live' && switchState.on) {
      status = 'blocked';
      message = 'the response kill switch is on: nothing runs live';
    } else if (mode === 'live' && how.trigger === 'route') {
      const recent = store.liveRunsSince(playbook.id, t - playbook.rateLimit.perMs);
      if (recent >= playbook.rateLimit.max) {
        status = 'rate-limited';
        message = `rate limit: ${playbook.rateLimit.max} live runs per ${Math.round(playbook.rateLimit.perMs / 60_000)} min already made`;
      }
    }
    const run: Omit<RunRow, 'updatedAt'> = {
      id,
      playbook: playbook.id,
      findingId: finding.id,
      finding: finding as unknown as Record<string, unknown>,
      mode,
      status,
      trigger: how.trigger,
      requestedBy: how.requestedBy ?? null,
      createdAt: t,
      message,
    };
    store.transaction(() => {
      if (!store.insertRun(run)) return;
      plan({ ...run, updatedAt: t }, playbook, finding, event);
      if (status === 'blocked' || status === 'rate-limited')
        for (const a of store.actionsOf(id))
          if (a.status === 'pending')
            store.updateAction(a.id, {
              status: status === 'blocked' ? 'blocked' : 'cancelled',
              error: message,
            });
    });
    const v = view(id)!;
    audit.append({
      kind: 'response.run',
      actor: how.requestedBy ?? 'vigil',
      subject: id,
      data: {
        playbook: playbook.id,
        finding: finding.id,
        findingType: finding.type,
        mode,
        status: v.status,
        trigger: how.trigger,
        ...(message ? { message } : {}),
        plan: v.actions.map((a) => ({
          id: a.id,
          step: a.step,
          action: a.action,
          status: a.status,
          plan: a.plan,
          params: a.params,
          target: a.target,
        })),
      },
    });
    options.onChange?.(v);
    wake?.();
    return v;
  }

  async function execute(
    action: ActionRow,
    definition: AnyAction,
    run: RunRow,
    timeoutMs: number,
  ): Promise<void> {
    const t0 = now();
    store.updateAction(action.id, {
      status: 'running',
      started_at: action.startedAt ?? t0,
      attempts: action.attempts + 1,
    });
    const ctx = createActionContext({
      target: action.target!,
      clients: options.clients,
      actionId: action.id,
      ...(run.finding && Object.keys(run.finding).length
        ? { finding: run.finding as unknown as Finding }
        : {}),
      ...(options.effects ? { effects: options.effects } : {}),
      now: () => new Date(now()),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    try {
      const outcome = await runGuarded(definition, action.params, ctx, safety, timeoutMs);
      store.updateAction(action.id, {
        status: 'succeeded',
        outcome,
        calls: ctx.calls,
        finished_at: now(),
        error: null,
        error_kind: null,
      });
      audit.append({
        kind: 'response.action',
        actor: action.decidedBy ?? 'vigil',
        subject: action.id,
        data: {
          run: run.id,
          playbook: run.playbook,
          finding: run.findingId,
          step: action.step,
          action: action.action,
          params: action.params,
          target: action.target,
          result: 'succeeded',
          outcome,
          calls: ctx.calls,
          ...(action.undoOf ? { undoOf: action.undoOf } : {}),
        },
      });
    } catch (err) {
      const e = err instanceof ActionError ? err : new ActionError('aws', (err as Error).message);
      const status = e.kind === 'refused' ? 'blocked' : 'failed';
      store.updateAction(action.id, {
        status,
        calls: ctx.calls,
        finished_at: now(),
        error: e.message,
        error_kind: e.kind,
      });
      audit.append({
        kind: 'response.action',
        actor: action.decidedBy ?? 'vigil',
        subject: action.id,
        data: {
          run: run.id,
          playbook: run.playbook,
          finding: run.findingId,
          step: action.step,
          action: action.action,
          params: action.params,
          target: action.target,
          result: status,
          error: e.message,
          errorKind: e.kind,
          calls: ctx.calls,
          ...(action.undoOf ? { undoOf: action.undoOf } : {}),
        },
      });
    }
  }

  /** Works one claimed run from its first unfinished action; stops at an approval or a failure. */
  async function work(runId: string): Promise<void> {
    const run = store.run(runId)!;
    const playbook = playbooks.get(run.playbook);
    const finish = (status: RunRow['status'], message: string | null = null) => {
      store.updateRun(runId, { status, message, lease_until: 0 }, now());
      changed(runId);
    };
    if (!playbook) return finish('failed', `playbook ${run.playbook} is no longer configured`);
    for (const action of store.actionsOf(runId)) {
      if (action.undoOf) continue;
      if (['succeeded', 'skipped'].includes(action.status)) continue;
      const step = playbook.steps[action.idx];
      if (action.status === 'failed' || action.status === 'blocked') {
        if (step?.onError === 'continue' && action.status === 'failed') continue;
        return stopAfter(runId, action, action.status === 'blocked' ? 'blocked' : 'failed', finish);
      }
      if (action.status === 'rejected' || action.status === 'expired')
        return stopAfter(runId, action, action.status, finish);
      if (killSwitch().on) {
        store.updateAction(action.id, {
          status: 'blocked',
          error: 'the response kill switch is on',
          error_kind: 'refused',
        });
        return stopAfter(runId, action, 'blocked', finish, 'the response kill switch is on');
      }
      if (action.approvalRequired && action.status === 'pending') {
        store.updateAction(action.id, {
          status: 'awaiting-approval',
          approval_expires_at: now() + approvalTimeoutMs,
        });
        store.updateRun(runId, { status: 'awaiting-approval', lease_until: 0 }, now());
        audit.append({
          kind: 'response.approval-requested',
          actor: 'vigil',
          subject: action.id,
          data: {
            run: runId,
            step: action.step,
            action: action.action,
            plan: action.plan,
            expiresAt: new Date(now() + approvalTimeoutMs).toISOString(),
          },
        });
        changed(runId);
        return;
      }
      if (action.status === 'awaiting-approval') {
        store.updateRun(runId, { status: 'awaiting-approval', lease_until: 0 }, now());
        changed(runId);
        return;
      }
      const definition = options.actions.get(action.action);
      if (!definition || !step) {
        store.updateAction(action.id, {
          status: 'failed',
          error: `action ${action.action} is not available`,
          error_kind: 'invalid',
        });
        return stopAfter(runId, action, 'failed', finish);
      }
      store.updateRun(runId, { lease_until: now() + leaseMs }, now());
      changed(runId);
      await execute(store.action(action.id)!, definition, run, step.timeoutMs);
      changed(runId);
      const done = store.action(action.id)!;
      if (done.status !== 'succeeded' && !(done.status === 'failed' && step.onError === 'continue'))
        return stopAfter(runId, done, done.status === 'blocked' ? 'blocked' : 'failed', finish);
    }
    finish('succeeded');
  }

  function stopAfter(
    runId: string,
    at: ActionRow,
    status: RunRow['status'],
    finish: (s: RunRow['status'], m?: string | null) => void,
    message?: string,
  ): void {
    for (const a of store.actionsOf(runId))
      if (a.idx > at.idx && ['pending', 'awaiting-approval', 'approved'].includes(a.status))
        store.updateAction(a.id, { status: 'cancelled', error: `step ${at.step} ${at.status}` });
    finish(status, message ?? `step ${at.step}: ${at.error ?? at.status}`);
  }

  /** Marks approvals past their expiry as expired (and their runs). */
  function sweepExpired(): void {
    for (const a of store.expiredApprovals(now())) {
      store.updateAction(a.id, { status: 'expired', error: 'nobody approved in time' });
      audit.append({
        kind: 'response.approval-expired',
        actor: 'vigil',
        subject: a.id,
        data: { run: a.runId, step: a.step, action: a.action },
      });
      store.updateRun(a.runId, { status: 'queued' }, now());
    }
  }

  /** Claims and works every runnable run once; resolves when they are done. */
  async function processPending(): Promise<number> {
    sweepExpired();
    let n = 0;
    for (const id of store.runnable(now())) {
      if (!store.claim(id, owner, now(), leaseMs)) continue;
      n++;
      try {
        await work(id);
      } catch (err) {
        log(`vigil: respond: run ${id}: ${(err as Error).message}`);
        store.updateRun(id, { status: 'failed', message: (err as Error).message, lease_until: 0 }, now());
        changed(id);
      }
    }
    return n;
  }

  function decide(actionId: string, user: string, decision: 'approve' | 'reject', reason?: string): RunView {
    const a = store.action(actionId);
    if (!a) throw new ResponseError(404, `no action ${actionId}`);
    if (a.status !== 'awaiting-approval')
      throw new ResponseError(409, `action ${actionId} is ${a.status}, not awaiting approval`);
    if (a.approvalExpiresAt !== null && a.approvalExpiresAt <= now()) {
      sweepExpired();
      throw new ResponseError(409, `the approval of ${actionId} expired`);
    }
    const t = now();
    store.transaction(() => {
      store.updateAction(actionId, {
        status: decision === 'approve' ? 'approved' : 'rejected',
        decided_by: user,
        decided_at: t,
        ...(decision === 'reject'
          ? { error: reason ? `rejected by ${user}: ${reason}` : `rejected by ${user}` }
          : {}),
      });
      store.updateRun(a.runId, { status: 'queued' }, t);
    });
    audit.append({
      kind: decision === 'approve' ? 'response.approved' : 'response.rejected',
      actor: user,
      subject: actionId,
      data: {
        run: a.runId,
        step: a.step,
        action: a.action,
        params: a.params,
        target: a.target,
        ...(reason ? { reason } : {}),
      },
    });
    changed(a.runId);
    wake?.();
    return view(a.runId)!;
  }

  /** Runs the recorded undo of a succeeded action, as `user`. */
  async function undo(actionId: string, user: string): Promise<ActionRow> {
    const a = store.action(actionId);
    if (!a) throw new ResponseError(404, `no action ${actionId}`);
    if (a.undoneBy) throw new ResponseError(409, `action ${actionId} was already undone by ${a.undoneBy}`);
    if (a.status !== 'succeeded' || !a.outcome?.undo)
      throw new ResponseError(
        409,
        `action ${actionId} has nothing to undo (${a.status}${a.status === 'succeeded' ? ': it changed nothing AWS can reverse' : ''})`,
      );
    const definition = options.actions.get(a.outcome.undo.action);
    if (!definition)
      throw new ResponseError(409, `the undo action ${a.outcome.undo.action} is not available`);
    const parsed = definition.params.safeParse(a.outcome.undo.params);
    if (!parsed.success)
      throw new ResponseError(409, `the recorded undo is not valid: ${parsed.error.issues[0]?.message}`);
    const run = store.run(a.runId)!;
    const id = `act-${hash(a.id, 'undo')}`;
    const existing = store.action(id);
    // Two responders undoing at once: the second must not send the undo's AWS calls a second time.
    if (existing?.status === 'running' && (existing.startedAt ?? 0) > now() - UNDO_TIMEOUT_MS)
      throw new ResponseError(409, `the undo of ${actionId} is already running`);
    if (!existing) {
      store.insertAction(
        {
          id,
          runId: a.runId,
          idx: a.idx,
          step: `${a.step} (undo)`,
          action: definition.name,
          params: parsed.data as Record<string, unknown>,
          target: a.target,
          plan: definition.describe(parsed.data, a.target!),
          status: 'approved',
          approvalRequired: false,
          undoOf: a.id,
        },
        now(),
      );
      store.updateAction(id, { decided_by: user, decided_at: now() });
    }
    const row = store.action(id)!;
    if (row.status !== 'succeeded') await execute(row, definition, run, UNDO_TIMEOUT_MS);
    const done = store.action(id)!;
    if (done.status === 'succeeded') store.updateAction(a.id, { undone_by: id });
    changed(a.runId);
    return done;
  }

  return {
    owner,
    killSwitch,
    setKillSwitch(on: boolean, user: string): void {
      store.putSetting(KILL_SWITCH, JSON.stringify({ on, by: user, at: new Date(now()).toISOString() }));
      audit.append({ kind: 'response.kill-switch', actor: user, subject: KILL_SWITCH, data: { on } });
    },
    playbooks: options.playbooks,
    /** The pipeline routed `finding` to these playbooks. */
    submit(finding: Finding, event: RoutedEvent, playbookIds: Iterable<string>): RunView[] {
      const out: RunView[] = [];
      for (const pid of playbookIds) {
        const p = playbooks.get(pid);
        if (p) out.push(record(p, finding, event, { trigger: 'route' }));
      }
      return out;
    },
    /** A run asked for by a person (CLI or dashboard): recorded, then, when live, worked at once. */
    async runPlaybook(
      playbookId: string,
      finding: Finding,
      how: { dryRun?: boolean; requestedBy: string },
    ): Promise<RunView> {
      const p = playbooks.get(playbookId);
      if (!p) throw new ResponseError(404, `no playbook ${playbookId}`);
      const v = record(p, finding, findingEvent(finding), {
        trigger: 'manual',
        requestedBy: how.requestedBy,
        ...(how.dryRun !== undefined ? { dryRun: how.dryRun } : {}),
      });
      if (v.status === 'queued' && store.claim(v.id, owner, now(), leaseMs)) await work(v.id);
      return view(v.id)!;
    },
    processPending,
    /** Claims and works this one run if it is runnable (the CLI after a decision); false if it was not. */
    async processRun(runId: string): Promise<boolean> {
      sweepExpired();
      if (!store.claim(runId, owner, now(), leaseMs)) return false;
      try {
        await work(runId);
      } catch (err) {
        log(`vigil: respond: run ${runId}: ${(err as Error).message}`);
        store.updateRun(runId, { status: 'failed', message: (err as Error).message, lease_until: 0 }, now());
        changed(runId);
      }
      return true;
    },
    approve: (actionId: string, user: string) => decide(actionId, user, 'approve'),
    reject: (actionId: string, user: string, reason?: string) => decide(actionId, user, 'reject', reason),
    undo,
    run: view,
    action: (id: string) => store.action(id),
    /** Works the queue until `stop`: woken by new runs and approvals, and every `pollMs` for expiries. */
    start(pollMs = 1000): void {
      if (loop) return;
      stopped = false;
      loop = (async () => {
        while (!stopped) {
          try {
            const p = processPending();
            running.add(p);
            await p.finally(() => running.delete(p));
          } catch (err) {
            log(`vigil: respond: ${(err as Error).message}`);
          }
          if (stopped) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            timer.unref?.();
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      })();
    },
    async stop(): Promise<void> {
      stopped = true;
      wake?.();
      await loop;
      loop = undefined;
    },
    isFinal: (run: RunRow) => FINAL_RUN.has(run.status),
  };
}

export type Responder = ReturnType<typeof createResponder>;
