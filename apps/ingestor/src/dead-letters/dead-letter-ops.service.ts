import { validateCanonicalEvent } from '@c360/contracts';
import { decodeEventMessage } from '../ingest/decode-message';
import type { IngestInput, Ingestion } from '../ingest/ingestion';
import type { DeadLetterRow, IngestorRepository, ParkedSubjectSummary } from '../persistence/ingestor.repository';
import { IngestorError, IngestorErrorCode } from '../ingestor.errors';

export interface DeadLetterView {
  readonly id: string;
  readonly status: string;
  readonly reason: { readonly code: string; readonly detail: string };
  readonly eventId: string | null;
  /** The customer whose later events wait behind this dead letter (null: none). */
  readonly blocksCustomer: string | null;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly sizeBytes: number;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

export interface DeadLetterDetail extends DeadLetterView {
  /** The original bytes, base64 (may hold personal data: ops:replay only). */
  readonly rawBase64: string | null;
}

export interface RedriveResult {
  readonly id: string;
  readonly status: 'redriven' | 'discarded';
  readonly appended: number;
  readonly parked: number;
}

const toView = (d: DeadLetterRow): DeadLetterView => ({
  id: d.id,
  status: d.status,
  reason: { code: d.reasonCode, detail: d.reasonDetail },
  eventId: d.eventId,
  blocksCustomer: d.blocks,
  source: d.source,
  sizeBytes: d.size,
  createdAt: d.createdAt.toISOString(),
  resolvedAt: d.resolvedAt ? d.resolvedAt.toISOString() : null,
});

const STATUSES = new Set(['open', 'redriven', 'discarded']);

/**
 * Operations on dead letters and parked events: list, inspect, re-drive (the original or a
 * repaired body), discard. The ops HTTP endpoint and the CLI call these functions.
 */
export class DeadLetterOps {
  constructor(
    private readonly repo: IngestorRepository,
    private readonly ingestion: Ingestion,
  ) {}

  async list(query: { status?: string; after?: string; limit?: number } = {}): Promise<{ items: DeadLetterView[]; next: string | null }> {
    if (query.status !== undefined && !STATUSES.has(query.status)) throw new IngestorError(IngestorErrorCode.InvalidQuery, 'status must be open, redriven or discarded');
    if (query.after !== undefined && !/^\d{1,18}$/.test(query.after)) throw new IngestorError(IngestorErrorCode.InvalidQuery, 'after must be a dead letter id');
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
    const rows = await this.repo.listDeadLetters(query.status, query.after, limit);
    return { items: rows.map(toView), next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null };
  }

  async get(id: string): Promise<DeadLetterDetail> {
    const d = await this.find(id);
    return { ...toView(d), rawBase64: d.raw ? d.raw.toString('base64') : null };
  }

  /**
   * Re-drives an open dead letter: `repaired` (a canonical event) replaces the original bytes
   * when given. Still invalid → 422, nothing changes. Otherwise the event is ingested, the
   * dead letter marked re-driven and — if it held its customer — that customer's waiting
   * events are released in order (other customers are untouched).
   */
  async redrive(id: string, repaired?: unknown): Promise<RedriveResult> {
    const d = await this.find(id);
    if (d.status !== 'open') throw new IngestorError(IngestorErrorCode.DeadLetterNotOpen, `dead letter ${id} is ${d.status}`);
    let decoded;
    if (repaired !== undefined) {
      const v = validateCanonicalEvent(repaired);
      if (!v.ok) throw new IngestorError(IngestorErrorCode.RedriveInvalid, 'the repaired event is invalid', v.errors);
      decoded = v;
    } else {
      decoded = decodeEventMessage(d.raw);
      if (!decoded.ok) throw new IngestorError(IngestorErrorCode.RedriveInvalid, `the original is still not ingestible (${decoded.reason.code}); send a repaired event`);
    }
    const input: IngestInput = { decoded, source: { topic: 'redrive', partition: 0, offset: `${id}` }, message: null };
    const outcome = await this.ingestion.redrive(input, d.blocks, (tx) => this.repo.resolveDeadLetter(tx, id, 'redriven'));
    return { id, status: 'redriven', appended: outcome.appended, parked: outcome.parked };
  }

  /** Gives up on a dead letter (it stays listed as discarded); its customer's waiting events go on. */
  async discard(id: string): Promise<RedriveResult> {
    const d = await this.find(id);
    if (d.status !== 'open') throw new IngestorError(IngestorErrorCode.DeadLetterNotOpen, `dead letter ${id} is ${d.status}`);
    const outcome = await this.ingestion.discard(d.blocks, (tx) => this.repo.resolveDeadLetter(tx, id, 'discarded'));
    return { id, status: 'discarded', appended: outcome.appended, parked: outcome.parked };
  }

  /** Subjects with parked events: a customer behind a dead letter, or an identity awaiting its link (hash only). */
  async parked(limit = 100): Promise<ParkedSubjectSummary[]> {
    return this.repo.parkedSummary(Math.min(Math.max(limit, 1), 1000));
  }

  private async find(id: string): Promise<NonNullable<Awaited<ReturnType<IngestorRepository['getDeadLetter']>>>> {
    if (!/^\d{1,18}$/.test(id)) throw new IngestorError(IngestorErrorCode.DeadLetterNotFound, 'no such dead letter');
    const d = await this.repo.getDeadLetter(id);
    if (!d) throw new IngestorError(IngestorErrorCode.DeadLetterNotFound, 'no such dead letter');
    return d;
  }
}
