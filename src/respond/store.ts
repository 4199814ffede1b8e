import type Database from 'better-sqlite3';

/**
 * The response store (`<findings db>-responses.db`): playbook runs and their actions, as the executor and
 * the API see them. Every state change is one small transaction, so a crash leaves each action either
 * before its AWS call, marked `running` (re-run on restart: actions are idempotent), or finished.
 */

export type RunStatus =
  | 'planned' // a dry run: the plan is the result
  | 'queued'
  | 'running'
  | 'awaiting-approval'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  | 'rate-limited'
  | 'blocked';

export type ActionStatus =
  | 'planned' // dry run: what would run
  | 'pending'
  | 'awaiting-approval'
  | 'approved'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped' // its `when` did not match
  | 'blocked' // safety: deny list, protected tag, kill switch, account
  | 'rejected'
  | 'expired'
  | 'cancelled'; // an earlier step stopped the playbook

export const FINAL_RUN: ReadonlySet<RunStatus> = new Set([
  'planned',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'rate-limited',
  'blocked',
]);

export interface RunRow {
  id: string;
  playbook: string;
  findingId: string;
  finding: Record<string, unknown>;
  mode: 'dry-run' | 'live';
  status: RunStatus;
  trigger: 'route' | 'manual';
  requestedBy: string | null;
  createdAt: number;
  updatedAt: number;
  message: string | null;
}

export interface ActionRow {
  id: string;
  runId: string;
  idx: number;
  step: string;
  action: string;
  params: Record<string, unknown> | null;
  target: { accountId: string; region: string } | null;
  plan: string;
  status: ActionStatus;
  approvalRequired: boolean;
  approvalExpiresAt: number | null;
  decidedBy: string | null;
  decidedAt: number | null;
  outcome: {
    status: 'changed' | 'unchanged';
    summary: string;
    undo?: { action: string; params: Record<string, unknown> };
    data?: Record<string, unknown>;
  } | null;
  calls: { api: string; requestId?: string; attempts: number; errorCode?: string }[];
  error: string | null;
  errorKind: string | null;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  undoOf: string | null;
  undoneBy: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  playbook TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  finding TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  trigger TEXT NOT NULL,
  requested_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  message TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs(status, lease_until);
CREATE INDEX IF NOT EXISTS runs_by_playbook ON runs(playbook, created_at);
CREATE INDEX IF NOT EXISTS runs_by_finding ON runs(finding_id);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(created_at);
CREATE TABLE IF NOT EXISTS actions (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  step TEXT NOT NULL,
  action TEXT NOT NULL,
  params TEXT,
  target TEXT,
  plan TEXT NOT NULL,
  status TEXT NOT NULL,
  approval_required INTEGER NOT NULL DEFAULT 0,
  approval_expires_at INTEGER,
  decided_by TEXT,
  decided_at INTEGER,
  outcome TEXT,
  calls TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  error_kind TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  undo_of TEXT,
  undone_by TEXT
);
CREATE INDEX IF NOT EXISTS actions_by_run ON actions(run_id, idx);
CREATE INDEX IF NOT EXISTS actions_by_status ON actions(status, approval_expires_at);
CREATE INDEX IF NOT EXISTS actions_by_finish ON actions(finished_at);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

type Raw = Record<string, unknown>;

const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);

function runOf(r: Raw): RunRow {
  return {
    id: r.id as string,
    playbook: r.playbook as string,
    findingId: r.finding_id as string,
    finding: json(r.finding, {}),
    mode: r.mode as RunRow['mode'],
    status: r.status as RunStatus,
    trigger: r.trigger as RunRow['trigger'],
    requestedBy: (r.requested_by as string | null) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    message: (r.message as string | null) ?? null,
  };
}

function actionOf(r: Raw): ActionRow {
  return {
    id: r.id as string,
    runId: r.run_id as string,
    idx: r.idx as number,
    step: r.step as string,
    action: r.action as string,
    params: json(r.params, null),
    target: json(r.target, null),
    plan: r.plan as string,
    status: r.status as ActionStatus,
    approvalRequired: r.approval_required === 1,
    approvalExpiresAt: (r.approval_expires_at as number | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: (r.decided_at as number | null) ?? null,
    outcome: json(r.outcome, null),
    calls: json(r.calls, []),
    error: (r.error as string | null) ?? null,
    errorKind: (r.error_kind as string | null) ?? null,
    attempts: r.attempts as number,
    createdAt: r.created_at as number,
    startedAt: (r.started_at as number | null) ?? null,
    finishedAt: (r.finished_at as number | null) ?? null,
    undoOf: (r.undo_of as string | null) ?? null,
    undoneBy: (r.undone_by as string | null) ?? null,
  };
}

export type NewAction = Pick<
  ActionRow,
  'id' | 'runId' | 'idx' | 'step' | 'action' | 'params' | 'target' | 'plan' | 'status' | 'approvalRequired'
> & { approvalExpiresAt?: number | null; error?: string | null; errorKind?: string | null; undoOf?: string };

export function openResponseStore(db: Database.Database) {
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const st = {
    insertRun: db.prepare(
      `INSERT OR IGNORE INTO runs (id, playbook, finding_id, finding, mode, status, trigger, requested_by, created_at, updated_at, message)
       VALUES (@id, @playbook, @findingId, @finding, @mode, @status, @trigger, @requestedBy, @createdAt, @createdAt, @message)`,
    ),
    insertAction: db.prepare(
      `INSERT OR IGNORE INTO actions (id, run_id, idx, step, action, params, target, plan, status, approval_required, approval_expires_at, error, error_kind, created_at, undo_of)
       VALUES (@id, @runId, @idx, @step, @action, @params, @target, @plan, @status, @approvalRequired, @approvalExpiresAt, @error, @errorKind, @createdAt, @undoOf)`,
    ),
    run: db.prepare('SELECT * FROM runs WHERE id = ?'),
    action: db.prepare('SELECT * FROM actions WHERE id = ?'),
    actionsOf: db.prepare('SELECT * FROM actions WHERE run_id = ? ORDER BY idx, created_at'),
    claim: db.prepare(
      `UPDATE runs SET status = 'running', lease_owner = @owner, lease_until = @until, updated_at = @now
       WHERE id = @id AND (status = 'queued' OR (status = 'running' AND lease_until < @now))`,
    ),
    runnable: db.prepare(
      `SELECT id FROM runs WHERE status = 'queued' OR (status = 'running' AND lease_until < ?) ORDER BY created_at LIMIT 50`,
    ),
    liveRunsSince: db.prepare(
      `SELECT COUNT(*) AS n FROM runs WHERE playbook = ? AND mode = 'live' AND created_at > ?
       AND status NOT IN ('rate-limited')`,
    ),
    expired: db.prepare(
      `SELECT * FROM actions WHERE status = 'awaiting-approval' AND approval_expires_at IS NOT NULL AND approval_expires_at <= ?`,
    ),
    setting: db.prepare('SELECT value FROM settings WHERE key = ?'),
    putSetting: db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
  };

  const updateRun = (
    id: string,
    fields: Partial<Record<'status' | 'message' | 'lease_until', unknown>>,
    now: number,
  ) => {
    const keys = Object.keys(fields);
    db.prepare(
      `UPDATE runs SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = @now WHERE id = @id`,
    ).run({
      ...fields,
      id,
      now,
    });
  };

  const ACTION_COLUMNS = new Set([
    'status',
    'outcome',
    'calls',
    'error',
    'error_kind',
    'attempts',
    'started_at',
    'finished_at',
    'decided_by',
    'decided_at',
    'undone_by',
    'approval_expires_at',
    'params',
    'plan',
  ]);
  const updateAction = (id: string, fields: Record<string, unknown>) => {
    const keys = Object.keys(fields);
    for (const k of keys) if (!ACTION_COLUMNS.has(k)) throw new Error(`not an action column: ${k}`);
    db.prepare(`UPDATE actions SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({
      ...Object.fromEntries(
        keys.map((k) => [
          k,
          typeof fields[k] === 'object' && fields[k] !== null ? JSON.stringify(fields[k]) : fields[k],
        ]),
      ),
      id,
    });
  };

  return {
    db,
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    insertRun(run: Omit<RunRow, 'updatedAt'>): boolean {
      return (
        st.insertRun.run({
          ...run,
          finding: JSON.stringify(run.finding),
          requestedBy: run.requestedBy,
          message: run.message,
        }).changes === 1
      );
    },
    insertAction(a: NewAction, createdAt: number): void {
      st.insertAction.run({
        ...a,
        params: a.params === null ? null : JSON.stringify(a.params),
        target: a.target === null ? null : JSON.stringify(a.target),
        approvalRequired: a.approvalRequired ? 1 : 0,
        approvalExpiresAt: a.approvalExpiresAt ?? null,
        error: a.error ?? null,
        errorKind: a.errorKind ?? null,
        createdAt,
        undoOf: a.undoOf ?? null,
      });
    },
    run: (id: string): RunRow | undefined => {
      const r = st.run.get(id) as Raw | undefined;
      return r ? runOf(r) : undefined;
    },
    action: (id: string): ActionRow | undefined => {
      const r = st.action.get(id) as Raw | undefined;
      return r ? actionOf(r) : undefined;
    },
    actionsOf: (runId: string): ActionRow[] => (st.actionsOf.all(runId) as Raw[]).map(actionOf),
    updateRun,
    updateAction,
    claim: (id: string, owner: string, now: number, leaseMs: number): boolean =>
      st.claim.run({ id, owner, now, until: now + leaseMs }).changes === 1,
    runnable: (now: number): string[] => (st.runnable.all(now) as { id: string }[]).map((r) => r.id),
    liveRunsSince: (playbook: string, since: number): number =>
      (st.liveRunsSince.get(playbook, since) as { n: number }).n,
    expiredApprovals: (now: number): ActionRow[] => (st.expired.all(now) as Raw[]).map(actionOf),
    setting: (key: string): string | undefined =>
      (st.setting.get(key) as { value: string } | undefined)?.value,
    putSetting: (key: string, value: string) => void st.putSetting.run(key, value),
    listRuns(q: {
      limit: number;
      status?: string;
      playbook?: string;
      findingId?: string;
      before?: number;
      beforeId?: string;
    }): RunRow[] {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: q.limit };
      if (q.status) {
        where.push('status = @status');
        params.status = q.status;
      }
      if (q.playbook) {
        where.push('playbook = @playbook');
        params.playbook = q.playbook;
      }
      if (q.findingId) {
        where.push('finding_id = @findingId');
        params.findingId = q.findingId;
      }
      if (q.before !== undefined) {
        // A cursor of (time, id): runs of the same millisecond are neither skipped nor repeated.
        where.push(
          q.beforeId === undefined
            ? 'created_at < @before'
            : '(created_at < @before OR (created_at = @before AND id < @beforeId))',
        );
        params.before = q.before;
        if (q.beforeId !== undefined) params.beforeId = q.beforeId;
      }
      const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as Raw[]).map(runOf);
    },
    /** Actions finished or awaiting approval in a period, with their run's creation time (for statistics). */
    actionsForStats(since: number): (ActionRow & { runCreatedAt: number; mode: string })[] {
      const rows = db
        .prepare(
          `SELECT a.*, r.created_at AS run_created_at, r.mode AS run_mode FROM actions a JOIN runs r ON r.id = a.run_id
           WHERE (a.started_at >= ? OR a.status = 'awaiting-approval') AND r.mode = 'live'`,
        )
        .all(since) as Raw[];
      return rows.map((r) => ({
        ...actionOf(r),
        runCreatedAt: r.run_created_at as number,
        mode: r.run_mode as string,
      }));
    },
  };
}

export type ResponseStore = ReturnType<typeof openResponseStore>;
