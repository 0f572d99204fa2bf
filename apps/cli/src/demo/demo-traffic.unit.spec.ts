import { customerStreamId, validateCanonicalEvent, type CanonicalEvent } from '@c360/contracts';
import { evaluateChurn, foldCustomer, relationshipValue, type DomainEvent } from '@c360/customer-domain';
import { createSyntheticBank, inSendOrder, type CustomerTraffic } from '@c360/demo-data';
// The gateway's own validators and mappers: the demo's native payloads must be exactly what they accept.
import { CHANNEL_ADAPTERS, defaultMapperContext } from '../../../gateway/src/channels';

const NOW = new Date('2026-11-28T10:17:00Z');
const mapper = defaultMapperContext();

/** What the platform would record for this customer, in the order the demo sends it. */
const canonicalEvents = (c: CustomerTraffic): CanonicalEvent[] =>
  inSendOrder(c.items).flatMap((item) => {
    if (item.endpoint === 'events') return [item.body];
    const mapped = CHANNEL_ADAPTERS[item.endpoint].accept(item.body, mapper);
    if (!mapped.ok) throw new Error(`${item.endpoint} payload of ${c.customer.customerNumber} refused: ${JSON.stringify(mapped.errors)}`);
    if (mapped.value.length !== item.eventCount) throw new Error(`${item.endpoint} payload gave ${mapped.value.length} events, the demo counted ${item.eventCount}`);
    return mapped.value;
  });

/** Folds as the ingestor would: every event (identity-bearing ones resolved) on the customer's stream. */
const fold = (c: CustomerTraffic, events: readonly CanonicalEvent[]) => {
  const streamId = customerStreamId(c.customer.customerNumber);
  const recorded: DomainEvent[] = events.map((e, revision) => ({
    eventId: e.eventId,
    type: e.type,
    version: e.version,
    data: e.data,
    streamId,
    revision,
    occurredAt: e.occurredAt,
    recordedAt: NOW.toISOString(),
  }));
  return foldCustomer(c.customer.customerNumber, recorded);
};

describe('demo traffic through the gateway adapters and the domain rules', () => {
  const bank = createSyntheticBank({ customers: 3_000, seed: 1, now: NOW });

  it('every native payload passes its channel validator, and every event the platform would record is valid', () => {
    const seen = { branch: 0, mobile: 0, 'call-centre': 0, identities: 0 };
    for (const c of bank.customers(0, 600)) {
      for (const e of canonicalEvents(c)) {
        const v = validateCanonicalEvent(e);
        if (!v.ok) throw new Error(`${e.type} of ${c.customer.customerNumber}: ${JSON.stringify(v.errors)}`);
        if (e.identity !== undefined) seen.identities += 1;
      }
      for (const i of c.items) if (i.endpoint !== 'events') seen[i.endpoint] += 1;
    }
    expect(seen.branch).toBeGreaterThan(500);
    expect(seen.mobile).toBeGreaterThan(1000);
    expect(seen['call-centre']).toBeGreaterThan(200);
    // Channel identities (card token, app user, caller number) for the ingestor to resolve.
    expect(seen.identities).toBeGreaterThan(1000);
  });

  it('every drifter trips each churn rule it drifted into, steady customers almost never do, and the fold holds the planned value', () => {
    let drifters = 0;
    let steady = 0;
    let steadyFlagged = 0;
    const misses: string[] = [];
    const valueMismatches: string[] = [];
    for (const c of bank.customers()) {
      // All drifters, and every fifth steady customer (folding is the slow part).
      if (c.customer.drift.length === 0 && c.customer.index % 5 !== 0) continue;
      const state = fold(c, canonicalEvents(c));
      if (relationshipValue(state) !== c.customer.endValueMinor) valueMismatches.push(c.customer.customerNumber);
      const codes = evaluateChurn(state, NOW).map((f) => f.code);
      if (c.customer.drift.length > 0) {
        drifters += 1;
        for (const code of c.customer.drift) if (!codes.includes(code)) misses.push(`${c.customer.customerNumber}: ${code} (flags: ${codes.join(', ')})`);
      } else {
        steady += 1;
        if (codes.length > 0) steadyFlagged += 1;
      }
    }
    expect(drifters / 3_000).toBeGreaterThan(0.045);
    expect(drifters / 3_000).toBeLessThan(0.075);
    expect(misses).toEqual([]);
    expect(valueMismatches).toEqual([]);
    expect(steadyFlagged / steady).toBeLessThanOrEqual(0.05);
  });

  it('covers every churn signal, and some app users use the app before the link reaches the bank', () => {
    const codes = new Set<string>();
    let lateBinders = 0;
    for (const c of bank.customers()) {
      for (const code of c.customer.drift) codes.add(code);
      if (!c.customer.lateMobileLink) continue;
      lateBinders += 1;
      const link = c.items.find((i) => i.endpoint === 'events' && i.body.type === 'ChannelIdentityLinked' && i.body.data.scheme === 'mobile-user');
      const firstApp = c.items.find((i) => i.endpoint === 'mobile');
      expect(link?.endpoint === 'events' && link.late).toBe(true);
      if (firstApp !== undefined && link !== undefined) expect(firstApp.at).toBeLessThan(link.at);
    }
    expect([...codes].sort()).toEqual([
      'balance-drain',
      'complaint-sla-breached',
      'inactivity',
      'large-transfer-out',
      'manager-changed',
      'nps-detractor',
      'product-closures',
      'salary-stopped',
    ]);
    expect(lateBinders).toBeGreaterThan(50);
  });
});
