import type { Caller } from '../caller';
import { decodeCursor, encodeCursor, parseLimit, type Page } from '../paging/cursor';
import type { AuditLogRepository, AuditRecord } from '../persistence/audit-log.repository';
import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';
import type { AuditService } from './audit.service';

export interface AuditQueryParams {
  readonly customerId?: string;
  readonly client?: string;
  readonly action?: string;
  readonly outcome?: string;
  readonly from?: string;
  readonly to?: string;
  readonly cursor?: string;
  readonly limit?: string;
}

const time = (name: string, raw: string | undefined): Date | undefined => {
  if (raw === undefined || raw === '') return undefined;
  const t = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(t.getTime())) throw new QueryApiError(QueryApiErrorCode.InvalidTime, `${name} must be an ISO 8601 time.`);
  return t;
};

const text = (name: string, raw: string | undefined): string | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > 128) throw new QueryApiError(QueryApiErrorCode.InvalidQuery, `${name} is too long.`);
  return raw;
};

/** Operators' view of the audit log (newest first, cursor paged). Querying it is audited too. */
export class OpsAuditService {
  constructor(
    private readonly repo: AuditLogRepository,
    private readonly audit: AuditService,
  ) {}

  async find(params: AuditQueryParams, caller: Caller): Promise<Page<AuditRecord>> {
    const limit = parseLimit(params.limit);
    let beforeId: string | undefined;
    if (params.cursor) {
      const id = decodeCursor('audit', params.cursor)['before'];
      if (typeof id !== 'string' || !/^\d{1,19}$/.test(id)) throw new QueryApiError(QueryApiErrorCode.InvalidCursor, 'The cursor is not one this listing issued.');
      beforeId = id;
    }
    const query = {
      customerId: text('customerId', params.customerId),
      client: text('client', params.client),
      action: text('action', params.action),
      outcome: text('outcome', params.outcome),
      from: time('from', params.from),
      to: time('to', params.to),
      beforeId,
    };
    await this.audit.record(caller, { action: 'ops.audit', customerId: query.customerId ?? null, piiShown: false, outcome: 'ok' });
    const rows = await this.repo.find({ ...query, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor('audit', { before: last.id }) : null };
  }
}
