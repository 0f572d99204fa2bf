import { randomUUID } from 'node:crypto';
import { customerStreamId, EXAMPLES_V1, type CanonicalEventType } from '@c360/contracts';
import type { EventStore, GlobalPosition, JsonObject, NewEvent } from '@c360/event-store';

/** One append of a synthetic history: an event for a customer's stream. */
export interface HistoryAppend {
  readonly streamId: string;
  readonly event: NewEvent;
}

/** A compact description fast-check (or a seeded PRNG) generates; mapped to events below. */
export interface HistoryOp {
  /** Which customer (index into the customer ids). */
  readonly customer: number;
  /** What happens (index into OP_KINDS, modulo). */
  readonly kind: number;
  /** Another customer (merge partner) or a product/identity index. */
  readonly other: number;
  readonly amount: number;
  /** Days after the base date; a smaller value than before is a late arrival (F11). */
  readonly day: number;
}

const OP_KINDS = [
  'ProductOpened',
  'BalanceReported',
  'MoneyMoved',
  'BranchVisited',
  'MobileSessionStarted',
  'CallHandled',
  'ComplaintRaised',
  'ComplaintResolved',
  'SurveyAnswered',
  'ChannelIdentityLinked',
  'ChannelIdentityUnlinked',
  'RelationshipManagerAssigned',
  'ContactDetailsChanged',
  'ProductClosed',
  'OfferPresented',
  'OfferResponded',
  'MobileActionPerformed',
  'merge',
  'unmerge',
] as const;

const BASE = Date.UTC(2026, 0, 1, 9);

const at = (day: number): Date => new Date(BASE + day * 86_400_000);

const example = (type: CanonicalEventType): JsonObject => structuredClone(EXAMPLES_V1[type].data) as unknown as JsonObject;

const newEvent = (type: CanonicalEventType, data: JsonObject, day: number): NewEvent => ({
  eventId: randomUUID(),
  type,
  version: 1,
  data,
  occurredAt: at(day),
});

/**
 * Maps ops to appends: every customer is registered first; merges are written to both
 * streams (survivor first), unmerges only of an active merge. Product ids are per customer
 * so merged views hold several.
 */
export function historyFromOps(customerIds: readonly string[], ops: readonly HistoryOp[]): HistoryAppend[] {
  const appends: HistoryAppend[] = [];
  const push = (customerId: string, event: NewEvent): void => {
    appends.push({ streamId: customerStreamId(customerId), event });
  };
  customerIds.forEach((id, i) => {
    push(id, newEvent('CustomerRegistered', { ...example('CustomerRegistered'), customerNumber: id, region: ['north', 'south', 'east'][i % 3] ?? 'east' }, 0));
  });
  const mergedInto = new Map<string, string>();
  for (const op of ops) {
    const id = customerIds[op.customer % customerIds.length];
    const other = customerIds[op.other % customerIds.length];
    if (id === undefined || other === undefined) continue;
    const kind = OP_KINDS[op.kind % OP_KINDS.length] ?? 'BranchVisited';
    const product = `${id}-P${op.other % 3}`;
    const amount = Math.abs(Math.trunc(op.amount)) % 10_000_000;
    switch (kind) {
      case 'merge': {
        // Only between two customers that are free of merges: chains are out of scope here.
        const busy = (c: string): boolean => mergedInto.has(c) || [...mergedInto.values()].includes(c);
        if (id === other || busy(id) || busy(other)) break;
        const data = { survivorId: id, mergedId: other, reason: 'duplicate' };
        push(id, newEvent('CustomersMerged', data, op.day));
        push(other, newEvent('CustomersMerged', data, op.day));
        mergedInto.set(other, id);
        break;
      }
      case 'unmerge': {
        const merged = [...mergedInto].find(([, survivor]) => survivor === id);
        if (!merged) break;
        const data = { survivorId: id, mergedId: merged[0], reason: 'not the same person' };
        push(id, newEvent('CustomersUnmerged', data, op.day));
        push(merged[0], newEvent('CustomersUnmerged', data, op.day));
        mergedInto.delete(merged[0]);
        break;
      }
      case 'ProductOpened':
        push(id, newEvent(kind, { ...example(kind), productId: product, productType: op.amount % 2 ? 'savings' : 'loan' }, op.day));
        break;
      case 'ProductClosed':
        push(id, newEvent(kind, { ...example(kind), productId: product }, op.day));
        break;
      case 'BalanceReported':
        push(id, newEvent(kind, { ...example(kind), productId: product, balanceMinor: amount, asOfDate: at(op.day).toISOString().slice(0, 10) }, op.day));
        break;
      case 'MoneyMoved':
        push(id, newEvent(kind, { ...example(kind), productId: product, amountMinor: amount + 1 }, op.day));
        break;
      case 'ChannelIdentityLinked':
      case 'ChannelIdentityUnlinked':
        push(id, newEvent(kind, { scheme: 'mobile-user', value: `${id}-u${op.other % 2}` }, op.day));
        break;
      case 'RelationshipManagerAssigned':
        push(id, newEvent(kind, { managerId: `RM-${op.other % 4}`, previousManagerId: null }, op.day));
        break;
      case 'ComplaintRaised':
      case 'ComplaintResolved':
        push(id, newEvent(kind, { ...example(kind), complaintId: `${id}-K${op.other % 2}` }, op.day));
        break;
      case 'SurveyAnswered':
        push(id, newEvent(kind, { kind: op.other % 2 ? 'nps' : 'csat', score: op.other % 2 ? amount % 11 : 1 + (amount % 5) }, op.day));
        break;
      default:
        push(id, newEvent(kind, example(kind), op.day));
    }
  }
  return appends;
}

/** Deterministic ops from a seed (mulberry32), for integration tests that need volume. */
export function seededOps(seed: number, count: number, customers: number, days = 120): HistoryOp[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return Array.from({ length: count }, () => ({
    customer: int(customers),
    kind: int(100) < 3 ? OP_KINDS.indexOf('merge') : int(100) < 2 ? OP_KINDS.indexOf('unmerge') : int(OP_KINDS.length - 2),
    other: int(customers),
    amount: int(5_000_000),
    day: int(days),
  }));
}

/** Appends in order (each its own append, as channels would); returns the last event's position. */
export async function appendHistory(store: EventStore, appends: readonly HistoryAppend[]): Promise<GlobalPosition> {
  let last = 0n;
  for (const a of appends) {
    const { position } = await store.appendToStream(a.streamId, [a.event]);
    if (position > last) last = position;
  }
  return last;
}
