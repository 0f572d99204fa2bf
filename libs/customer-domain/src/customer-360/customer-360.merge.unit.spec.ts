import { customerStreamId } from '@c360/contracts';
import { day, registration, streamOf } from '../testing/event-builder';
import {
  activeMergedIds,
  combineForMerge,
  foldCustomer,
  foldSurvivor,
  requiresRefold,
} from './customer-360.fold';
import { customerContent } from './customer-360.state';
import { interactionCounts } from './customer-360.queries';
import { occurredBy } from '../time-travel/time-travel';

/** Two customers who turn out to be one person, each with their own history. */
const histories = () => {
  const a = streamOf('A');
  a.add('CustomerRegistered', registration({ customerNumber: 'A', fullName: 'Wang Fang' }), day(0));
  a.add('ChannelIdentityLinked', { scheme: 'phone', value: '+8613800000001' }, day(0));
  a.add('ProductOpened', { productId: 'A-1', productType: 'current', currency: 'CNY' }, day(1));
  a.add(
    'BalanceReported',
    { productId: 'A-1', balanceMinor: 1_000_00, currency: 'CNY', asOfDate: '2026-01-05' },
    day(4),
  );
  a.add(
    'BranchVisited',
    { branchCode: 'BJ01', service: 'cash', waitMinutes: 5, tellerId: 'T' },
    day(5),
  );
  a.add('RelationshipManagerAssigned', { managerId: 'RM-A', previousManagerId: null }, day(6));
  const b = streamOf('B');
  b.add(
    'CustomerRegistered',
    registration({ customerNumber: 'B', fullName: 'W. Fang', region: 'south' }),
    day(2),
  );
  b.add('ChannelIdentityLinked', { scheme: 'mobile-user', value: 'u-77' }, day(2));
  b.add('ProductOpened', { productId: 'B-1', productType: 'savings', currency: 'CNY' }, day(3));
  b.add(
    'BalanceReported',
    { productId: 'B-1', balanceMinor: 9_000_00, currency: 'CNY', asOfDate: '2026-01-08' },
    day(7),
  );
  b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(8));
  b.add(
    'ComplaintRaised',
    { complaintId: 'K1', category: 'app', severity: 'low', channel: 'mobile' },
    day(8),
  );
  return { a, b };
};

describe('merge and unmerge', () => {
  it('combines streams keeping each stream in its own order, interleaved by occurrence, once per event id', () => {
    const { a, b } = histories();
    const union = combineForMerge(a.events, b.events, [a.events[0]!]);
    expect(union).toHaveLength(a.events.length + b.events.length);
    expect(union.filter((e) => e.streamId === customerStreamId('A'))).toEqual(a.events);
    expect(union.filter((e) => e.streamId === customerStreamId('B'))).toEqual(b.events);
    expect(union.map((e) => e.eventId).slice(0, 4)).toEqual(['A-0', 'A-1', 'A-2', 'B-0']);
  });

  it('folds the merged customer into the survivor, and unmerging restores both states exactly', () => {
    const { a, b } = histories();
    const beforeA = foldSurvivor('A', a.events, { B: b.events });
    const beforeB = foldSurvivor('B', b.events, { A: a.events });
    expect(beforeA.mergedFrom).toEqual([]);

    // The merge is recorded in both streams.
    const merge = { survivorId: 'A', mergedId: 'B', reason: 'duplicate' };
    const mergedA = a.add('CustomersMerged', merge, day(10));
    b.add('CustomersMerged', merge, day(10));
    expect(requiresRefold(beforeA, mergedA)).toBe(true);
    expect(activeMergedIds('A', a.events)).toEqual(['B']);

    const survivor = foldSurvivor('A', a.events, { B: b.events });
    expect(survivor.mergedFrom).toEqual(['B']);
    expect(survivor.profile.fullName).toBe('Wang Fang'); // the survivor's profile stands
    expect(survivor.profile.region).toBe('north');
    expect(survivor.relationshipManager?.managerId).toBe('RM-A');
    expect(survivor.identities.map((i) => i.value)).toEqual(['u-77', '+8613800000001']);
    expect(survivor.products.map((p) => p.productId)).toEqual(['A-1', 'B-1']);
    expect(survivor.assetsMinor).toEqual({ CNY: 10_000_00 });
    expect(survivor.openComplaints.map((c) => c.complaintId)).toEqual(['K1']);
    expect(interactionCounts(survivor, day(10), 30)).toEqual({
      branch: 1,
      mobile: 1,
      'call-centre': 0,
    });
    expect(survivor.position.byStream).toEqual({
      [customerStreamId('A')]: 6,
      [customerStreamId('B')]: 6,
    });
    const mergedB = foldSurvivor('B', b.events, {});
    expect(mergedB.mergedInto).toBe('A');

    const unmerge = { survivorId: 'A', mergedId: 'B', reason: 'not the same person' };
    expect(requiresRefold(survivor, a.add('CustomersUnmerged', unmerge, day(20)))).toBe(true);
    b.add('CustomersUnmerged', unmerge, day(20));
    const afterA = foldSurvivor('A', a.events, { B: b.events });
    const afterB = foldSurvivor('B', b.events, { A: a.events });
    expect(customerContent(afterA)).toEqual(customerContent(beforeA));
    expect(customerContent(afterB)).toEqual(customerContent(beforeB));
    // Only the fold positions moved on (the two bookkeeping events were read).
    expect(afterA.position.lastRevision).toBe(beforeA.position.lastRevision + 2);
  });

  it('does not let a merged-in stream rewrite the survivor profile or manager, even when newer', () => {
    const { a, b } = histories();
    b.add('ContactDetailsChanged', { phone: '+8613999999999' }, day(9));
    b.add('RelationshipManagerAssigned', { managerId: 'RM-B', previousManagerId: null }, day(9));
    a.add('CustomersMerged', { survivorId: 'A', mergedId: 'B', reason: 'dup' }, day(10));
    const s = foldSurvivor('A', a.events, { B: b.events });
    expect(s.profile.phone).toBe('+8613800000000');
    expect(s.relationshipManager?.managerId).toBe('RM-A');
  });

  it('applies only the merges in force under a time restriction', () => {
    const { a, b } = histories();
    a.add('CustomersMerged', { survivorId: 'A', mergedId: 'B', reason: 'dup' }, day(10));
    expect(foldSurvivor('A', a.events, { B: b.events }, occurredBy(day(9))).mergedFrom).toEqual([]);
    expect(
      customerContent(foldSurvivor('A', a.events, { B: b.events }, occurredBy(day(9)))),
    ).toEqual(customerContent(foldCustomer('A', a.events.slice(0, -1))));
    expect(foldSurvivor('A', a.events, { B: b.events }, occurredBy(day(10))).products).toHaveLength(
      2,
    );
  });

  it('needs no refold for ordinary events or for merges naming another survivor', () => {
    const { a, b } = histories();
    const s = foldCustomer('A', a.events);
    expect(requiresRefold(s, a.events[1]!)).toBe(false);
    expect(
      requiresRefold(
        s,
        b.add('CustomersMerged', { survivorId: 'B', mergedId: 'A', reason: 'x' }, day(10)),
      ),
    ).toBe(false);
  });
});
