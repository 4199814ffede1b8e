/**
 * One JSON object per line on stdout, which CloudWatch Logs indexes (Logs Insights, metric filters).
 * Every value comes from JSON.stringify, so attacker-controlled text from events is escaped, never
 * interpreted; long strings are cut so one hostile record cannot flood the log.
 */
export type LogFields = Record<string, unknown>;
export type Logger = (level: 'info' | 'warn' | 'error', msg: string, fields?: LogFields) => void;

const MAX_STRING = 2048;

function clip(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.length > MAX_STRING
    ? `${value.slice(0, MAX_STRING)}…(${value.length} chars)`
    : value;
}

export function jsonLogger(write: (line: string) => void = (line) => console.log(line)): Logger {
  return (level, msg, fields = {}) => {
    let line: string;
    try {
      line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields }, clip);
    } catch {
      line = JSON.stringify({ level, time: new Date().toISOString(), msg, fields: '(unserialisable)' });
    }
    write(line);
  };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
