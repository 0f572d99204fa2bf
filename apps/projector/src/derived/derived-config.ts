import { DEFAULT_DERIVED_TOPIC } from '@c360/contracts';
import {
  resolveChurnConfig,
  resolveDomainConfig,
  type ChurnConfig,
  type DomainConfig,
} from '@c360/customer-domain';
import { ProjectorConfigError } from '../projector-config';

/**
 * Settings of the derived views (segments, churn flags, derived events). Parsed once from an
 * environment record. Belongs in libs/config once it grows a projector section (noted for
 * the lead); the thresholds are the domain's typed configs with these overrides.
 */
export interface DerivedConfig {
  /** Topic derived events are published to. */
  readonly topic: string;
  /** Clock sweepers' period (churn rules and time-windowed segments that change with time alone); 0 disables them. */
  readonly sweepIntervalMs: number;
  /** How often the outbox relay polls for unsent derived events. */
  readonly relayIntervalMs: number;
  readonly relayBatchSize: number;
  /** Customers per page/transaction in sweeps, activations and shadow runs. */
  readonly pageSize: number;
  readonly domain: DomainConfig;
  readonly churn: ChurnConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

const num = (env: Env, name: string, min: number, max: number, integer = true): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max)
    throw new ProjectorConfigError(name, `${integer ? 'an integer' : 'a number'} ${min}-${max}`);
  return n;
};

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function parseDerivedConfig(env: Env): DerivedConfig {
  const topic = env['DERIVED_TOPIC'] ?? DEFAULT_DERIVED_TOPIC;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new ProjectorConfigError('DERIVED_TOPIC', 'a Kafka topic name');
  const money = 1e15;
  const domain = resolveDomainConfig({
    tiers: defined({
      top: num(env, 'TIER_TOP_MIN_MINOR', 0, money),
      important: num(env, 'TIER_IMPORTANT_MIN_MINOR', 0, money),
      core: num(env, 'TIER_CORE_MIN_MINOR', 0, money),
    }),
  });
  if (!(domain.tiers.top >= domain.tiers.important && domain.tiers.important >= domain.tiers.core))
    throw new ProjectorConfigError('TIER_*_MIN_MINOR', 'top ≥ important ≥ core');
  const churn = resolveChurnConfig({
    inactivity: defined({ days: num(env, 'CHURN_INACTIVITY_DAYS', 1, 3650) }),
    balanceDrain: defined({
      dropPct: num(env, 'CHURN_BALANCE_DRAIN_PCT', 0, 100, false),
      windowDays: num(env, 'CHURN_BALANCE_DRAIN_WINDOW_DAYS', 1, 90),
    }),
    salaryStopped: defined({ missedIntervalFactor: num(env, 'CHURN_SALARY_MISSED_FACTOR', 1, 10, false) }),
    largeTransferOut: defined({ minAmountMinor: num(env, 'CHURN_LARGE_TRANSFER_MIN_MINOR', 0, money) }),
    complaintSlaHours: defined({
      high: num(env, 'CHURN_COMPLAINT_SLA_HIGH_HOURS', 1, 10_000),
      medium: num(env, 'CHURN_COMPLAINT_SLA_MEDIUM_HOURS', 1, 10_000),
      low: num(env, 'CHURN_COMPLAINT_SLA_LOW_HOURS', 1, 10_000),
    }),
    npsDetractor: defined({ maxScore: num(env, 'CHURN_NPS_DETRACTOR_MAX', 0, 10) }),
  });
  return {
    topic,
    sweepIntervalMs: num(env, 'CHURN_SWEEP_INTERVAL_MS', 0, 86_400_000) ?? 60_000,
    relayIntervalMs: num(env, 'OUTBOX_RELAY_INTERVAL_MS', 10, 600_000) ?? 200,
    relayBatchSize: num(env, 'OUTBOX_RELAY_BATCH', 1, 10_000) ?? 500,
    pageSize: num(env, 'DERIVED_PAGE_SIZE', 1, 10_000) ?? 200,
    domain,
    churn,
  };
}
