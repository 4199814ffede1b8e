/**
 * One definition per flag feeds the command-line option and its environment variable
 * (`--min-severity` ↔ `VIGIL_MIN_SEVERITY`). Precedence: flag > environment > default.
 */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  value?: string;
  help: string;
  env?: boolean;
}

export function envName(flag: string): string {
  return `VIGIL_${flag.toUpperCase().replace(/-/g, '_')}`;
}

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Fills flags the command line left unset from the environment; multi-value variables split on commas. */
export function applyEnv(specs: FlagSpec[], values: FlagValues, env: NodeJS.ProcessEnv): FlagValues {
  const out: FlagValues = { ...values };
  for (const spec of specs) {
    if (!spec.env || out[spec.name] !== undefined) continue;
    const raw = env[envName(spec.name)];
    if (raw === undefined || raw === '') continue;
    if (spec.type === 'boolean') out[spec.name] = /^(1|true|yes|on)$/i.test(raw);
    else if (spec.multiple)
      out[spec.name] = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else out[spec.name] = raw;
  }
  return out;
}

export function toParseArgsOptions(specs: FlagSpec[]) {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const s of specs) {
    options[s.name] = {
      type: s.type,
      ...(s.multiple ? { multiple: true } : {}),
      ...(s.short ? { short: s.short } : {}),
    };
  }
  return options;
}

export function flagHelp(specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  ${s.short ? `-${s.short}, ` : ''}--${s.name}${s.value ? ` ${s.value}` : ''}`;
    const env = s.env ? ` [env ${envName(s.name)}]` : '';
    return `${left.padEnd(30)} ${s.help}${env}`;
  });
  return rows.join('\n');
}
