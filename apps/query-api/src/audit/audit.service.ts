import { Logger } from '@nestjs/common';
import type { Caller } from '../caller';
import type { AuditEntry } from '../persistence/audit-log.repository';
import { AuditGroupCommit, type AuditSink, type GroupCommitOptions } from './audit-group-commit';
import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';

export interface AuditEvent {
  readonly action: string;
  readonly customerId: string | null;
  readonly fields?: readonly string[];
  readonly piiShown: boolean;
  readonly outcome: string;
  readonly detail?: AuditEntry['detail'];
}

/**
 * Writes the audit record of an access before its response leaves. If the record cannot be
 * written, the access is refused (503): there is no unaudited access. Concurrent accesses'
 * records are group-committed (AuditGroupCommit): one INSERT per tick, each access answered
 * only after the INSERT holding its record committed.
 */
export class AuditService {
  private readonly logger = new Logger('Audit');
  private readonly writer: AuditGroupCommit;

  constructor(repo: AuditSink, options: GroupCommitOptions = {}) {
    this.writer = new AuditGroupCommit(repo, options);
  }

  async record(caller: Caller, event: AuditEvent): Promise<void> {
    try {
      await this.writer.write({
        requestId: caller.requestId,
        client: caller.subject,
        tokenId: caller.tokenId,
        action: event.action,
        customerId: event.customerId,
        fields: event.fields ?? [],
        piiShown: event.piiShown,
        outcome: event.outcome,
        detail: event.detail ?? {},
      });
    } catch (e) {
      throw this.refusal(caller, e);
    }
  }

  /**
   * The refusal of an access whose audit record could not be written (`e`: the database's
   * error), logged by its cause only. Also for reads that write their record themselves, in the
   * statement that reads (CustomerViewService's live reads).
   */
  refusal(caller: Caller, e: unknown): QueryApiError {
    // The cause (a database error code) only: never the values.
    this.logger.error({ requestId: caller.requestId, cause: (e as { code?: string }).code ?? (e as Error).name }, 'audit record not written; access refused');
    return new QueryApiError(QueryApiErrorCode.AuditUnavailable, 'The access could not be audited, so it was refused; retry later.', 5);
  }
}
