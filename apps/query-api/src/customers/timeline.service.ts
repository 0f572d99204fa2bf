import { customerStreamId, IDENTITY_SCHEMES } from '@c360/contracts';
import { foldCustomer } from '@c360/customer-domain';
import type { AuditService } from '../audit/audit.service';
import type { Caller } from '../caller';
import type { ConsistencyService } from '../consistency/consistency.service';
import type { ErasableEventStore } from '../erasure/erasable-event-store';
import { decodeCursor, encodeCursor, parseLimit } from '../paging/cursor';
import type { CustomerReadRepository } from '../persistence/customer-read.repository';
import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';
import type { LookupResultDto, TimelineEntryDto, TimelinePageDto } from './customer-view.dto';
import { toTimelineEntryDto } from './customer-view.mapper';
import { notFound } from './customer-view.service';
import { CUSTOMER_ID } from './disclosure';

/** Events read per page at most (entries without a timeline line, e.g. balances, are skipped). */
const SCAN_FACTOR = 20;

/**
 * The complete timeline, from the customer's own stream (the read model keeps only the newest
 * 50): newest recorded first, paged by stream revision, so paging is stable while events are
 * appended. Each line is built by the domain fold from non-personal fields only.
 */
export class TimelineService {
  constructor(
    private readonly store: ErasableEventStore,
    private readonly consistency: ConsistencyService,
    private readonly audit: AuditService,
  ) {}

  async page(customerId: string, query: { cursor?: string; limit?: string; consistencyToken?: string }, caller: Caller): Promise<TimelinePageDto> {
    const limit = parseLimit(query.limit);
    let from: number | undefined;
    if (query.cursor !== undefined && query.cursor !== '') {
      const rev = decodeCursor('timeline', query.cursor)['rev'];
      if (typeof rev !== 'number' || !Number.isInteger(rev) || rev < 0)
        throw new QueryApiError(QueryApiErrorCode.InvalidCursor, 'The cursor is not one this listing issued; start again without it.');
      from = rev;
    }
    if (!CUSTOMER_ID.test(customerId)) {
      await this.audit.record(caller, { action: 'customer.timeline', customerId: null, piiShown: false, outcome: 'not-found' });
      throw notFound();
    }
    await this.consistency.waitFor(customerId, query.consistencyToken);
    const items: TimelineEntryDto[] = [];
    let next: number | null = null;
    let scanned = 0;
    let seenAny = from !== undefined;
    const streamId = customerStreamId(customerId);
    for await (const event of this.store.readStream(streamId, { direction: 'backwards', ...(from !== undefined ? { fromRevision: from } : {}), maxCount: limit * SCAN_FACTOR + 1 })) {
      seenAny = true;
      if (items.length === limit || scanned === limit * SCAN_FACTOR) {
        next = event.revision;
        break;
      }
      scanned++;
      const entry = foldCustomer(customerId, [event]).timeline[0];
      if (entry) items.push(toTimelineEntryDto(entry));
    }
    if (!seenAny) {
      await this.audit.record(caller, { action: 'customer.timeline', customerId, piiShown: false, outcome: 'not-found' });
      throw notFound();
    }
    await this.audit.record(caller, { action: 'customer.timeline', customerId, fields: ['timeline'], piiShown: false, outcome: 'ok', detail: { items: items.length } });
    return { customerId, items, nextCursor: next === null ? null : encodeCursor('timeline', { rev: next }) };
  }
}

/** Finds customers by a channel identity. The value searched for is never logged or audited. */
export class LookupService {
  constructor(
    private readonly reads: CustomerReadRepository,
    private readonly audit: AuditService,
  ) {}

  async lookup(scheme: string | undefined, value: string | undefined, caller: Caller): Promise<LookupResultDto> {
    if (scheme === undefined || !(IDENTITY_SCHEMES as readonly string[]).includes(scheme))
      throw new QueryApiError(QueryApiErrorCode.InvalidQuery, `channel must be an identity scheme: ${IDENTITY_SCHEMES.join(', ')}.`);
    if (value === undefined || value.length === 0 || value.length > 200)
      throw new QueryApiError(QueryApiErrorCode.InvalidQuery, 'id must be 1-200 characters.');
    const ids = await this.reads.lookup(scheme, value);
    if (ids.length === 0) {
      await this.audit.record(caller, { action: 'customer.lookup', customerId: null, piiShown: false, outcome: 'not-found', detail: { scheme } });
      throw notFound();
    }
    for (const id of ids)
      await this.audit.record(caller, { action: 'customer.lookup', customerId: id, fields: ['customerId'], piiShown: false, outcome: 'ok', detail: { scheme, matches: ids.length } });
    return { scheme, customers: ids.map((customerId) => ({ customerId, href: `/v1/customers/${encodeURIComponent(customerId)}` })) };
  }
}
