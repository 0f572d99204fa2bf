import { day, registration, streamOf } from '../testing/event-builder';
import { foldCustomer } from '../customer-360/customer-360.fold';
import { customerExists } from '../customer-360/customer-360.state';
import { foldAsOf, foldKnownAt } from './time-travel';

describe('time travel', () => {
  // Registered on day 0; a branch visit on day 30 reaches the store only on day 60.
  const history = () => {
    const b = streamOf('C1');
    b.add('CustomerRegistered', registration(), day(0));
    b.add('ProductOpened', { productId: 'A1', productType: 'current', currency: 'CNY' }, day(1));
    b.add(
      'BalanceReported',
      { productId: 'A1', balanceMinor: 100_00, currency: 'CNY', asOfDate: '2026-01-02' },
      day(1),
    );
    b.add(
      'BranchVisited',
      { branchCode: 'BJ01', service: 'cash', waitMinutes: 3, tellerId: 'T' },
      day(30),
      day(60),
    );
    b.add(
      'BalanceReported',
      { productId: 'A1', balanceMinor: 900_00, currency: 'CNY', asOfDate: '2026-03-02' },
      day(61),
    );
    return b.events;
  };

  it('a late-arriving event changes asOf views of last month but not knownAt views of last month', () => {
    const events = history();
    const asOf = foldAsOf('C1', events, day(40));
    const knownAt = foldKnownAt('C1', events, day(40));
    expect(asOf.lastInteraction.branch?.at).toBe(day(30));
    expect(knownAt.lastInteraction.branch).toBeNull();
    expect(knownAt.timeline.map((e) => e.type)).not.toContain('BranchVisited');
    // Once recorded, the bank knows it too; neither view sees the later balance.
    expect(foldKnownAt('C1', events, day(60)).lastInteraction.branch?.at).toBe(day(30));
    expect(asOf.assetsMinor).toEqual({ CNY: 100_00 });
    expect(knownAt.assetsMinor).toEqual({ CNY: 100_00 });
  });

  it('a customer who did not exist yet is empty (the API answers 404)', () => {
    const events = history();
    expect(customerExists(foldAsOf('C1', events, day(-1)))).toBe(false);
    expect(customerExists(foldKnownAt('C1', events, day(-1)))).toBe(false);
    expect(customerExists(foldAsOf('C1', events, day(0)))).toBe(true); // inclusive bound
  });

  it('uses the same fold: at the end of time both equal the live fold', () => {
    const events = history();
    expect(foldAsOf('C1', events, day(1000))).toEqual(foldCustomer('C1', events));
    expect(foldKnownAt('C1', events, new Date(day(1000)))).toEqual(foldCustomer('C1', events));
  });
});
