import { customerStreamId } from '@c360/contracts';
import { day, registration, streamOf } from '../testing/event-builder';
import { evolve } from './customer-360.evolve';
import { foldCustomer } from './customer-360.fold';
import { interactionCounts, lastInteractionAsOf, serviceQuality } from './customer-360.queries';
import {
  ACTIVITY_WINDOW_DAYS,
  TIMELINE_LIMIT,
  customerExists,
  initialCustomer360,
} from './customer-360.state';
import { profitability } from '../valuation/profitability';
import { relationshipValue } from '../valuation/valuation';
import { resolveDomainConfig } from '../config/domain-config';

describe('customer-360 fold', () => {
  it('starts empty and does not exist before any event', () => {
    const s = initialCustomer360('C1');
    expect(customerExists(s)).toBe(false);
    expect(s.position.lastRevision).toBe(-1);
    expect(foldCustomer('C1', [])).toEqual(s);
  });

  it('takes the profile from the registration, personal fields as given', () => {
    const b = streamOf('C1');
    b.add('CustomerRegistered', registration(), day(0));
    const s = foldCustomer('C1', b.events);
    expect(customerExists(s)).toBe(true);
    expect(s.profile).toMatchObject({
      fullName: 'Li Wei',
      region: 'north',
      branchCode: 'BJ01',
      registeredAt: day(0),
    });
    expect(s.position).toEqual({
      lastRevision: 0,
      byStream: { [customerStreamId('C1')]: 0 },
      eventCount: 1,
    });
  });

  it('keeps the erased marker in place of crypto-shredded personal fields', () => {
    const b = streamOf('C1');
    const erased = { erased: true } as unknown as string; // what a shredded field reads back as
    b.add(
      'CustomerRegistered',
      registration({ fullName: erased, nationalId: erased, phone: erased }),
      day(0),
    );
    b.add('ContactDetailsChanged', { email: erased }, day(1));
    const s = foldCustomer('C1', b.events);
    expect(s.profile.fullName).toEqual({ erased: true });
    expect(s.profile.nationalId).toEqual({ erased: true });
    expect(s.profile.email).toEqual({ erased: true });
    expect(s.profile.address).toBe('1 Chang An Ave, Beijing');
    expect(s.profile.region).toBe('north');
  });

  it('changes only the contact fields present in ContactDetailsChanged', () => {
    const b = streamOf('C1');
    b.add('CustomerRegistered', registration(), day(0));
    b.add('ContactDetailsChanged', { phone: '+8613900000000' }, day(1));
    const s = foldCustomer('C1', b.events);
    expect(s.profile.phone).toBe('+8613900000000');
    expect(s.profile.email).toBe('li.wei@example.com');
  });

  it('keeps the timeline free of personal data', () => {
    const b = streamOf('C1');
    b.add('CustomerRegistered', registration(), day(0));
    b.add('ContactDetailsChanged', { phone: '+8613900000000', email: 'x@example.com' }, day(1));
    const text = JSON.stringify(foldCustomer('C1', b.events).timeline);
    for (const secret of ['Li Wei', '110101199001011234', '+86139', 'x@example.com', 'Chang An']) {
      expect(text).not.toContain(secret);
    }
  });

  it('links and unlinks channel identities, once each', () => {
    const b = streamOf('C1');
    b.add('ChannelIdentityLinked', { scheme: 'phone', value: '+8613800000000' }, day(0));
    b.add('ChannelIdentityLinked', { scheme: 'mobile-user', value: 'u-1' }, day(1));
    b.add('ChannelIdentityLinked', { scheme: 'phone', value: '+8613800000000' }, day(2));
    expect(foldCustomer('C1', b.events).identities.map((i) => `${i.scheme}:${i.value}`)).toEqual([
      'mobile-user:u-1',
      'phone:+8613800000000',
    ]);
    b.add('ChannelIdentityUnlinked', { scheme: 'phone', value: '+8613800000000' }, day(3));
    expect(foldCustomer('C1', b.events).identities).toEqual([
      { scheme: 'mobile-user', value: 'u-1', linkedAt: day(1) },
    ]);
  });

  it('tracks products, balances and the total relationship balance by currency', () => {
    const b = streamOf('C1');
    b.add('ProductOpened', { productId: 'A1', productType: 'current', currency: 'CNY' }, day(0));
    b.add('ProductOpened', { productId: 'A2', productType: 'savings', currency: 'USD' }, day(0));
    b.add('ProductOpened', { productId: 'L1', productType: 'loan', currency: 'CNY' }, day(0));
    b.add(
      'BalanceReported',
      { productId: 'A1', balanceMinor: 500_00, currency: 'CNY', asOfDate: '2026-01-02' },
      day(1),
    );
    b.add(
      'BalanceReported',
      { productId: 'A2', balanceMinor: 100_00, currency: 'USD', asOfDate: '2026-01-02' },
      day(1),
    );
    b.add(
      'BalanceReported',
      { productId: 'L1', balanceMinor: -2_000_00, currency: 'CNY', asOfDate: '2026-01-02' },
      day(1),
    );
    // A late report for an older date must not overwrite the newer balance.
    b.add(
      'BalanceReported',
      { productId: 'A1', balanceMinor: 1, currency: 'CNY', asOfDate: '2026-01-01' },
      day(1),
      day(2),
    );
    const s = foldCustomer('C1', b.events);
    expect(s.products.find((p) => p.productId === 'A1')?.balanceMinor).toBe(500_00);
    expect(s.assetsMinor).toEqual({ CNY: 500_00, USD: 100_00 });
    expect(s.lendingMinor).toEqual({ CNY: 2_000_00 });
    expect(s.relationshipBalanceMinor).toEqual({ CNY: 2_500_00, USD: 100_00 });
    // Default valuation: CNY only, USD has no rate and is left out.
    expect(relationshipValue(s)).toBe(500_00);
    const withFx = resolveDomainConfig({
      valuation: { fxRates: { CNY: 1, USD: 7.1 }, lendingWeight: 0.5 },
    });
    expect(relationshipValue(s, withFx.valuation)).toBe(500_00 + 710_00 + 1_000_00);

    b.add(
      'ProductClosed',
      { productId: 'A2', productType: 'savings', reason: 'moved abroad' },
      day(5),
    );
    const closed = foldCustomer('C1', b.events);
    expect(closed.products.find((p) => p.productId === 'A2')).toMatchObject({
      status: 'closed',
      closeReason: 'moved abroad',
    });
    expect(closed.assetsMinor).toEqual({ CNY: 500_00 });
    expect(closed.productClosures).toEqual([
      {
        eventId: 'C1-7',
        at: day(5),
        productId: 'A2',
        productType: 'savings',
        reason: 'moved abroad',
      },
    ]);
  });

  it('counts interactions per channel over 30 and 90 days as of a time, with the last per channel', () => {
    const b = streamOf('C1');
    b.add(
      'BranchVisited',
      { branchCode: 'BJ01', service: 'cash', waitMinutes: 10, tellerId: 'T1' },
      day(0),
    );
    b.add(
      'CallHandled',
      {
        callId: 'k1',
        reason: 'card',
        durationSec: 60,
        outcome: 'resolved',
        sentiment: 0.2,
        agentId: 'A',
      },
      day(50),
    );
    b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '5.1' }, day(80));
    b.add('MobileActionPerformed', { deviceId: 'd', action: 'transfer' }, day(80, 10));
    b.add(
      'BranchVisited',
      { branchCode: 'BJ01', service: 'loan', waitMinutes: 30, tellerId: 'T2' },
      day(85),
    );
    const s = foldCustomer('C1', b.events);
    expect(interactionCounts(s, day(85), 30)).toEqual({ branch: 1, mobile: 1, 'call-centre': 0 });
    expect(interactionCounts(s, day(85), 90)).toEqual({ branch: 2, mobile: 1, 'call-centre': 1 });
    // Later `now`: the window slides without any new event.
    expect(interactionCounts(s, day(139), 90)).toEqual({ branch: 1, mobile: 1, 'call-centre': 1 });
    expect(interactionCounts(s, day(140), 90)).toEqual({ branch: 1, mobile: 1, 'call-centre': 0 });
    expect(lastInteractionAsOf(s, day(85))).toEqual({
      branch: day(85),
      mobile: day(80, 10),
      'call-centre': day(50),
    });
    expect(lastInteractionAsOf(s, day(60))).toEqual({
      branch: null,
      mobile: null,
      'call-centre': day(50),
    });
    expect(serviceQuality(s, day(85), 90)).toEqual({
      branchVisits: 2,
      averageBranchWaitMinutes: 20,
      calls: 1,
      callsResolved: 1,
      callsAbandoned: 0,
    });
  });

  it('prunes daily buckets beyond 90 days of the newest event but keeps last interaction', () => {
    const b = streamOf('C1');
    b.add(
      'BranchVisited',
      { branchCode: 'BJ01', service: 'cash', waitMinutes: 1, tellerId: 'T' },
      day(0),
    );
    for (let d = 1; d <= 200; d++)
      b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(d));
    const s = foldCustomer('C1', b.events);
    expect(s.activity).toHaveLength(ACTIVITY_WINDOW_DAYS);
    expect(s.activity[0]?.day).toBe('2026-04-22'); // days 111..200 after 1 January
    expect(s.lastInteraction.branch?.at).toBe(day(0));
    expect(s.timeline).toHaveLength(TIMELINE_LIMIT);
    expect(s.timeline[0]?.occurredAt).toBe(day(200)); // newest first
  });

  it('puts a late-arriving interaction in its place on the timeline', () => {
    const b = streamOf('C1');
    b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(1));
    b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(3));
    b.add(
      'BranchVisited',
      { branchCode: 'X', service: 's', waitMinutes: 0, tellerId: 't' },
      day(2),
      day(4),
    );
    const s = foldCustomer('C1', b.events);
    expect(s.timeline.map((e) => e.occurredAt)).toEqual([day(3), day(2), day(1)]);
  });

  it('keeps open complaints with their raised time and the latest NPS / CSAT by occurrence', () => {
    const b = streamOf('C1');
    b.add(
      'ComplaintRaised',
      { complaintId: 'K1', category: 'fees', severity: 'high', channel: 'call-centre' },
      day(1),
    );
    b.add(
      'ComplaintRaised',
      { complaintId: 'K2', category: 'wait', severity: 'low', channel: 'branch' },
      day(2),
    );
    b.add('ComplaintResolved', { complaintId: 'K1', resolution: 'refund' }, day(3));
    b.add('ComplaintResolved', { complaintId: 'K9', resolution: 'unknown complaint' }, day(3));
    b.add('SurveyAnswered', { kind: 'nps', score: 9 }, day(5));
    b.add('SurveyAnswered', { kind: 'nps', score: 2 }, day(4), day(6)); // older answer arriving late
    b.add('SurveyAnswered', { kind: 'csat', score: 4 }, day(6));
    const s = foldCustomer('C1', b.events);
    expect(s.openComplaints.map((c) => [c.complaintId, c.raisedAt])).toEqual([['K2', day(2)]]);
    expect(s.complaintsResolved).toBe(1);
    expect(s.latestNps?.score).toBe(9);
    expect(s.latestCsat?.score).toBe(4);
  });

  it('records the relationship manager, the previous one and when it changed', () => {
    const b = streamOf('C1');
    b.add('RelationshipManagerAssigned', { managerId: 'RM1', previousManagerId: null }, day(0));
    let s = foldCustomer('C1', b.events);
    expect(s.relationshipManager).toMatchObject({
      managerId: 'RM1',
      previousManagerId: null,
      changedAt: null,
    });
    b.add('RelationshipManagerAssigned', { managerId: 'RM2', previousManagerId: null }, day(10));
    s = foldCustomer('C1', b.events);
    expect(s.relationshipManager).toMatchObject({
      managerId: 'RM2',
      previousManagerId: 'RM1',
      changedAt: day(10),
      eventId: 'C1-1',
    });
  });

  it('learns the salary rhythm and records transfers to other banks', () => {
    const b = streamOf('C1');
    for (const d of [0, 31, 59, 90]) {
      b.add(
        'MoneyMoved',
        {
          productId: 'A1',
          direction: 'in',
          kind: 'salary',
          amountMinor: 12_000_00,
          currency: 'CNY',
        },
        day(d),
      );
    }
    b.add(
      'MoneyMoved',
      {
        productId: 'A1',
        direction: 'out',
        kind: 'transfer',
        amountMinor: 5_000_00,
        currency: 'CNY',
        counterpartyBank: 'ICBC',
      },
      day(91),
    );
    b.add(
      'MoneyMoved',
      {
        productId: 'A1',
        direction: 'out',
        kind: 'transfer',
        amountMinor: 7_00,
        currency: 'CNY',
        counterpartyBank: null,
      },
      day(92),
    );
    const s = foldCustomer('C1', b.events);
    expect(s.salary).toMatchObject({
      lastAt: day(90),
      count: 4,
      typicalIntervalDays: 31,
      lastAmountMinor: 12_000_00,
    });
    expect(s.transfersToOtherBanks).toEqual([
      {
        eventId: 'C1-4',
        at: day(91),
        amountMinor: 5_000_00,
        currency: 'CNY',
        counterpartyBank: 'ICBC',
      },
    ]);
  });

  it('estimates revenue against cost-to-serve by channel', () => {
    const b = streamOf('C1');
    b.add('ProductOpened', { productId: 'A1', productType: 'current', currency: 'CNY' }, day(0));
    b.add(
      'BalanceReported',
      { productId: 'A1', balanceMinor: 365_000_00, currency: 'CNY', asOfDate: '2026-01-01' },
      day(0),
    );
    b.add(
      'MoneyMoved',
      { productId: 'A1', direction: 'out', kind: 'fee', amountMinor: 10_00, currency: 'CNY' },
      day(1),
    );
    b.add(
      'MoneyMoved',
      {
        productId: 'A1',
        direction: 'out',
        kind: 'card-payment',
        amountMinor: 1_000_00,
        currency: 'CNY',
      },
      day(1),
    );
    b.add(
      'BranchVisited',
      { branchCode: 'X', service: 's', waitMinutes: 0, tellerId: 't' },
      day(2),
    );
    b.add(
      'CallHandled',
      {
        callId: 'c',
        reason: 'r',
        durationSec: 1,
        outcome: 'abandoned',
        sentiment: 0,
        agentId: 'a',
      },
      day(2),
    );
    b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(2));
    const p = profitability(foldCustomer('C1', b.events), day(2));
    // 365,000.00 × 2% × 90/365 = 1,800.00; fee 10.00; interchange 0.45% × 1,000.00 = 4.50
    expect(p).toMatchObject({
      interestMarginMinor: 1_800_00,
      feesMinor: 10_00,
      interchangeMinor: 4_50,
    });
    expect(p.revenueMinor).toBe(1_814_50);
    expect(p.costByChannel).toEqual([
      { channel: 'branch', interactions: 1, unitCostMinor: 25_00, costMinor: 25_00 },
      { channel: 'mobile', interactions: 1, unitCostMinor: 50, costMinor: 50 },
      { channel: 'call-centre', interactions: 1, unitCostMinor: 8_00, costMinor: 8_00 },
    ]);
    expect(p.costToServeMinor).toBe(33_50);
    expect(p.marginMinor).toBe(1_781_00);
  });

  it('ignores a redelivered revision (same state object) and unknown types beyond the position', () => {
    const b = streamOf('C1');
    const e = b.add(
      'BranchVisited',
      { branchCode: 'X', service: 's', waitMinutes: 0, tellerId: 't' },
      day(0),
    );
    const s = foldCustomer('C1', b.events);
    expect(evolve(s, e)).toBe(s);
    const unknown = { ...e, eventId: 'u', type: 'SomethingNew', revision: 1 };
    const after = evolve(s, unknown);
    expect(after.position.lastRevision).toBe(1);
    expect({ ...after, position: s.position }).toEqual(s);
    const future = { ...e, eventId: 'v2', revision: 2, version: 2 };
    expect(evolve(after, future).activity).toEqual(s.activity);
  });
});
