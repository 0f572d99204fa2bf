import { Logger } from '@nestjs/common';
import type { AuditService } from '../audit/audit.service';
import type { Caller } from '../caller';
import { CUSTOMER_ID } from '../customers/disclosure';
import { notFound } from '../customers/customer-view.service';
import type { CustomerReadRepository } from '../persistence/customer-read.repository';
import type { RetentionRepository } from '../persistence/retention.repository';
import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';
import type { ErasableEventStore } from './erasable-event-store';
import type { IngestorDataPurger, IngestorPurge } from './ingestor-data-purger';
import type { ReadModelRefolder } from './read-model-refolder';

/** What an erasure request did: erased now, or restricted until a legal retention ends. */
export type ErasureOutcomeDto =
  | { readonly customerId: string; readonly outcome: 'erased'; readonly erasedAt: string }
  | { readonly customerId: string; readonly outcome: 'restricted-until'; readonly restrictedUntil: string; readonly retentionBasis: string };

export interface RetentionDto {
  readonly customerId: string;
  readonly basis: string;
  readonly retainUntil: string;
}

export interface ErasureOptions {
  /** When the second re-fold runs: after every process's key cache has expired (default 30 s cache + margin). */
  readonly finalRefoldDelayMs: number;
  readonly now?: () => Date;
  /** Purges the customer's copies in the ingestor's tables (parked events, dead-letter bytes). */
  readonly ingestorData?: IngestorDataPurger;
}

const REASON = /^[\p{L}\p{N} .,:;()/_'-]{1,200}$/u;
const BASIS = /^[a-z][a-z0-9-]{1,40}$/;

/**
 * Erasure of personal data (crypto-shredding). Without a retention in force: the customer's
 * key is destroyed and its read-model rows re-folded so they show erased markers. During a
 * legal retention: access to its personal data is restricted at once (compliance only), and
 * the sweeper destroys the key when the retention ends. Audited before and after.
 */
export class ErasureService {
  private readonly logger = new Logger('Erasure');
  private readonly now: () => Date;

  constructor(
    private readonly store: ErasableEventStore,
    private readonly refolder: ReadModelRefolder,
    private readonly retention: RetentionRepository,
    private readonly reads: CustomerReadRepository,
    private readonly audit: AuditService,
    private readonly options: ErasureOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async erase(customerId: string, body: unknown, caller: Caller): Promise<ErasureOutcomeDto> {
    const reason = (body as { reason?: unknown } | null)?.reason;
    if (typeof reason !== 'string' || !REASON.test(reason))
      throw new QueryApiError(
        QueryApiErrorCode.InvalidErasureRequest,
        'Body must be {"reason": "..."}: 1-200 letters, digits and punctuation, naming the legal ground (e.g. "GDPR art. 17 request 2026-118"), never personal data.',
      );
    if (!CUSTOMER_ID.test(customerId) || !(await this.exists(customerId))) {
      await this.audit.record(caller, { action: 'customer.erase', customerId: CUSTOMER_ID.test(customerId) ? customerId : null, piiShown: false, outcome: 'not-found' });
      throw notFound();
    }
    // The request is audited before anything is destroyed: an erasure never happens unaudited.
    await this.audit.record(caller, { action: 'customer.erase', customerId, piiShown: false, outcome: 'requested' });
    const now = this.now();
    const retention = await this.retention.retentionOf(customerId);
    if (retention && retention.retainUntil.getTime() > now.getTime()) {
      const request = await this.retention.recordRestricted(customerId, caller.subject, reason, retention.retainUntil);
      if (request.status === 'erased' && request.erasedAt) return { customerId, outcome: 'erased', erasedAt: request.erasedAt.toISOString() };
      await this.audit.record(caller, {
        action: 'customer.erase',
        customerId,
        piiShown: false,
        outcome: 'restricted-until',
        detail: { restrictedUntil: retention.retainUntil.toISOString(), basis: retention.basis },
      });
      return { customerId, outcome: 'restricted-until', restrictedUntil: retention.retainUntil.toISOString(), retentionBasis: retention.basis };
    }
    const { erasedAt, purge } = await this.destroy(customerId, caller.subject, reason);
    await this.audit.record(caller, { action: 'customer.erase', customerId, piiShown: false, outcome: 'erased', detail: { erasedAt: erasedAt.toISOString(), ...purge } });
    return { customerId, outcome: 'erased', erasedAt: erasedAt.toISOString() };
  }

  /**
   * Destroys the key, re-folds the rows, purges the ingestor's copies, records the erasure (and
   * the later final re-fold, which purges the ingestor's tables once more).
   */
  async destroy(customerId: string, requestedBy: string, reason: string): Promise<{ erasedAt: Date; purge: IngestorPurge }> {
    try {
      const record = await this.store.eraseSubject(customerId, reason);
      await this.refolder.refold(customerId);
      const purge = await this.purgeIngestorData(customerId);
      const due = new Date(this.now().getTime() + this.options.finalRefoldDelayMs);
      await this.retention.recordErased(customerId, requestedBy, reason, record.erasedAt, due);
      return { erasedAt: record.erasedAt, purge };
    } catch (e) {
      if (e instanceof QueryApiError) throw e;
      this.logger.error({ cause: (e as { code?: string }).code ?? (e as Error).name }, 'erasure did not complete; it is safe to repeat');
      throw new QueryApiError(QueryApiErrorCode.ErasureFailed, 'The erasure did not complete; repeating the request is safe.', 5);
    }
  }

  /** The customer's parked events and dead-letter bytes in the ingestor's tables (idempotent). */
  async purgeIngestorData(customerId: string): Promise<IngestorPurge> {
    return (await this.options.ingestorData?.purge(customerId)) ?? { parkedEventsDeleted: 0, deadLettersScrubbed: 0 };
  }

  async setRetention(customerId: string, body: unknown, caller: Caller): Promise<RetentionDto> {
    const b = body as { basis?: unknown; retainUntil?: unknown } | null;
    const until = typeof b?.retainUntil === 'string' ? new Date(b.retainUntil) : null;
    if (typeof b?.basis !== 'string' || !BASIS.test(b.basis) || until === null || Number.isNaN(until.getTime()) || !/Z|[+-]\d{2}:\d{2}$/.test(String(b.retainUntil)))
      throw new QueryApiError(QueryApiErrorCode.InvalidErasureRequest, 'Body must be {"basis": "aml", "retainUntil": "<ISO time with zone>"}.');
    if (!CUSTOMER_ID.test(customerId) || !(await this.exists(customerId))) {
      await this.audit.record(caller, { action: 'customer.retention', customerId: CUSTOMER_ID.test(customerId) ? customerId : null, piiShown: false, outcome: 'not-found' });
      throw notFound();
    }
    await this.audit.record(caller, { action: 'customer.retention', customerId, piiShown: false, outcome: 'ok', detail: { basis: b.basis, retainUntil: until.toISOString() } });
    const r = await this.retention.setRetention(customerId, b.basis, until, caller.subject);
    return { customerId, basis: r.basis, retainUntil: r.retainUntil.toISOString() };
  }

  private async exists(customerId: string): Promise<boolean> {
    if ((await this.reads.byId(customerId)) !== null) return true;
    for await (const _ of this.store.readStream(`customer-${customerId}`, { maxCount: 1 })) return true;
    return false;
  }
}
