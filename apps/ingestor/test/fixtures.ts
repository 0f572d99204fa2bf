import { randomUUID } from 'node:crypto';
import { EVENT_CATALOGUE, type CanonicalEventType } from '@c360/contracts';

type Json = Record<string, unknown>;

/** A valid canonical event of `type` (from the catalogue's example) with a fresh id and the given subject/data. */
export function canonical(type: CanonicalEventType, patch: { customerId?: string; identity?: { scheme: string; value: string }; data?: Json } = {}): Json {
  const base = JSON.parse(JSON.stringify(EVENT_CATALOGUE[type].example)) as Json;
  base['eventId'] = randomUUID();
  if (patch.identity) {
    delete base['customerId'];
    base['identity'] = patch.identity;
  } else if (patch.customerId) {
    base['customerId'] = patch.customerId;
  }
  if (patch.data) base['data'] = { ...(base['data'] as Json), ...patch.data };
  return base;
}

export const moneyMoved = (customerId: string, amountMinor: number): Json =>
  canonical('MoneyMoved', { customerId, data: { amountMinor } });
