import { ConfigError, loadDomainThresholds, type DomainThresholds } from '@c360/config';
import { DEFAULT_DERIVED_TOPIC } from '@c360/contracts';
import type { ChurnConfig, DomainConfig } from '@c360/customer-domain';
import { ProjectorConfigError } from '../projector-config';

/**
 * Settings of the derived views (segments, churn flags, derived events). Parsed once from an
 * environment record. The projector-only settings belong in libs/config once it grows a
 * projector section; the thresholds (TIER_*, CHURN_*) already come from there
 * (loadDomainThresholds), so the projector and the query API compute with the same ones.
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

/**
 * The thresholds from libs/config, a refused one as a ProjectorConfigError naming it (so the
 * projector's start and the platform's report it like every other projector setting).
 */
function thresholdsOf(env: Env): DomainThresholds {
  try {
    return loadDomainThresholds(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const setting = e.settings[0] ?? 'TIER_*/CHURN_*';
    const problem = e.problems[0] ?? 'invalid';
    const rule = problem.startsWith(`${setting} must be `) ? problem.slice(`${setting} must be `.length) : problem;
    throw new ProjectorConfigError(setting, rule);
  }
}

/**
 * `thresholds`: the domain thresholds when the caller already has them (the platform's
 * AppConfig); otherwise they are read from `env` by libs/config's rules.
 */
export function parseDerivedConfig(env: Env, thresholds?: DomainThresholds): DerivedConfig {
  const topic = env['DERIVED_TOPIC'] ?? DEFAULT_DERIVED_TOPIC;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new ProjectorConfigError('DERIVED_TOPIC', 'a Kafka topic name');
  const { domain, churn } = thresholds ?? thresholdsOf(env);
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
