import { Injectable } from '@nestjs/common';

/** One thing readiness depends on: a reachable database, a running consumer, applied migrations… */
export interface ReadinessIndicator {
  /** Stable key in the /health/ready body, e.g. "database". */
  readonly name: string;
  /** Resolves with up/down; throwing or taking longer than the timeout counts as down. */
  check(): Promise<IndicatorState>;
}

export interface IndicatorState {
  readonly up: boolean;
  /** Small, non-personal facts for operators (latency, lag, reason). */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export interface IndicatorOutcome extends IndicatorState {
  readonly name: string;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness composed from indicators other modules register at init. Ready means every
 * indicator is up and the process is not draining for shutdown.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly indicators = new Map<string, ReadinessIndicator>();
  private draining = false;

  /** Adds an indicator; returns a function that removes it again. */
  register(indicator: ReadinessIndicator): () => void {
    if (this.indicators.has(indicator.name)) throw new Error(`readiness indicator "${indicator.name}" is already registered`);
    this.indicators.set(indicator.name, indicator);
    return () => {
      this.indicators.delete(indicator.name);
    };
  }

  /** From now on the process reports not ready, so load balancers stop sending work before it stops. */
  markDraining(): void {
    this.draining = true;
  }

  async checkAll(): Promise<IndicatorOutcome[]> {
    const outcomes = await Promise.all([...this.indicators.values()].map((i) => runCheck(i)));
    if (this.draining) outcomes.push({ name: 'shutdown', up: false, details: { reason: 'draining' } });
    return outcomes;
  }
}

async function runCheck(indicator: ReadinessIndicator): Promise<IndicatorOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<IndicatorState>((resolve) => {
    timer = setTimeout(() => resolve({ up: false, details: { reason: `no answer within ${CHECK_TIMEOUT_MS} ms` } }), CHECK_TIMEOUT_MS);
  });
  try {
    const state = await Promise.race([indicator.check(), timeout]);
    return { name: indicator.name, ...state };
  } catch (e) {
    // Only the error class and code: driver messages can include connection strings.
    const code = (e as { code?: unknown }).code;
    return { name: indicator.name, up: false, details: { reason: (e as Error).name ?? 'Error', ...(typeof code === 'string' ? { code } : {}) } };
  } finally {
    clearTimeout(timer);
  }
}
