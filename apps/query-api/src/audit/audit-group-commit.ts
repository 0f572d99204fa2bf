import type { AuditEntry } from '../persistence/audit-log.repository';

/** Where audit records are stored: one at a time, or several in one statement (all or none). */
export interface AuditSink {
  append(entry: AuditEntry): Promise<void>;
  appendMany(entries: readonly AuditEntry[]): Promise<void>;
}

export interface GroupCommitOptions {
  /** Most items in one statement (default 500: audit rows take 9 parameters each, far below PostgreSQL's 65 535). */
  readonly maxBatch?: number;
  /** Most statements in flight at once (default 2: the rest of the pool stays for other work, and what arrives meanwhile makes the next group larger). */
  readonly maxInFlight?: number;
  /**
   * Pipelining: what waits is spread over the free statement slots in groups of at least this
   * many items, so the database works on one group while the process handles another's
   * results (instead of everything going out as one statement and the process idling until it
   * returns): as many equal groups as free slots allow with none below this size (fewer than
   * twice this many waiting: one group). Default: no spreading (groups of up to maxBatch).
   */
  readonly minSpreadBatch?: number;
}

/**
 * What a group commits to: one statement for any number of items (all committed, or none; one
 * result per item, in order), and one for a single item (the fallback after a data error).
 */
export interface GroupSink<T, R> {
  one(item: T): Promise<R>;
  many(items: readonly T[]): Promise<readonly R[]>;
}

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (e: unknown) => void;
}

/** SQLSTATE class 22 (data exception, e.g. a NUL in a text value): that row's fault, not the group's. */
const isDataError = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
};

/**
 * Group commit: the items of every caller waiting in the same tick (and of those that arrive
 * while earlier groups are being written) go out as one statement — one round trip and one WAL
 * flush instead of one per caller. Each `submit` settles only once the statement holding its
 * item has committed; if that statement fails, every item of the group is refused. Exception: a
 * data error (a value PostgreSQL cannot store) is one item's fault, so the group is then retried
 * item by item and only the offending caller is refused — one caller cannot make other callers'
 * requests fail.
 */
export class GroupCommit<T, R> {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly minSpreadBatch: number | undefined;
  private waiting: Waiting<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly sink: GroupSink<T, R>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.minSpreadBatch = options.minSpreadBatch === undefined ? undefined : Math.max(1, options.minSpreadBatch);
  }

  /** Resolves with the item's result once its statement committed; rejects with the database's error if it did not. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    this.scheduled = true;
    // After the current I/O phase: every caller that got here in this tick joins the group.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    let size = this.maxBatch;
    if (this.minSpreadBatch !== undefined) {
      const free = Math.max(1, this.maxInFlight - this.inFlight);
      const groups = Math.min(free, Math.max(1, Math.floor(this.waiting.length / this.minSpreadBatch)));
      size = Math.min(this.maxBatch, Math.ceil(this.waiting.length / groups));
    }
    while (this.waiting.length > 0 && this.inFlight < this.maxInFlight) {
      const group = this.waiting.splice(0, size);
      this.inFlight += 1;
      void this.commit(group).finally(() => {
        this.inFlight -= 1;
        // What queued meanwhile has waited long enough: it goes out now, as one group.
        this.flush();
      });
    }
  }

  private async commit(group: readonly Waiting<T, R>[]): Promise<void> {
    let results: readonly R[];
    try {
      results = await this.sink.many(group.map((w) => w.item));
    } catch (e) {
      if (group.length > 1 && isDataError(e)) {
        await Promise.all(group.map((w) => this.sink.one(w.item).then(w.resolve, w.reject)));
        return;
      }
      for (const w of group) w.reject(e);
      return;
    }
    if (results.length !== group.length) {
      const e = new Error(`group commit: ${results.length} results for ${group.length} items`);
      for (const w of group) w.reject(e);
      return;
    }
    group.forEach((w, i) => w.resolve(results[i] as R));
  }
}

/**
 * Group commit of the audit log (GroupCommit over an AuditSink): each `write` resolves only once
 * the INSERT holding its record has committed, so no read is answered unaudited.
 */
export class AuditGroupCommit {
  private readonly group: GroupCommit<AuditEntry, void>;

  constructor(sink: AuditSink, options: GroupCommitOptions = {}) {
    this.group = new GroupCommit<AuditEntry, void>(
      {
        one: (entry) => sink.append(entry),
        many: async (entries) => {
          await sink.appendMany(entries);
          return new Array<void>(entries.length).fill(undefined);
        },
      },
      options,
    );
  }

  /** Resolves once the record is committed; rejects with the database's error if it was not. */
  write(entry: AuditEntry): Promise<void> {
    return this.group.submit(entry);
  }
}
