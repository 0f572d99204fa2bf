import { backoffDelay, type BackoffOptions } from '@c360/projections';

/** What the wait needs of PostgreSQL (a pg Pool in main.ts; a stub in unit tests). */
export interface SchemaProbe {
  query<R>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface EventStoreSchemaWaitOptions {
  log(message: string): void;
  /** Aborts the wait (a signal while waiting): rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Default 250 ms doubling to 5 s, with jitter. */
  readonly backoff?: BackoffOptions;
  /** At most one "still waiting" line per this many ms (the first is logged at once). Default 30 s. */
  readonly logEveryMs?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
}

const DEFAULT_WAIT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 5_000 };

/**
 * The tables the runners read: the ingestor (or the platform) creates them, all in one
 * migration transaction, so the first one seen means the schema is there.
 */
export const eventStoreTable = (schema: string): string => `${schema}.events`;

/**
 * Waits until the PostgreSQL event store's schema exists (the ingestor migrates it; a
 * projector started first would otherwise see 'relation "event_store.events" does not exist'
 * from its runners, which give up after a few attempts). Polls with backoff, logs what it
 * waits for at once and then every `logEveryMs`, and how long it waited once found. Only a
 * missing table is waited for: any other failure (PostgreSQL unreachable, authentication) is thrown.
 * Resolves with the milliseconds waited (0 when the schema was there).
 */
export async function waitForEventStoreSchema(db: SchemaProbe, schema: string, options: EventStoreSchemaWaitOptions): Promise<number> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const logEveryMs = options.logEveryMs ?? 30_000;
  const table = eventStoreTable(schema);
  const started = now();
  let lastLog: number | undefined;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    const { rows } = await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
    if (rows[0]?.found) {
      if (lastLog !== undefined) options.log(`event store schema "${schema}" found after ${Math.round((now() - started) / 1000)} s: starting the projections`);
      return now() - started;
    }
    const delayMs = backoffDelay(attempt, options.backoff ?? DEFAULT_WAIT_BACKOFF);
    if (lastLog === undefined || now() - lastLog >= logEveryMs) {
      lastLog = now();
      options.log(
        `waiting for the event store schema "${schema}" (table ${table} does not exist yet; the ingestor creates it when it starts): ` +
          `waited ${Math.round((lastLog - started) / 1000)} s, next check in ${delayMs} ms`,
      );
    }
    await sleep(delayMs, options.signal);
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
