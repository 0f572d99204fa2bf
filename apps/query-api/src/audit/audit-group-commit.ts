import type { AuditEntry } from '../persistence/audit-log.repository';

/** Where audit records are stored: one at a time, or several in one statement (all or none). */
export interface AuditSink {
  append(entry: AuditEntry): Promise<void>;
  appendMany(entries: readonly AuditEntry[]): Promise<void>;
}

export interface GroupCommitOptions {
  /** Most records in one INSERT (default 500: 9 parameters each, far below PostgreSQL's 65 535). */
  readonly maxBatch?: number;
  /** Most INSERTs in flight at once (default 2: the rest of the pool stays for reads, and what arrives meanwhile makes the next group larger). */
  readonly maxInFlight?: number;
}

interface Waiting {
  readonly entry: AuditEntry;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** SQLSTATE class 22 (data exception, e.g. a NUL in a text value): that row's fault, not the log's. */
const isDataError = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
};

/**
 * Group commit of the audit log: the records of every read waiting in the same tick (and of
 * those that arrive while earlier groups are being written) go out as one multi-row INSERT —
 * one round trip and one WAL flush instead of one per read. Each `write` resolves only once the
 * INSERT holding its record has committed, so no read is answered unaudited; if that INSERT
 * fails, every read of the group is refused. Exception: a data error (a value PostgreSQL cannot
 * store) is one record's fault, so the group is then retried record by record and only the
 * offending read is refused — one caller cannot make other callers' reads fail.
 */
export class AuditGroupCommit {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly sink: AuditSink,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Resolves once the record is committed; rejects with the database's error if it was not. */
  write(entry: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    this.scheduled = true;
    // After the current I/O phase: every read that reached its audit in this tick joins the group.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.inFlight < this.maxInFlight) {
      const group = this.waiting.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.commit(group).finally(() => {
        this.inFlight -= 1;
        // What queued meanwhile has waited long enough: it goes out now, as one group.
        this.flush();
      });
    }
  }

  private async commit(group: readonly Waiting[]): Promise<void> {
    try {
      await this.sink.appendMany(group.map((w) => w.entry));
    } catch (e) {
      if (group.length > 1 && isDataError(e)) {
        await Promise.all(group.map((w) => this.sink.append(w.entry).then(w.resolve, w.reject)));
        return;
      }
      for (const w of group) w.reject(e);
      return;
    }
    for (const w of group) w.resolve();
  }
}
