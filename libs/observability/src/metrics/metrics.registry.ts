import { collectDefaultMetrics, Registry } from 'prom-client';

/** DI token for the process's prom-client Registry; modules add their own metrics to it. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** A fresh registry with Node's default metrics, prefixed c360_. One per process (or per test). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'c360_' });
  return registry;
}
