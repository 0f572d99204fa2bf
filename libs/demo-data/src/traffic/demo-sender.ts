import { DEMO_ENDPOINT_PATHS, DEMO_ENDPOINT_SCOPES, type CustomerTraffic, type DemoEndpoint } from '../bank/traffic-item';
import { eventsIn, planRequests, requestBody, type BatchLimits, type PlannedRequest } from './request-batches';

/**
 * Streams customers' traffic through the platform's real intake endpoints: bounded concurrency
 * (lanes, each owning whole customers, so a customer's events keep their order per endpoint),
 * batches within the intake's limits, retries of the very same bodies (same event ids: the
 * intake is idempotent) on 503/429/timeouts, and counts of what was accepted or refused.
 */

export interface DemoSendOptions {
  readonly baseUrl: string;
  readonly token: string;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
  /** Canonical events per second at most; undefined = as fast as the platform takes them. */
  readonly ratePerSecond?: number;
  readonly limits?: Partial<BatchLimits>;
  /**
   * Events handed to a lane at a time (default 5,000: about 120 customers, so each endpoint's
   * requests come near the intake's 1,000 items instead of a few hundred).
   */
  readonly chunkEvents?: number;
  readonly requestTimeoutMs?: number;
  /** Attempts per request before its events count as failed (default 8). */
  readonly maxAttempts?: number;
  /** How long to wait for /health/ready before giving up (default 60 s). */
  readonly readyTimeoutMs?: number;
  readonly onProgress?: (progress: DemoProgress) => void;
  readonly progressIntervalMs?: number;
  /** Stops dispatching new work; what is in flight finishes. */
  readonly signal?: AbortSignal;
}

export interface DemoProgress {
  readonly customersDone: number;
  readonly customersTotal: number;
  readonly eventsSent: number;
  readonly eventsAccepted: number;
  readonly eventsPerSecond: number;
  /** null until there is a rate to go by. */
  readonly etaSeconds: number | null;
  readonly elapsedMs: number;
  readonly retries: number;
}

export interface DemoSummary {
  readonly customers: number;
  /** Canonical events the demo sent (native records count the events the gateway makes of them). */
  readonly sent: number;
  readonly accepted: number;
  /** Refused for good (400 item errors, 409, 413 on a single item), by error code. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Given up after retries (platform unavailable, timeouts), by reason. */
  readonly failed: Readonly<Record<string, number>>;
  readonly requests: number;
  readonly retries: number;
  readonly elapsedMs: number;
  readonly byEndpoint: Readonly<Record<DemoEndpoint, { readonly sent: number; readonly accepted: number }>>;
  readonly interrupted: boolean;
}

export type DemoTrafficErrorCode = 'unreachable' | 'not-ready' | 'unauthorized' | 'forbidden' | 'endpoint-missing';

/** A condition no retry fixes; the message says what to do. */
export class DemoTrafficError extends Error {
  override readonly name = 'DemoTrafficError';
  constructor(
    readonly code: DemoTrafficErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const describeFetchError = (e: unknown): string => {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
    const cause = (e as Error & { cause?: { code?: unknown } }).cause;
    if (cause !== undefined && typeof cause.code === 'string') return cause.code;
    return e.message;
  }
  return String(e);
};

/** Token bucket over events: a request of n events waits until the rate allows it. */
class RateLimiter {
  private next = 0;
  constructor(private readonly perSecond: number | undefined) {}
  async take(n: number): Promise<void> {
    if (this.perSecond === undefined) return;
    const now = Date.now();
    const start = Math.max(now, this.next);
    this.next = start + (n * 1000) / this.perSecond;
    if (start > now) await sleep(start - now);
  }
}

interface ProblemBody {
  readonly code?: string;
  readonly errors?: readonly { readonly index?: number; readonly code?: string }[];
}

export async function sendDemoTraffic(customers: Iterable<CustomerTraffic>, customersTotal: number, options: DemoSendOptions): Promise<DemoSummary> {
  const sender = new DemoSender(options, customersTotal);
  return sender.run(customers);
}

/** Waits for /health/ready; a refused connection is the "start it" error straight away. */
export async function waitUntilPlatformReady(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let status: number;
    try {
      const res = await fetch(new URL('/health/ready', baseUrl), { signal: AbortSignal.timeout(5_000) });
      status = res.status;
      await res.arrayBuffer();
    } catch (e) {
      throw new DemoTrafficError(
        'unreachable',
        `the platform is not reachable at ${baseUrl} (${describeFetchError(e)}). Start it with "npm start" (or "npx c360 start"), or point --url at a running one.`,
      );
    }
    if (status === 200) return;
    if (status === 404) return; // a platform without the health route still takes events
    if (Date.now() > deadline) {
      throw new DemoTrafficError('not-ready', `the platform at ${baseUrl} is not ready (/health/ready answers ${status}) after ${Math.round(timeoutMs / 1000)} s. Check its log, then run the demo again.`);
    }
    await sleep(500);
  }
}

class DemoSender {
  private readonly concurrency: number;
  private readonly limits: BatchLimits;
  private readonly chunkEvents: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly limiter: RateLimiter;
  private readonly startedAt = Date.now();
  private customersDone = 0;
  private sent = 0;
  private accepted = 0;
  private requests = 0;
  private retries = 0;
  private readonly rejected: Record<string, number> = {};
  private readonly failed: Record<string, number> = {};
  private readonly byEndpoint: Record<DemoEndpoint, { sent: number; accepted: number }> = {
    events: { sent: 0, accepted: 0 },
    branch: { sent: 0, accepted: 0 },
    mobile: { sent: 0, accepted: 0 },
    'call-centre': { sent: 0, accepted: 0 },
  };
  private fatal: DemoTrafficError | null = null;

  constructor(
    private readonly options: DemoSendOptions,
    private readonly customersTotal: number,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.limits = { maxItems: Math.min(1000, options.limits?.maxItems ?? 1000), maxBytes: options.limits?.maxBytes ?? 900_000 };
    this.chunkEvents = options.chunkEvents ?? 5000;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.limiter = new RateLimiter(options.ratePerSecond);
  }

  async run(customers: Iterable<CustomerTraffic>): Promise<DemoSummary> {
    await waitUntilPlatformReady(this.options.baseUrl, this.options.readyTimeoutMs);
    const timer = this.options.onProgress ? setInterval(() => this.options.onProgress?.(this.progress()), this.options.progressIntervalMs ?? 1000) : undefined;
    const running = new Set<Promise<void>>();
    try {
      let chunk: (readonly CustomerTraffic['items'][number][])[] = [];
      let chunkEvents = 0;
      const dispatch = async (): Promise<void> => {
        const work = chunk;
        chunk = [];
        chunkEvents = 0;
        while (running.size >= this.concurrency) await Promise.race(running);
        const p = this.sendChunk(work).finally(() => running.delete(p));
        running.add(p);
      };
      for (const c of customers) {
        if (this.fatal !== null || this.options.signal?.aborted) break;
        chunk.push(c.items);
        chunkEvents += c.items.reduce((s, i) => s + i.eventCount, 0);
        if (chunkEvents >= this.chunkEvents) await dispatch();
      }
      if (chunk.length > 0 && this.fatal === null && !this.options.signal?.aborted) await dispatch();
      await Promise.all(running);
    } finally {
      if (timer !== undefined) clearInterval(timer);
    }
    if (this.fatal !== null) throw this.fatal;
    this.options.onProgress?.(this.progress());
    return {
      customers: this.customersDone,
      sent: this.sent,
      accepted: this.accepted,
      rejected: { ...this.rejected },
      failed: { ...this.failed },
      requests: this.requests,
      retries: this.retries,
      elapsedMs: Date.now() - this.startedAt,
      byEndpoint: this.byEndpoint,
      interrupted: this.options.signal?.aborted ?? false,
    };
  }

  progress(): DemoProgress {
    const elapsedMs = Date.now() - this.startedAt;
    const eventsPerSecond = elapsedMs > 0 ? (this.sent * 1000) / elapsedMs : 0;
    const perCustomerMs = this.customersDone > 0 ? elapsedMs / this.customersDone : null;
    return {
      customersDone: this.customersDone,
      customersTotal: this.customersTotal,
      eventsSent: this.sent,
      eventsAccepted: this.accepted,
      eventsPerSecond,
      etaSeconds: perCustomerMs === null ? null : Math.round(((this.customersTotal - this.customersDone) * perCustomerMs) / 1000),
      elapsedMs,
      retries: this.retries,
    };
  }

  /** One lane's work: a chunk of whole customers, request after request, in order. */
  private async sendChunk(customers: readonly (readonly CustomerTraffic['items'][number][])[]): Promise<void> {
    for (const request of planRequests(customers, this.limits)) {
      if (this.fatal !== null) return;
      await this.send(request);
    }
    this.customersDone += customers.length;
  }

  private count(bucket: Record<string, number>, key: string, n: number): void {
    bucket[key] = (bucket[key] ?? 0) + n;
  }

  private async send(request: PlannedRequest): Promise<void> {
    const events = eventsIn(request);
    await this.limiter.take(events);
    this.sent += events;
    this.byEndpoint[request.endpoint].sent += events;
    await this.attempt(request);
  }

  private async attempt(request: PlannedRequest): Promise<void> {
    const events = eventsIn(request);
    const url = new URL(DEMO_ENDPOINT_PATHS[request.endpoint], this.options.baseUrl);
    const body = requestBody(request.parts);
    for (let attempt = 1; ; attempt++) {
      if (this.fatal !== null) return;
      let status: number;
      let text: string;
      let retryAfter: string | null;
      this.requests += 1;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.token}` },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch (e) {
        // Timeouts and dropped connections: the same body again (same event ids) is harmless.
        if (attempt >= this.maxAttempts) return this.count(this.failed, describeFetchError(e), events);
        await this.backoff(attempt, null);
        continue;
      }
      if (status === 202 || status === 200) {
        const accepted = parseAccepted(text) ?? events;
        this.accepted += accepted;
        this.byEndpoint[request.endpoint].accepted += accepted;
        return;
      }
      if (status === 401) {
        return this.fail(new DemoTrafficError('unauthorized', 'the platform refused the token (401). Mint one from the data directory the platform uses (run the demo with the same C360_DATA_DIR), or pass the token the platform printed at start: --token "$C360_TOKEN".'));
      }
      if (status === 403) {
        return this.fail(new DemoTrafficError('forbidden', `the token lacks ${DEMO_ENDPOINT_SCOPES[request.endpoint]} (403). Mint one with: npx c360 token --scopes events:write,channel:branch:write,channel:mobile:write,channel:call-centre:write`));
      }
      if (status === 404 || status === 405) {
        return this.fail(new DemoTrafficError('endpoint-missing', `the platform at ${this.options.baseUrl} has no ${DEMO_ENDPOINT_PATHS[request.endpoint]} (${status}); this build does not mount the gateway yet.`));
      }
      if (status === 413) {
        if (request.parts.length === 1) return this.count(this.rejected, 'too-large', events);
        // Over the platform's BODY_LIMIT: halve and send both halves.
        const half = Math.ceil(request.parts.length / 2);
        await this.attempt({ ...request, parts: request.parts.slice(0, half), eventCounts: request.eventCounts.slice(0, half) });
        await this.attempt({ ...request, parts: request.parts.slice(half), eventCounts: request.eventCounts.slice(half) });
        return;
      }
      if (status === 400 || status === 409 || status === 422) {
        return this.refused(request, status, text);
      }
      // 429, 502, 503, 504, other 5xx: the platform may take them later.
      if (attempt >= this.maxAttempts) return this.count(this.failed, `http-${status}`, events);
      await this.backoff(attempt, retryAfter);
    }
  }

  /** All-or-nothing refusal: count the bad items by code, then send the good ones again on their own. */
  private async refused(request: PlannedRequest, status: number, text: string): Promise<void> {
    const problem = parseProblem(text);
    const firstCodeByItem = new Map<number, string>();
    for (const e of problem?.errors ?? []) {
      if (typeof e.index === 'number' && !firstCodeByItem.has(e.index)) firstCodeByItem.set(e.index, e.code ?? problem?.code ?? `http-${status}`);
    }
    const bad = [...firstCodeByItem.keys()].filter((i) => i >= 0 && i < request.parts.length);
    // Nothing tells good from bad: the whole request is refused.
    if (bad.length === 0) return this.count(this.rejected, problem?.code ?? `http-${status}`, eventsIn(request));
    for (const i of bad) this.count(this.rejected, firstCodeByItem.get(i) ?? `http-${status}`, request.eventCounts[i] ?? 0);
    const keep = request.parts.map((_, i) => i).filter((i) => !firstCodeByItem.has(i));
    if (keep.length === 0) return;
    this.retries += 1;
    await this.attempt({ ...request, parts: keep.map((i) => request.parts[i] ?? ''), eventCounts: keep.map((i) => request.eventCounts[i] ?? 0) });
  }

  private fail(error: DemoTrafficError): void {
    this.fatal ??= error;
  }

  private async backoff(attempt: number, retryAfter: string | null): Promise<void> {
    this.retries += 1;
    const hinted = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : null;
    const exponential = Math.min(30_000, 250 * 2 ** (attempt - 1));
    await sleep((hinted ?? exponential) * (0.75 + Math.random() * 0.5));
  }
}

const parseAccepted = (text: string): number | null => {
  try {
    const v = JSON.parse(text) as { accepted?: unknown };
    return typeof v.accepted === 'number' ? v.accepted : null;
  } catch {
    return null;
  }
};

const parseProblem = (text: string): ProblemBody | null => {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? v : null;
  } catch {
    return null;
  }
};
