import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import type { Customer360State } from '../customer-360/customer-360.state';
import { DEFAULT_CHURN_CONFIG, type ChurnCode, type ChurnConfig, type ChurnConfigOverrides } from '../churn/churn-config';
import { churnRiskScore, diffFlags, evaluateChurn, type FlagDiff, type OpenChurnFlag } from '../churn/churn-rules';

export interface ChurnStep extends FlagDiff {
  /** Risk score of the open set after the step (0..100). */
  readonly riskScore: number;
}

/**
 * Re-evaluates a customer's churn flags at `at` against its open flags: raised, cleared,
 * and the open set (kept flags keep their raisedAt). A customer merged into another has no
 * flags (its survivor's view carries the evidence).
 */
export const reevaluateChurn = (
  open: readonly OpenChurnFlag[],
  view: Customer360State,
  at: string,
  config: ChurnConfig = DEFAULT_CHURN_CONFIG,
  domain: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): ChurnStep => {
  const evaluated = view.mergedInto !== null ? [] : evaluateChurn(view, at, config, domain);
  const diff = diffFlags(open, evaluated, at);
  return { ...diff, riskScore: churnRiskScore(diff.open, config.weights) };
};

export interface ShadowFlagChange {
  readonly code: ChurnCode;
  readonly change: 'raise' | 'clear';
  readonly reason: string;
}

/**
 * What a candidate churn configuration would change against the open flags (shadow runs):
 * flags it would raise and open flags it would clear, with the reason (the candidate's for
 * a raise, the open flag's for a clear).
 */
export const shadowChurnChanges = (
  open: readonly OpenChurnFlag[],
  view: Customer360State,
  at: string,
  candidate: ChurnConfig,
  domain: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): ShadowFlagChange[] => {
  const step = reevaluateChurn(open, view, at, candidate, domain);
  return [
    ...step.raised.map((f) => ({ code: f.code, change: 'raise' as const, reason: f.reason })),
    ...step.cleared.map((f) => ({ code: f.code, change: 'clear' as const, reason: `no longer holds (was: ${f.reason})` })),
  ];
};

/** A configured churn configuration with a rule version's overrides layered on top (per section). */
export const layerChurnConfig = (base: ChurnConfig, overrides: ChurnConfigOverrides = {}): ChurnConfig => ({
  inactivity: { ...base.inactivity, ...overrides.inactivity },
  balanceDrain: { ...base.balanceDrain, ...overrides.balanceDrain },
  salaryStopped: { ...base.salaryStopped, ...overrides.salaryStopped },
  largeTransferOut: { ...base.largeTransferOut, ...overrides.largeTransferOut },
  complaintSlaHours: { ...base.complaintSlaHours, ...overrides.complaintSlaHours },
  productClosures: { ...base.productClosures, ...overrides.productClosures },
  npsDetractor: { ...base.npsDetractor, ...overrides.npsDetractor },
  managerChanged: { ...base.managerChanged, ...overrides.managerChanged },
  weights: { ...base.weights, ...overrides.weights },
});

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Validates churn rule overrides that arrived as JSON (a new churn rule version at run time):
 * known sections and keys only, numbers where the defaults have numbers (non-negative;
 * weights 0..1), tier lists of known tiers. Lists every problem (empty: valid).
 */
export const churnConfigOverridesErrors = (input: unknown): string[] => {
  if (!isRecord(input)) return ['churn rules: must be an object'];
  const errors: string[] = [];
  const defaults = DEFAULT_CHURN_CONFIG as unknown as Record<string, Record<string, unknown>>;
  for (const [section, value] of Object.entries(input)) {
    const known = defaults[section];
    if (known === undefined) {
      errors.push(`${section}: unknown section`);
      continue;
    }
    if (!isRecord(value)) {
      errors.push(`${section}: must be an object`);
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      const d = known[key];
      if (d === undefined) errors.push(`${section}.${key}: unknown setting`);
      else if (typeof d === 'number') {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) errors.push(`${section}.${key}: non-negative number required`);
        else if (section === 'weights' && v > 1) errors.push(`${section}.${key}: weight must be within 0..1`);
      } else if (Array.isArray(d)) {
        const tiers = ['top', 'important', 'core', 'mass'];
        if (!Array.isArray(v) || !v.every((t) => typeof t === 'string' && tiers.includes(t)))
          errors.push(`${section}.${key}: array of tiers (${tiers.join(', ')}) required`);
      }
    }
  }
  return errors;
};
