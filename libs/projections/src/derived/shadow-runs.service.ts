import {
  DEFAULT_CHURN_CONFIG,
  DEFAULT_DOMAIN_CONFIG,
  evaluationTime,
  layerChurnConfig,
  shadowChurnChanges,
  shadowMembershipChange,
} from '@c360/customer-domain';
import { DerivedError, DerivedErrorCode } from './derived.errors';
import type { DerivedStore, ShadowChange, ShadowChangeKind, ShadowChangeRow, ShadowRunRecord } from './derived-store.port';
import { pageSizeOf, type DerivedServiceOptions } from './derived-services.options';

export interface ShadowReportPage {
  readonly run: ShadowRunRecord;
  readonly changes: readonly ShadowChangeRow[];
  /** Cursor for the next page (null: last page). */
  readonly next: string | null;
}

/**
 * Safe rule changes (item 7): a segment or churn rule version in `shadow` is evaluated over
 * every customer's current state WITHOUT touching memberships, flags or the outbox; the
 * difference against what is live (who would enter / leave, be flagged / cleared, and why)
 * is stored as a report, readable in pages. Activate afterwards with SegmentRulesService /
 * ChurnRulesService.
 */
export class ShadowRunsService {
  constructor(
    private readonly store: DerivedStore,
    private readonly options: DerivedServiceOptions = {},
  ) {}

  /** Runs a shadow evaluation of segment `id` at `version` (status shadow) and returns the stored summary. */
  async runSegment(id: string, version: number): Promise<ShadowRunRecord> {
    const candidate = await this.store.transaction(async (tx) => {
      const record = await tx.segmentDefinitions.get(id, version);
      if (record === null) throw new DerivedError(DerivedErrorCode.NotFound, `segment ${id}@${version} not found`);
      if (record.status !== 'shadow')
        throw new DerivedError(DerivedErrorCode.InvalidTransition, `segment ${id}@${version} is ${record.status}, not shadow`);
      return record.definition;
    });
    const domain = this.options.domain ?? DEFAULT_DOMAIN_CONFIG;
    return this.run('segment', id, version, async (tx, c) => {
      const at = evaluationTime(c.state);
      if (at === null) return [];
      const member = (await tx.segments.membershipOf(c.customerId)).some((m) => m.segmentId === id);
      const change = shadowMembershipChange(member, candidate, c.state, at, domain);
      return change === null ? [] : [{ customerId: c.customerId, subject: id, change: change.change, reason: change.reason }];
    });
  }

  /** Runs a shadow evaluation of churn rule version `version` (status shadow) against the open flags. */
  async runChurn(version: number): Promise<ShadowRunRecord> {
    const overrides = await this.store.transaction(async (tx) => {
      const record = await tx.churnRules.get(version);
      if (record === null) throw new DerivedError(DerivedErrorCode.NotFound, `churn rules v${version} not found`);
      if (record.status !== 'shadow')
        throw new DerivedError(DerivedErrorCode.InvalidTransition, `churn rules v${version} is ${record.status}, not shadow`);
      return record.overrides;
    });
    const config = layerChurnConfig(this.options.churn ?? DEFAULT_CHURN_CONFIG, overrides);
    const domain = this.options.domain ?? DEFAULT_DOMAIN_CONFIG;
    return this.run('churn', 'churn-rules', version, async (tx, c) => {
      const at = evaluationTime(c.state, await tx.churn.sweptAt(c.customerId));
      if (at === null) return [];
      const open = await tx.churn.openFlagsOf(c.customerId);
      return shadowChurnChanges(open, c.state, at, config, domain).map((x) => ({
        customerId: c.customerId,
        subject: x.code,
        change: x.change,
        reason: x.reason,
      }));
    });
  }

  async report(runId: string): Promise<ShadowRunRecord> {
    const run = await this.store.transaction((tx) => tx.shadowRuns.get(runId));
    if (run === null) throw new DerivedError(DerivedErrorCode.NotFound, `shadow run ${runId} not found`);
    return run;
  }

  /** One page of a report's changes (by customer id; `change` filters enter / leave / raise / clear). */
  async changes(runId: string, query: { after?: string | null; limit?: number; change?: ShadowChangeKind } = {}): Promise<ShadowReportPage> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1_000);
    return this.store.transaction(async (tx) => {
      const run = await tx.shadowRuns.get(runId);
      if (run === null) throw new DerivedError(DerivedErrorCode.NotFound, `shadow run ${runId} not found`);
      const rows = await tx.shadowRuns.changes(runId, { after: query.after ?? null, limit: limit + 1, change: query.change });
      const page = rows.slice(0, limit);
      return { run, changes: page, next: rows.length > limit ? (page[page.length - 1]?.seq ?? null) : null };
    });
  }

  private async run(
    kind: 'segment' | 'churn',
    target: string,
    version: number,
    evaluate: (
      tx: Parameters<Parameters<DerivedStore['transaction']>[0]>[0],
      customer: { customerId: string; state: Parameters<typeof evaluationTime>[0] },
    ) => Promise<ShadowChange[]>,
  ): Promise<ShadowRunRecord> {
    const runId = await this.store.transaction((tx) => tx.shadowRuns.create(kind, target, version));
    const limit = pageSizeOf(this.options);
    let after: string | null = null;
    let customers = 0;
    let entering = 0;
    let leaving = 0;
    try {
      for (;;) {
        const last: string | null = await this.store.transaction(async (tx) => {
          const page = await tx.customers.page({ after, limit, lock: false, survivorsOnly: false });
          const changes: ShadowChange[] = [];
          // A churn run reads each customer's open flags and sweep time: the page's in two statements.
          if (kind === 'churn') await tx.churn.prefetch?.(page.map((c) => c.customerId));
          for (const c of page) changes.push(...(await evaluate(tx, c)));
          await tx.shadowRuns.addChanges(runId, changes);
          customers += page.length;
          entering += changes.filter((c) => c.change === 'enter' || c.change === 'raise').length;
          leaving += changes.filter((c) => c.change === 'leave' || c.change === 'clear').length;
          return page.length < limit ? null : (page[page.length - 1]?.customerId ?? null);
        });
        if (last === null) break;
        after = last;
      }
      await this.store.transaction((tx) => tx.shadowRuns.finish(runId, { customers, entering, leaving }));
    } catch (e) {
      await this.store
        .transaction((tx) => tx.shadowRuns.finish(runId, { customers, entering, leaving, error: e instanceof Error ? e.message : String(e) }))
        .catch(() => undefined);
      throw e;
    }
    return this.report(runId);
  }
}
