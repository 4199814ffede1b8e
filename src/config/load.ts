import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { VigilError } from '../core/errors.js';
import { compilePlaybooks } from '../respond/playbook.js';
import { actionRegistry } from '../respond/registry.js';
import { configSchema, type SecretRef, type VigilConfig } from './schema.js';

/**
 * Environment variables override file values for scalar settings: VIGIL_SERVER_PORT → server.port,
 * VIGIL_STORE_SQLITE → store.sqlite, VIGIL_DETECTIONS_EXPERIMENTAL → detections.experimental, and so on
 * (section and key in upper snake case). Values are read as JSON when they parse (numbers, booleans),
 * otherwise as strings.
 */
export const ENV_OVERRIDES: Record<string, [string, string]> = {
  VIGIL_SERVER_HOST: ['server', 'host'],
  VIGIL_SERVER_PORT: ['server', 'port'],
  VIGIL_SERVER_PUBLIC_URL: ['server', 'publicUrl'],
  VIGIL_SERVER_MAX_BODY_BYTES: ['server', 'maxBodyBytes'],
  VIGIL_STORE_SQLITE: ['store', 'sqlite'],
  VIGIL_DETECTIONS_EXPERIMENTAL: ['detections', 'experimental'],
  VIGIL_DETECTIONS_BUILTIN: ['detections', 'builtin'],
  VIGIL_DETECTIONS_AWS_IP_RANGES: ['detections', 'awsIpRanges'],
  VIGIL_ALERTING_REALERT_WINDOW: ['alerting', 'realertWindow'],
};

function envValue(raw: string): unknown {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'number' || typeof v === 'boolean' ? v : raw;
  } catch {
    return raw;
  }
}

/** Thrown with every problem of a config at once, each naming its key path (and YAML line when known). */
export class ConfigError extends VigilError {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super('VIGIL_USAGE', `${file}: invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Reads, overrides from the environment, validates (reporting every problem at once) and freezes the
 * configuration. `text` undefined means no file: the defaults (embedded SQLite, no sources).
 */
export function parseConfig(text: string | undefined, file: string, env: NodeJS.ProcessEnv): VigilConfig {
  const problems: string[] = [];
  let data: Record<string, unknown> = {};
  if (text !== undefined) {
    const doc = parseDocument(text, { uniqueKeys: true });
    for (const e of doc.errors)
      problems.push(`line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    const js: unknown = doc.errors.length ? {} : doc.toJS();
    if (js !== null && js !== undefined && (typeof js !== 'object' || Array.isArray(js)))
      problems.push('the file must be a YAML map');
    else if (js) data = js as Record<string, unknown>;
  }
  for (const [name, [section, key]] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const current = data[section];
    const sectionData =
      typeof current === 'object' && current !== null && !Array.isArray(current)
        ? { ...(current as object) }
        : {};
    (sectionData as Record<string, unknown>)[key] = envValue(raw);
    data = { ...data, [section]: sectionData };
  }
  if (problems.length) throw new ConfigError(file, problems);
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`),
    );
  }
  const config = parsed.data;
  const ids = new Set<string>();
  for (const c of config.channels) {
    if (ids.has(c.id)) problems.push(`channels: duplicate id "${c.id}"`);
    ids.add(c.id);
  }
  const sourceIds = new Set<string>();
  for (const s of config.sources) {
    if (sourceIds.has(s.id)) problems.push(`sources: duplicate id "${s.id}"`);
    sourceIds.add(s.id);
  }
  config.routes.forEach((r, i) => {
    for (const t of r.targets)
      if (!ids.has(t)) problems.push(`routes.${i}.targets: no channel with id "${t}"`);
  });
  problems.push(...respondProblems(config, ids));
  if (problems.length) throw new ConfigError(file, problems);
  return deepFreeze(config);
}

export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv): VigilConfig {
  if (file === undefined) return parseConfig(undefined, '(defaults)', env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read: ${(err as Error).message}`]);
  }
  return parseConfig(text, file, env);
}

/** Resolves a secret reference; the value never appears in the config or in error messages. */
export function resolveSecret(
  ref: SecretRef,
  env: NodeJS.ProcessEnv,
  read = (p: string) => readFileSync(p, 'utf8'),
): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v === '')
      throw new VigilError('VIGIL_USAGE', `secret: environment variable ${ref.env} is not set`);
    return v;
  }
  try {
    return read(ref.file).trim();
  } catch (err) {
    throw new VigilError('VIGIL_USAGE', `secret: cannot read ${ref.file}: ${(err as Error).message}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Playbooks compiled against the actions and routes (unknown actions, bad templates, invalid literal
 * parameters), and the channels and webhooks their steps name.
 */
function respondProblems(config: VigilConfig, channelIds: ReadonlySet<string>): string[] {
  const respond = config.respond;
  const problems = compilePlaybooks(
    respond,
    actionRegistry(),
    new Set(config.routes.map((r) => r.name)),
  ).problems;
  const hooks = new Set(respond.webhooks.map((w) => w.name));
  respond.playbooks.forEach((p, i) =>
    p.steps.forEach((s, j) => {
      const at = `respond.playbooks.${i}.steps.${j}.params`;
      if (s.action === 'notify' && typeof s.params.channel === 'string' && !channelIds.has(s.params.channel))
        problems.push(`${at}.channel: no channel with id "${s.params.channel}"`);
      if (s.action === 'webhook' && typeof s.params.webhook === 'string' && !hooks.has(s.params.webhook))
        problems.push(`${at}.webhook: no webhook named "${s.params.webhook}" in respond.webhooks`);
    }),
  );
  return problems;
}
