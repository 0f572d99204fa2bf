import {
  churnConfigOverridesErrors,
  DEFAULT_CHURN_CONFIG,
  DEFAULT_DOMAIN_CONFIG,
  evaluationTime,
  layerChurnConfig,
  nextChurnChange,
  type ChurnConfigOverrides,
  type Customer360State,
} from '@c360/customer-domain';
import { evaluateAndPersistChurn } from './churn.view';
import { DerivedError, DerivedErrorCode } from './derived.errors';
import type { DerivedTrace } from './derived.ports';
import type { ChurnRuleRecord, CustomerPageQuery, CustomerSnapshot, DerivedStore, DerivedTransaction } from './derived-store.port';
import { nowOf, pageSizeOf, type DerivedServiceOptions } from './derived-services.options';
import { PeriodicSweep, sweepRulesFingerprint } from './periodic-sweep';

export interface ChurnPassResult {
  readonly customers: number;
  /** Customers whose flags or score changed. */
  readonly changed: number;
}

/** One customer a churn pass evaluated, and the time it evaluated it at. */
export interface ChurnPassEvaluation {
  readonly customer: CustomerSnapshot;
  readonly at: string;
  /** A flag was raised or cleared. */
  readonly changed: boolean;
}

export interface ChurnPassOptions {
  readonly query: Omit<CustomerPageQuery, 'after' | 'limit' | 'lock'>;
  /** Names the pass: history and event ids stay exactly once if a pass is repeated. */
  readonly cause: string;
  /** When to evaluate a customer (null: not at all), from its state and its last clock sweep. */
  readonly at: (state: Customer360State, sweptAt: string | null) => string | null;
  /** After each page's evaluations, in the page's transaction. */
  readonly afterPage?: (tx: DerivedTransaction, evaluated: readonly ChurnPassEvaluation[]) => Promise<void>;
  /** Carried by the derived events, if any. */
  readonly trace?: DerivedTrace;
}

/**
 * Pages through customers (current customer_360 state, rows locked per page) and re-evaluates
 * their churn flags at the time `at` gives. A page's open flags and sweep times are read in
 * one go (when the store can), so an evaluation that changes nothing costs no statement of its own.
 */
export async function churnPass(store: DerivedStore, options: DerivedServiceOptions, pass: ChurnPassOptions): Promise<ChurnPassResult> {
  const limit = pageSizeOf(options);
  let after: string | null = null;
  let customers = 0;
  let changed = 0;
  for (;;) {
    const last: string | null = await store.transaction(async (tx) => {
      const page = await tx.customers.page({ ...pass.query, after, limit, lock: true });
      await tx.churn.prefetch?.(page.map((c) => c.customerId));
      const evaluated: ChurnPassEvaluation[] = [];
      for (const c of page) {
        const when = pass.at(c.state, await tx.churn.sweptAt(c.customerId));
        if (when === null) continue;
        const didChange = await evaluateAndPersistChurn(
          tx,
          { customerId: c.customerId, steps: [{ state: c.state, at: when, cause: pass.cause, trace: pass.trace }], currentRiskScore: c.churnRiskScore },
          options,
        );
        if (didChange) changed++;
        evaluated.push({ customer: c, at: when, changed: didChange });
      }
      await pass.afterPage?.(tx, evaluated);
      customers += page.length;
      return page.length < limit ? null : (page[page.length - 1]?.customerId ?? null);
    });
    if (last === null) return { customers, changed };
    after = last;
  }
}

/** Churn rule versions at run time: overrides on top of the configured thresholds. */
export class ChurnRulesService {
  constructor(
    private readonly store: DerivedStore,
    private readonly options: DerivedServiceOptions = {},
  ) {}

  list(): Promise<ChurnRuleRecord[]> {
    return this.store.transaction((tx) => tx.churnRules.list());
  }

  /** Adds the next churn rule version (validated), in shadow unless `active` (then activated at once). */
  async addVersion(overrides: unknown, status: 'shadow' | 'active' = 'shadow'): Promise<ChurnRuleRecord> {
    const errors = churnConfigOverridesErrors(overrides);
    if (errors.length > 0) throw new DerivedError(DerivedErrorCode.InvalidDefinition, 'invalid churn rules', errors);
    const version = await this.store.transaction(async (tx) => {
      const v = (await tx.churnRules.latestVersion()) + 1;
      await tx.churnRules.insert(v, overrides as ChurnConfigOverrides, 'shadow');
      return v;
    });
    if (status === 'active') await this.activate(version);
    const record = await this.store.transaction((tx) => tx.churnRules.get(version));
    if (record === null) throw new DerivedError(DerivedErrorCode.NotFound, `churn rules v${version} vanished`);
    return record;
  }

  /** Activates a version (retiring the previous) and re-evaluates every customer's flags from current state. */
  async activate(version: number): Promise<ChurnPassResult> {
    await this.store.transaction(async (tx) => {
      const record = await tx.churnRules.get(version);
      if (record === null) throw new DerivedError(DerivedErrorCode.NotFound, `churn rules v${version} not found`);
      if (record.status !== 'active') await tx.churnRules.setStatus(version, 'active');
    });
    return churnPass(this.store, this.options, {
      query: { survivorsOnly: false },
      cause: `churn-rules@${version}`,
      at: (state, sweptAt) => evaluationTime(state, sweptAt),
    });
  }
}

/**
 * The clock sweeper: re-evaluates, against the clock, the customers whose churn flags can
 * have changed with time alone since their last evaluation (usual channels gone silent, a
 * complaint past its SLA, a salary missed, a window moved on: see nextChurnChange), page by
 * page, so a customer who goes silent is flagged without sending anything. One sweep at a
 * time across processes (advisory lock).
 */
export class ChurnSweeper {
  private readonly periodic: PeriodicSweep;

  constructor(
    private readonly store: DerivedStore,
    private readonly options: DerivedServiceOptions & { readonly intervalMs?: number } = {},
  ) {
    this.periodic = new PeriodicSweep(() => this.sweepOnce(), options.intervalMs);
  }

  /**
   * One sweep at the clock's now; null if another process is sweeping. Evaluates only the
   * customers that are due: each evaluation records when the customer's flags can next change
   * with the clock alone (`nextChurnChange`), and a customer is skipped until then — unless
   * its row changed since (an event, a merge, a rebuild) or the churn rules did.
   */
  sweepOnce(): Promise<ChurnPassResult | null> {
    const now = nowOf(this.options).toISOString();
    return this.store.exclusive('churn-sweeper', async () => {
      const active = await this.store.transaction((tx) => tx.churn.activeRules());
      const config = layerChurnConfig(this.options.churn ?? DEFAULT_CHURN_CONFIG, active.overrides);
      const domain = this.options.domain ?? DEFAULT_DOMAIN_CONFIG;
      const rules = `v${active.version}:${sweepRulesFingerprint({ config, domain })}`;
      return churnPass(this.store, this.options, {
        query: { survivorsOnly: true, dueBy: { sweep: 'churn', now, rules } },
        cause: `sweep@${now}`,
        at: (state, sweptAt) => {
          const own = evaluationTime(state, sweptAt);
          // Never evaluate before what the customer's own events (or a later sweep) already saw.
          return own !== null && own > now ? own : now;
        },
        afterPage: async (tx, evaluated) => {
          for (const e of evaluated) {
            // The watermark keeps a late event from evaluating this customer before the sweep's time.
            if (e.changed) await tx.churn.setSweptAt(e.customer.customerId, e.at);
          }
          // After the page's writes (they rewrite the rows these deadlines are bound to).
          await tx.sweepDeadlines.set(
            'churn',
            evaluated.map((e) => ({ customerId: e.customer.customerId, dueAt: nextChurnChange(e.customer.state, e.at, config) })),
            rules,
          );
        },
        // Caused by the clock, not by an event: the sweep starts a trace of its own.
        trace: this.options.newTrace?.(),
      });
    });
  }

  /** Sweeps every `intervalMs` (default 60 s) until stop; a failed sweep is retried next tick. */
  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
