import type Database from 'better-sqlite3';

/** What was last alerted for a finding: its severity then, and its lastSeen (event time) then. */
export interface AlertRecord {
  severity: number;
  lastAlertAt: string;
}

export interface AlertState {
  get(findingId: string): AlertRecord | undefined;
  set(findingId: string, record: AlertRecord): void;
}

/**
 * Per-finding alert bookkeeping for the re-alert window, in the serve state database (beside the source
 * checkpoints). Bound parameters only.
 */
export function openAlertState(db: Database.Database): AlertState {
  db.exec(
    'CREATE TABLE IF NOT EXISTS alert_state (finding_id TEXT PRIMARY KEY, severity REAL NOT NULL, last_alert_at TEXT NOT NULL)',
  );
  const get = db.prepare(
    'SELECT severity, last_alert_at AS lastAlertAt FROM alert_state WHERE finding_id = ?',
  );
  const set = db.prepare(
    'INSERT INTO alert_state (finding_id, severity, last_alert_at) VALUES (?, ?, ?) ' +
      'ON CONFLICT(finding_id) DO UPDATE SET severity = excluded.severity, last_alert_at = excluded.last_alert_at',
  );
  return {
    get: (id) => get.get(id) as AlertRecord | undefined,
    set: (id, r) => void set.run(id, r.severity, r.lastAlertAt),
  };
}
