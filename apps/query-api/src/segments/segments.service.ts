import type { AuditService } from '../audit/audit.service';
import type { Caller } from '../caller';
import { decodeCursor, encodeCursor, parseLimit, type Page } from '../paging/cursor';
import type { SqlClient } from '../persistence/sql-client';
import { assertIdentifier } from '../persistence/sql-client';
import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';

export interface SegmentDto {
  readonly segmentId: string;
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly scope: unknown;
  readonly members: number;
}

export interface SegmentMemberDto {
  readonly customerId: string;
  readonly since: string;
  readonly ruleVersion: number;
  readonly reason: string;
  readonly tier: string | null;
  readonly region: string | null;
}

export interface ChurnFlagDto {
  readonly flagId: string;
  readonly customerId: string;
  readonly code: string;
  readonly status: string;
  readonly reason: string;
  readonly evidenceEventIds: readonly string[];
  readonly since: string;
  readonly raisedAt: string;
  readonly clearedAt: string | null;
  readonly riskScore: number | null;
  readonly tier: string | null;
  readonly region: string | null;
}

const text = (name: string, raw: string | undefined, pattern: RegExp): string | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (!pattern.test(raw)) throw new QueryApiError(QueryApiErrorCode.InvalidQuery, `${name} is not valid.`);
  return raw;
};

/** How concentrated relationship value is: a Lorenz curve in 5% steps (aggregates only, no customer data). */
export interface ValueConcentrationDto {
  readonly customers: number;
  readonly totalValueMinor: number;
  /** Share of the book's value held by its top 20% of customers (the "20/80" check). */
  readonly top20Share: number;
  /** Cumulative share of value (y) held by the smallest x share of customers, x = 0, 0.05, …, 1. */
  readonly curve: readonly { readonly x: number; readonly y: number }[];
}

/** The read models' tables of the segments and churn projections are missing (not migrated yet). */
const missingTable = (e: unknown): boolean => (e as { code?: string }).code === '42P01';

/**
 * Segments and churn flags over the read models of the segments and churn projections
 * (segment_definitions, segment_membership, churn_flags) joined with customer_360 for tier,
 * region and risk. Listings are keyset-paged; each listing is audited (one record per page,
 * with its size: the ids listed are customers' data too).
 */
export class SegmentsService {
  private readonly s: string;

  constructor(
    private readonly db: SqlClient,
    schema: string,
    private readonly audit: AuditService,
  ) {
    this.s = assertIdentifier(schema);
  }

  async segments(): Promise<SegmentDto[]> {
    const { rows } = await this.query<{ id: string; version: number; definition: { name?: string; description?: string; scope?: unknown }; members: number }>(
      `SELECT d.id, d.version, d.definition, (SELECT count(*)::int FROM ${this.s}.segment_membership m WHERE m.segment_id = d.id) AS members
         FROM ${this.s}.segment_definitions d WHERE d.status = 'active' ORDER BY d.id`,
      [],
    );
    return rows.map((r) => ({ segmentId: r.id, version: r.version, name: r.definition.name ?? r.id, description: r.definition.description ?? '', scope: r.definition.scope ?? null, members: r.members }));
  }

  async members(segmentId: string, q: { cursor?: string; limit?: string }, caller: Caller): Promise<Page<SegmentMemberDto>> {
    const limit = parseLimit(q.limit);
    let after = '';
    if (q.cursor) {
      const c = decodeCursor(`members:${segmentId}`, q.cursor)['after'];
      if (typeof c !== 'string') throw new QueryApiError(QueryApiErrorCode.InvalidCursor, 'The cursor is not one this listing issued.');
      after = c;
    }
    const exists = await this.query<{ id: string }>(`SELECT id FROM ${this.s}.segment_definitions WHERE id = $1 AND status = 'active'`, [segmentId]);
    if (exists.rows.length === 0) throw new QueryApiError(QueryApiErrorCode.SegmentNotFound, 'No such active segment.');
    const { rows } = await this.query<{ customer_id: string; since: Date; rule_version: number; reason: string; tier: string | null; region: string | null }>(
      `SELECT m.customer_id, m.since, m.rule_version, m.reason, c.tier, c.region
         FROM ${this.s}.segment_membership m LEFT JOIN ${this.s}.customer_360 c ON c.customer_id = m.customer_id
        WHERE m.segment_id = $1 AND m.customer_id > $2 ORDER BY m.customer_id LIMIT $3`,
      [segmentId, after, limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => ({ customerId: r.customer_id, since: r.since.toISOString(), ruleVersion: r.rule_version, reason: r.reason, tier: r.tier, region: r.region }));
    await this.audit.record(caller, { action: 'segment.members', customerId: null, fields: ['customerId', 'tier', 'region'], piiShown: false, outcome: 'ok', detail: { segmentId, count: items.length } });
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(`members:${segmentId}`, { after: last.customerId }) : null };
  }

  async churnFlags(q: { status?: string; minScore?: string; tier?: string; region?: string; cursor?: string; limit?: string }, caller: Caller): Promise<Page<ChurnFlagDto>> {
    const limit = parseLimit(q.limit);
    const status = q.status === undefined || q.status === '' ? 'open' : q.status;
    if (status !== 'open' && status !== 'cleared') throw new QueryApiError(QueryApiErrorCode.InvalidQuery, 'status must be open or cleared.');
    const minScore = text('minScore', q.minScore, /^(100|[1-9]?\d)$/);
    const tier = text('tier', q.tier, /^(top|important|core|mass)$/);
    const region = text('region', q.region, /^[\w.-]{1,64}$/);
    const params: unknown[] = [status];
    const where = ['f.status = $1'];
    if (minScore !== undefined) where.push(`c.churn_risk_score >= $${params.push(Number(minScore))}`);
    if (tier !== undefined) where.push(`c.tier = $${params.push(tier)}`);
    if (region !== undefined) where.push(`c.region = $${params.push(region)}`);
    if (q.cursor) {
      const c = decodeCursor('churn', q.cursor);
      if (typeof c['at'] !== 'string' || typeof c['id'] !== 'string') throw new QueryApiError(QueryApiErrorCode.InvalidCursor, 'The cursor is not one this listing issued.');
      where.push(`(f.raised_at, f.flag_id) < ($${params.push(c['at'])}::timestamptz, $${params.push(c['id'])}::uuid)`);
    }
    const { rows } = await this.query<{
      flag_id: string;
      customer_id: string;
      code: string;
      status: string;
      reason: string;
      evidence_event_ids: string[];
      since: Date;
      raised_at: Date;
      raised_at_text: string;
      cleared_at: Date | null;
      churn_risk_score: number | null;
      tier: string | null;
      region: string | null;
    }>(
      `SELECT f.flag_id::text AS flag_id, f.customer_id, f.code, f.status, f.reason, f.evidence_event_ids, f.since, f.raised_at,
              to_char(f.raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS raised_at_text, f.cleared_at,
              c.churn_risk_score, c.tier, c.region
         FROM ${this.s}.churn_flags f LEFT JOIN ${this.s}.customer_360 c ON c.customer_id = f.customer_id
        WHERE ${where.join(' AND ')} ORDER BY f.raised_at DESC, f.flag_id DESC LIMIT $${params.push(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    await this.audit.record(caller, { action: 'churn.flags', customerId: null, fields: ['customerId', 'churn'], piiShown: false, outcome: 'ok', detail: { status, count: page.length } });
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        flagId: r.flag_id,
        customerId: r.customer_id,
        code: r.code,
        status: r.status,
        reason: r.reason,
        evidenceEventIds: r.evidence_event_ids,
        since: r.since.toISOString(),
        raisedAt: r.raised_at.toISOString(),
        clearedAt: r.cleared_at?.toISOString() ?? null,
        riskScore: r.churn_risk_score,
        tier: r.tier,
        region: r.region,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor('churn', { at: last.raised_at_text, id: last.flag_id }) : null,
    };
  }

  async valueConcentration(): Promise<ValueConcentrationDto> {
    const steps = 20;
    // Negative values (net borrowers) count as zero: the curve shares out what customers hold.
    const { rows } = await this.query<{ bucket: number; customers: number; value: string }>(
      `WITH v AS (SELECT GREATEST(relationship_value_minor, 0) AS value,
                         row_number() OVER (ORDER BY relationship_value_minor, customer_id) AS rn, count(*) OVER () AS n
                    FROM ${this.s}.customer_360 WHERE merged_into IS NULL)
       SELECT ceil(rn * ${steps}.0 / n)::int AS bucket, count(*)::int AS customers, sum(value)::text AS value FROM v GROUP BY 1 ORDER BY 1`,
      [],
    );
    const customers = rows.reduce((a, r) => a + r.customers, 0);
    const total = rows.reduce((a, r) => a + Number(r.value), 0);
    const curve = [{ x: 0, y: 0 }];
    let acc = 0;
    for (let b = 1; b <= steps; b += 1) {
      acc += Number(rows.find((r) => r.bucket === b)?.value ?? 0);
      curve.push({ x: b / steps, y: total > 0 ? acc / total : b / steps });
    }
    const bottom80 = curve[Math.round(steps * 0.8)]?.y ?? 0.8;
    return { customers, totalValueMinor: total, top20Share: total > 0 ? 1 - bottom80 : 0, curve };
  }

  private async query<R extends object>(sql: string, params: readonly unknown[]): Promise<{ rows: R[] }> {
    try {
      return await this.db.query<R>(sql, params);
    } catch (e) {
      if (missingTable(e)) throw new QueryApiError(QueryApiErrorCode.Unavailable, 'The segments and churn read models are not available yet.', 30);
      throw e;
    }
  }
}
