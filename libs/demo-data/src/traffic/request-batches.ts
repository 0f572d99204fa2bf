import type { DemoEndpoint, TrafficItem } from '../bank/traffic-item';
import { inSendOrder } from '../bank/traffic-item';

/** One HTTP request to be: items of one endpoint, serialized once (a retry re-sends the same bytes). */
export interface PlannedRequest {
  readonly endpoint: DemoEndpoint;
  /** Each item's JSON; the body is `[` + parts + `]`. */
  readonly parts: readonly string[];
  readonly eventCounts: readonly number[];
}

export interface BatchLimits {
  /** Items per request (the intake takes up to 1,000). */
  readonly maxItems: number;
  /** Bytes per request body (stay under the platform's BODY_LIMIT). */
  readonly maxBytes: number;
}

export const requestBody = (parts: readonly string[]): string => `[${parts.join(',')}]`;
export const eventsIn = (r: PlannedRequest): number => r.eventCounts.reduce((s, n) => s + n, 0);

/**
 * Cuts a chunk of customers' items into requests, in the order the bank's systems send them
 * (inSendOrder per customer, phases kept across the chunk), each within the item and byte
 * limits. Pure, so the batching rules are tested without a server.
 */
export const planRequests = (customers: readonly (readonly TrafficItem[])[], limits: BatchLimits): PlannedRequest[] => {
  const phases: TrafficItem[][] = [[], [], [], [], []];
  for (const items of customers) {
    for (const item of inSendOrder(items)) {
      const phase = item.endpoint === 'events' ? (item.late ? 4 : 0) : item.endpoint === 'branch' ? 1 : item.endpoint === 'mobile' ? 2 : 3;
      phases[phase]?.push(item);
    }
  }
  const out: PlannedRequest[] = [];
  for (const phase of phases) {
    let parts: string[] = [];
    let counts: number[] = [];
    let bytes = 2;
    let endpoint: DemoEndpoint | null = null;
    const flush = (): void => {
      if (endpoint !== null && parts.length > 0) out.push({ endpoint, parts, eventCounts: counts });
      parts = [];
      counts = [];
      bytes = 2;
    };
    for (const item of phase) {
      const json = JSON.stringify(item.body);
      const size = Buffer.byteLength(json) + 1;
      if (parts.length > 0 && (parts.length >= limits.maxItems || bytes + size > limits.maxBytes)) flush();
      endpoint = item.endpoint;
      parts.push(json);
      counts.push(item.eventCount);
      bytes += size;
    }
    flush();
  }
  return out;
};
