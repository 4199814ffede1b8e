import type { Finding } from '../core/finding.js';
import { createRouter, findingEvent, type Router } from '../router/index.js';
import type { FindingStore, SuppressionRule } from '../store/index.js';

export interface SuppressionMatcher {
  /** The first unexpired rule (oldest first) whose pattern matches the finding's routed event. */
  matches(finding: Finding): SuppressionRule | undefined;
  /**
   * For a finding just stored: when a rule matches and the finding is NEW, marks it SUPPRESSED under that
   * rule (until the rule's expiry) and returns the rule; the caller then sends no alert. A finding a
   * responder already acknowledged or resolved keeps its status.
   */
  apply(finding: Finding): SuppressionRule | undefined;
  /** `apply` for a rule the caller already matched (so the rules are not matched twice). */
  suppress(finding: Finding, rule: SuppressionRule): void;
}

/**
 * Suppression rules as the pipeline sees them: the rules compiled into one router (the EventBridge pattern
 * language, matched against `findingEvent(finding)`), recompiled only when the store's rule version moves.
 * An expired rule is skipped at match time, so expiry needs no sweep.
 */
export function createSuppressionMatcher(
  store: FindingStore,
  options: { now?: () => number } = {},
): SuppressionMatcher {
  const now = options.now ?? Date.now;
  let version = -1;
  let rules = new Map<string, SuppressionRule>();
  let router: Router | undefined;

  function refresh(): void {
    const v = store.suppressionRulesVersion();
    if (v === version) return;
    const list = store.suppressionRules();
    rules = new Map(list.map((r) => [r.id, r]));
    // Rules were validated on the way in; one a newer or older Vigil rejects is left out, not fatal.
    const valid = list.filter((r) => {
      try {
        createRouter([{ name: r.id, pattern: r.pattern }]);
        return true;
      } catch {
        return false;
      }
    });
    router = valid.length ? createRouter(valid.map((r) => ({ name: r.id, pattern: r.pattern }))) : undefined;
    version = v;
  }

  function matches(finding: Finding): SuppressionRule | undefined {
    refresh();
    if (!router) return undefined;
    const t = now();
    for (const id of router.match(findingEvent(finding))) {
      const rule = rules.get(id);
      if (rule && (rule.expires === undefined || Date.parse(rule.expires) > t)) return rule;
    }
    return undefined;
  }

  function suppress(finding: Finding, rule: SuppressionRule): void {
    if (store.get(finding.id)?.status !== 'NEW') return;
    store.transition(finding.id, {
      status: 'SUPPRESSED',
      reason: rule.reason,
      by: `rule:${rule.id}`,
      ruleId: rule.id,
      ...(rule.expires ? { until: rule.expires } : {}),
    });
  }

  return {
    matches,
    apply(finding) {
      const rule = matches(finding);
      if (rule) suppress(finding, rule);
      return rule;
    },
    suppress,
  };
}

/**
 * The pattern a suppression rule drafted from a finding starts with: its type, account and principal (the
 * narrowest useful scope: this kind of finding, by this actor, in this account). The responder edits it.
 */
export function suppressionDraft(finding: Finding): Record<string, unknown> {
  const detail: Record<string, unknown> = { type: [finding.type] };
  if (finding.actor.principal) detail.actor = { principal: [finding.actor.principal] };
  return { account: [finding.accountId], detail };
}
