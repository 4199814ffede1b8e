import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compilePattern, type CompiledPattern } from '../router/index.js';
import { parseDuration } from '../detect/duration.js';
import { playbookSchema, type PlaybookConfig, type RespondConfig } from './config.js';
import { compileValue, TemplateError, type CompiledValue } from './template.js';
import type { ActionTarget, AnyAction } from './types.js';

/** A playbook ready to run: actions looked up, templates and conditions compiled. */
export interface Playbook {
  id: string;
  description: string;
  dryRun: boolean;
  /** The route it is bound to, or its own pattern (compiled into the router as `playbook:<id>`). */
  trigger: { route: string } | { pattern: string | object };
  rateLimit: { max: number; perMs: number };
  steps: PlaybookStep[];
  /** Where it was defined (config or a file), for messages. */
  origin: string;
}

export interface PlaybookStep {
  id: string;
  action: AnyAction;
  params: CompiledValue;
  target: CompiledValue | undefined;
  when: CompiledPattern | undefined;
  approval: 'required' | 'auto';
  timeoutMs: number;
  onError: 'stop' | 'continue';
}

export interface CompileResult {
  playbooks: Playbook[];
  /** Every problem found, each naming the playbook, step and field. */
  problems: string[];
}

/** Reads `respond.playbookFiles`: YAML files, or folders of them; one playbook or a list per file. */
export function readPlaybookFiles(paths: readonly string[]): {
  items: { origin: string; value: unknown }[];
  problems: string[];
} {
  const items: { origin: string; value: unknown }[] = [];
  const problems: string[] = [];
  const readOne = (file: string) => {
    try {
      const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
      const list = Array.isArray(doc) ? doc : [doc];
      list.forEach((value, i) => items.push({ origin: list.length > 1 ? `${file}[${i}]` : file, value }));
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  };
  for (const p of paths) {
    try {
      if (statSync(p).isDirectory()) {
        for (const f of readdirSync(p).sort()) if (/\.ya?ml$/.test(f)) readOne(join(p, f));
      } else readOne(p);
    } catch (err) {
      problems.push(`${p}: ${(err as Error).message}`);
    }
  }
  return { items, problems };
}

/**
 * Compiles the configured playbooks against the action registry and route names. Parameters without
 * templates are validated now; templated ones when a finding fills them.
 */
export function compilePlaybooks(
  config: Pick<RespondConfig, 'playbooks' | 'playbookFiles'>,
  actions: ReadonlyMap<string, AnyAction>,
  routeNames: ReadonlySet<string>,
): CompileResult {
  const problems: string[] = [];
  const sources: { origin: string; value: unknown }[] = config.playbooks.map((p, i) => ({
    origin: `respond.playbooks[${i}]`,
    value: p,
  }));
  const files = readPlaybookFiles(config.playbookFiles);
  problems.push(...files.problems);
  for (const item of files.items) {
    const parsed = playbookSchema.safeParse(item.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${item.origin}: ${issue.path.join('.') || '(playbook)'}: ${issue.message}`);
      continue;
    }
    sources.push({ origin: item.origin, value: parsed.data });
  }
  const playbooks: Playbook[] = [];
  const seen = new Set<string>();
  for (const { origin, value } of sources) {
    const p = value as PlaybookConfig;
    const where = `playbook ${p.id} (${origin})`;
    if (seen.has(p.id)) problems.push(`${where}: another playbook has the id ${p.id}`);
    seen.add(p.id);
    const before = problems.length;
    if ('route' in p.trigger && !routeNames.has(p.trigger.route))
      problems.push(`${where}: trigger.route "${p.trigger.route}" is not a route in \`routes\``);
    if ('pattern' in p.trigger) {
      try {
        compilePattern(p.trigger.pattern as string | object);
      } catch (err) {
        problems.push(`${where}: trigger.pattern: ${(err as Error).message}`);
      }
    }
    const steps: PlaybookStep[] = [];
    const stepIds = new Set<string>();
    p.steps.forEach((s, i) => {
      const stepId = s.id ?? `step-${i + 1}`;
      const at = `${where}: step ${stepId}`;
      if (stepIds.has(stepId)) problems.push(`${at}: two steps have this id`);
      stepIds.add(stepId);
      const action = actions.get(s.action);
      if (!action) {
        problems.push(`${at}: unknown action "${s.action}" (see \`vigil respond list --actions\`)`);
        return;
      }
      let params: CompiledValue | undefined;
      let target: CompiledValue | undefined;
      let when: CompiledPattern | undefined;
      try {
        params = compileValue(s.params, 'params');
        if (s.target) target = compileValue(s.target, 'target');
      } catch (err) {
        problems.push(`${at}: ${err instanceof TemplateError ? err.message : String(err)}`);
      }
      if (params && !JSON.stringify(s.params).includes('{{')) {
        const check = action.params.safeParse(s.params);
        if (!check.success)
          for (const issue of check.error.issues)
            problems.push(`${at}: params.${issue.path.join('.')}: ${issue.message}`);
      }
      if (s.when !== undefined) {
        try {
          when = compilePattern(s.when as string | object);
        } catch (err) {
          problems.push(`${at}: when: ${(err as Error).message}`);
        }
      }
      if (s.approval === 'auto' && action.name === 'wait-for-approval')
        problems.push(`${at}: wait-for-approval always needs an approval`);
      if (!params) return;
      steps.push({
        id: stepId,
        action,
        params,
        target,
        when,
        approval: s.approval ?? (action.destructive ? 'required' : 'auto'),
        timeoutMs: parseDuration(s.timeout)!,
        onError: s.onError,
      });
    });
    if (problems.length > before) continue;
    playbooks.push({
      id: p.id,
      description: p.description,
      dryRun: p.dryRun,
      trigger: p.trigger as Playbook['trigger'],
      rateLimit: { max: p.rateLimit.max, perMs: parseDuration(p.rateLimit.per)! },
      steps,
      origin,
    });
  }
  return { playbooks, problems };
}

/**
 * A step's parameters and target for one finding: templates filled, the result validated by the action's
 * schema, the target defaulting to the finding's account and region and checked to be one. Shared by
 * `vigil serve`'s responder and the Lambda respond function, so both plan exactly alike. Throws
 * `TemplateError` naming what is wrong.
 */
export function resolveStep(
  step: Pick<PlaybookStep, 'action' | 'params' | 'target'>,
  scope: { finding: { accountId?: string; region?: string }; event: unknown },
): { params: Record<string, unknown>; target: ActionTarget } {
  const parsed = step.action.params.safeParse(step.params.resolve(scope));
  if (!parsed.success)
    throw new TemplateError(
      parsed.error.issues.map((i) => `params.${i.path.join('.')}: ${i.message}`).join('; '),
    );
  const tgt = (step.target?.resolve(scope) ?? {}) as Partial<ActionTarget>;
  const target = {
    accountId: String(tgt.accountId ?? scope.finding.accountId ?? ''),
    region: String(tgt.region ?? scope.finding.region ?? ''),
  };
  if (!/^\d{12}$/.test(target.accountId))
    throw new TemplateError(`target account "${target.accountId}" is not an account id`);
  if (!/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(target.region))
    throw new TemplateError(`target region "${target.region}" is not a region`);
  return { params: parsed.data as Record<string, unknown>, target };
}
