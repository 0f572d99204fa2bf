import { DEFAULT_DERIVED_TOPIC } from '@c360/contracts';
import {
  DEFAULT_DOMAIN_CONFIG,
  evaluationTime,
  membershipMayChange,
  nextMembershipChangeAt,
  reevaluateMembership,
  timeSensitiveSegments,
  toMs,
} from '@c360/customer-domain';
import {
  membershipHistoryRows,
  nowOf,
  pageSizeOf,
  PeriodicSweep,
  persistMembership,
  sweepRulesFingerprint,
  type DerivedServiceOptions,
  type DerivedStore,
} from '@c360/projections';

export interface SegmentSweepResult {
  readonly customers: number;
  /** Customers whose time-windowed segments were re-evaluated (a change point passed). */
  readonly evaluated: number;
  readonly entered: number;
  readonly left: number;
}

/** The advisory-lock name: one segment sweep at a time across projector processes. */
export const SEGMENT_SWEEPER_JOB = 'segment-sweeper';

/**
 * The segment clock sweeper: time-windowed segments (digital-first, branch-reliant, growth,
 * potential, unprofitable — any active segment whose rule reads a windowed or age fact) move
 * with the clock, not only when the customer's next event arrives. Each sweep pages through
 * the surviving customers (rows locked per page, so it serialises with the live projection),
 * and re-evaluates those segments at the clock's `now` for the customers whose facts can have
 * changed between their own evaluation time and now (a bucket left a window, a balance
 * turned 90 days old…: `membershipMayChange`). Entered / left go to the membership history with the sweep's
 * time, rule version and cause `segment-sweep@<now>`, and to the outbox as derived events, in
 * the page's transaction. A customer whose membership changed gets the clock watermark
 * (customer_clock, shared with the churn sweeper), so views that honour it never evaluate a
 * late event before the sweep's time. (The segments view does not read it yet: a late event
 * after a sweep is evaluated at the customer's newest business time.)
 */
export class SegmentSweeper {
  private readonly periodic: PeriodicSweep;

  constructor(
    private readonly store: DerivedStore,
    private readonly options: DerivedServiceOptions & { readonly intervalMs?: number } = {},
  ) {
    this.periodic = new PeriodicSweep(() => this.sweepOnce(), options.intervalMs);
  }

  /** Why the last timed sweep failed (it is retried next tick), for status and tests. */
  get lastError(): string | null {
    return this.periodic.lastError;
  }

  /** One sweep at the clock's now; null if another process is sweeping. */
  async sweepOnce(): Promise<SegmentSweepResult | null> {
    const now = nowOf(this.options).toISOString();
    return this.store.exclusive(SEGMENT_SWEEPER_JOB, () => this.pass(now));
  }

  /**
   * A customer is re-evaluated when a change point of its facts lies between its own
   * evaluation time (newest business time, or its clock watermark) and now. Either way the
   * sweep then records the customer's next change point (`nextMembershipChangeAt`), and later
   * sweeps pass over the customer without reading its state until that time — unless its row
   * changed (an event, a merge, a rebuild) or the time-windowed segment definitions did.
   */
  private async pass(now: string): Promise<SegmentSweepResult> {
    const domain = this.options.domain ?? DEFAULT_DOMAIN_CONFIG;
    const active = timeSensitiveSegments(await this.store.transaction((tx) => tx.segments.activeDefinitions()));
    const rules = sweepRulesFingerprint({ active, domain });
    const topic = this.options.topic ?? DEFAULT_DERIVED_TOPIC;
    const cause = `segment-sweep@${now}`;
    // Caused by the clock, not by an event: the sweep starts a trace that its derived events carry.
    const trace = this.options.newTrace?.();
    const limit = pageSizeOf(this.options);
    let after: string | null = null;
    const totals = { customers: 0, evaluated: 0, entered: 0, left: 0 };
    for (;;) {
      const last: string | null = await this.store.transaction(async (tx) => {
        const page = await tx.customers.page({ after, limit, lock: true, survivorsOnly: true, dueBy: { sweep: 'segments', now, rules } });
        const definitions = timeSensitiveSegments(await tx.segments.activeDefinitions());
        const deadlines: { customerId: string; dueAt: string | null }[] = [];
        for (const c of definitions.length === 0 ? [] : page) {
          // From the customer's own business time, not the clock watermark: the churn sweeper
          // moves that watermark too (when a flag changes), which says nothing about segments —
          // skipping on it let a churn sweep that ran first hide a segment change for good.
          const own = evaluationTime(c.state);
          if (own === null) continue;
          // Membership stands as evaluated at the later of its own time and now, until the next change point.
          const evaluatedAt = toMs(own) >= toMs(now) ? own : now;
          if (evaluatedAt !== own && membershipMayChange(c.state, definitions, own, now, domain)) {
            totals.evaluated++;
            const initial = await tx.segments.membershipOf(c.customerId);
            const step = reevaluateMembership(initial, definitions, c.state, now, domain);
            if (step.transitions.length > 0) {
              totals.entered += step.transitions.filter((t) => t.change === 'entered').length;
              totals.left += step.transitions.filter((t) => t.change === 'left').length;
              const history = membershipHistoryRows(c.customerId, step.transitions, c.lastRevision, cause);
              await persistMembership(tx, c.customerId, initial, step.members, history, topic, () => trace);
              await tx.churn.setSweptAt(c.customerId, now);
            }
          }
          deadlines.push({ customerId: c.customerId, dueAt: nextMembershipChangeAt(c.state, definitions, evaluatedAt, domain) });
        }
        // After the page's writes (they rewrite the rows these deadlines are bound to).
        await tx.sweepDeadlines.set('segments', deadlines, rules);
        totals.customers += page.length;
        return page.length < limit ? null : (page[page.length - 1]?.customerId ?? null);
      });
      if (last === null) return totals;
      after = last;
    }
  }

  /** Sweeps every `intervalMs` (default 60 s) until stop; a failed sweep is retried next tick. */
  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
