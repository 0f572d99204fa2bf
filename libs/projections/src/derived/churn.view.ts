import { DEFAULT_DERIVED_TOPIC } from '@c360/contracts';
import {
  DEFAULT_CHURN_CONFIG,
  DEFAULT_DOMAIN_CONFIG,
  evaluationTime,
  layerChurnConfig,
  reevaluateChurn,
  type ChurnConfig,
  type Customer360State,
  type DomainConfig,
} from '@c360/customer-domain';
import { churnMessage, flagIdOf } from './derived-events';
import type { ChurnFlagChanges, DerivedRepositories, DerivedTrace, OutboxMessage, StoredChurnFlag } from './derived.ports';
import type { DerivedView } from './derived-view';

export const CHURN_VIEW = 'churn-flags';

export interface ChurnViewOptions {
  /** The configured thresholds; a run-time churn rule version layers its overrides on top. */
  readonly churn?: ChurnConfig;
  readonly domain?: DomainConfig;
  readonly topic?: string;
}

export interface ChurnEvaluationInput {
  readonly customerId: string;
  /** `trace`: the cause's trace, carried by the derived events the step produces. */
  readonly steps: readonly { readonly state: Customer360State; readonly at: string; readonly cause: string; readonly trace?: DerivedTrace }[];
  /** Score currently in customer_360 (the column is rewritten only when it differs). */
  readonly currentRiskScore: number | null;
  /** Recompute from scratch: the customer's flags are deleted first (after a merge re-fold). */
  readonly replace?: boolean;
}

/**
 * Evaluates the churn rules over a customer's steps against its open flags and writes the
 * result (flags raised / cleared / refreshed, risk score, outbox) in the caller's
 * transaction. Shared by the live view, the clock sweeper and churn rule activations.
 * Resolves true when a flag was raised or cleared.
 */
export async function evaluateAndPersistChurn(
  repositories: Pick<DerivedRepositories, 'churn' | 'outbox'>,
  input: ChurnEvaluationInput,
  options: ChurnViewOptions = {},
): Promise<boolean> {
  const rules = await repositories.churn.activeRules();
  const config = layerChurnConfig(options.churn ?? DEFAULT_CHURN_CONFIG, rules.overrides);
  const domain = options.domain ?? DEFAULT_DOMAIN_CONFIG;
  const topic = options.topic ?? DEFAULT_DERIVED_TOPIC;
  const { customerId } = input;
  if (input.replace === true) await repositories.churn.clear(customerId);
  let open: StoredChurnFlag[] = input.replace === true ? [] : await repositories.churn.openFlagsOf(customerId);
  const initialOpen = new Map(open.map((f) => [f.flagId, f]));
  const raised: (StoredChurnFlag & { cause: string; cleared?: { at: string; cause: string } })[] = [];
  const cleared: { flagId: string; clearedAt: string; cause: string }[] = [];
  const messages: OutboxMessage[] = [];
  const latest = new Map<string, { reason: string; evidenceEventIds: readonly string[] }>();
  let score: number | null = null;
  for (const step of input.steps) {
    const result = reevaluateChurn(open, step.state, step.at, config, domain);
    const revision = step.state.position.lastRevision;
    score = result.riskScore;
    const byCode = new Map(open.map((f) => [f.code, f]));
    const next: StoredChurnFlag[] = [];
    for (const f of result.open) {
      const prior = byCode.get(f.code);
      if (prior === undefined) continue;
      next.push({ ...f, flagId: prior.flagId, ruleVersion: prior.ruleVersion, raisedAt: prior.raisedAt, since: prior.since });
      // Kept flags take the fresh reason and evidence (whatever the batch boundaries: I6).
      latest.set(prior.flagId, { reason: f.reason, evidenceEventIds: f.evidenceEventIds });
      const i = raised.findIndex((r) => r.flagId === prior.flagId);
      const mine = raised[i];
      if (mine !== undefined) raised[i] = { ...mine, reason: f.reason, evidenceEventIds: f.evidenceEventIds };
    }
    for (const f of result.raised) {
      const stored = { ...f, flagId: flagIdOf(customerId, f.code, step.cause), ruleVersion: rules.version };
      next.push(stored);
      raised.push({ ...stored, cause: step.cause });
      messages.push(
        churnMessage(topic, customerId, 'ChurnFlagRaised', step.at, step.cause, {
          flagId: stored.flagId,
          code: f.code,
          reason: f.reason,
          evidenceEventIds: [...f.evidenceEventIds],
          ruleVersion: rules.version,
          riskScore: result.riskScore,
          revision,
        }, step.trace),
      );
    }
    for (const f of result.cleared) {
      const prior = byCode.get(f.code);
      if (prior === undefined) continue;
      const fresh = raised.findIndex((r) => r.flagId === prior.flagId);
      const raisedHere = raised[fresh];
      if (raisedHere !== undefined) raised[fresh] = { ...raisedHere, cleared: { at: step.at, cause: step.cause } };
      else cleared.push({ flagId: prior.flagId, clearedAt: step.at, cause: step.cause });
      messages.push(
        churnMessage(topic, customerId, 'ChurnFlagCleared', step.at, step.cause, {
          flagId: prior.flagId,
          code: f.code,
          reason: f.reason,
          evidenceEventIds: [...f.evidenceEventIds],
          ruleVersion: prior.ruleVersion,
          riskScore: result.riskScore,
          revision,
        }, step.trace),
      );
    }
    open = next;
  }
  // A flag raised and cleared within the same batch is inserted cleared (both events stand).
  const refreshed = [...latest]
    .filter(([flagId, l]) => {
      const before = initialOpen.get(flagId);
      return before !== undefined && (before.reason !== l.reason || before.evidenceEventIds.join() !== l.evidenceEventIds.join());
    })
    .map(([flagId, l]) => ({ flagId, reason: l.reason, evidenceEventIds: l.evidenceEventIds }));
  const changes: ChurnFlagChanges = {
    raised,
    cleared,
    refreshed,
    riskScore: score !== null && score !== input.currentRiskScore ? score : null,
  };
  const flagsChanged = raised.length > 0 || cleared.length > 0;
  if (input.replace !== true && !flagsChanged && refreshed.length === 0 && changes.riskScore === null) return false;
  await repositories.churn.apply(customerId, changes);
  if (messages.length > 0) await repositories.outbox.enqueue(messages);
  return flagsChanged;
}

/**
 * Churn flags: after each state the customer's view passes through, the churn rules are
 * evaluated at the view's time (or the customer's last clock sweep, if later); flags are
 * raised and cleared with reason, evidence and rule version, and customer_360's risk score
 * follows the open flags.
 */
export function churnView(options: ChurnViewOptions = {}): DerivedView<DerivedRepositories> {
  return {
    name: CHURN_VIEW,
    version: 1,
    async prepare(customerIds, repositories) {
      await repositories.churn.prefetch?.(customerIds);
    },
    async onChange(change, repositories) {
      const sweptAt = await repositories.churn.sweptAt(change.customerId);
      const steps = change.steps.flatMap((s) => {
        const at = evaluationTime(s.state, sweptAt);
        return at === null ? [] : [{ state: s.state, at, cause: s.cause, trace: s.trace }];
      });
      if (steps.length === 0) return;
      await evaluateAndPersistChurn(repositories, { customerId: change.customerId, steps, currentRiskScore: change.savedRiskScore, replace: change.replace }, options);
    },
  };
}
