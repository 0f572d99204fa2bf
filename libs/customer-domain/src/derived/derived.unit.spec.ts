import { DEFAULT_CHURN_CONFIG } from '../churn/churn-config';
import { foldSurvivor } from '../customer-360/customer-360.fold';
import { initialCustomer360, type Customer360State } from '../customer-360/customer-360.state';
import { streamOf } from '../testing/event-builder';
import { DIGITAL_FIRST_SEGMENT, TIER_SEGMENTS } from '../segments/built-in-segments';
import { churnConfigOverridesErrors, layerChurnConfig, reevaluateChurn, shadowChurnChanges } from './churn-step';
import { evaluationTime } from './evaluation-time';
import { reevaluateMembership, shadowMembershipChange } from './membership-step';
import { foldSurvivorSteps } from './survivor-steps';
import { foldCustomer } from '../customer-360/customer-360.fold';

const registered = (id: string, at: string) => {
  const s = streamOf(id);
  s.add('CustomerRegistered', { customerNumber: id, kind: 'individual', fullName: 'A', nationalId: 'X', birthDate: '1990-01-01', phone: '+8613800000000', email: 'a@example.com', address: 'addr', region: 'north', branchCode: 'B1' }, at);
  return s;
};

describe('evaluationTime', () => {
  const state = foldCustomer('C1', registered('C1', '2026-01-01T00:00:00.000Z').events);
  it('is the view’s own time without sweeps, and never goes back before a sweep', () => {
    expect(evaluationTime(state)).toBe('2026-01-01T00:00:00.000Z');
    expect(evaluationTime(state, '2026-03-01T00:00:00.000Z')).toBe('2026-03-01T00:00:00.000Z');
    expect(evaluationTime(state, '2025-03-01T00:00:00.000Z')).toBe('2026-01-01T00:00:00.000Z');
    expect(evaluationTime(initialCustomer360('X'))).toBeNull();
  });
});

describe('reevaluateMembership', () => {
  const s = registered('C1', '2026-01-01T00:00:00.000Z');
  for (const d of [1, 2, 3]) s.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, `2026-01-0${d + 1}T00:00:00.000Z`);
  const view = foldCustomer('C1', s.events);
  const at = evaluationTime(view) ?? '';

  it('enters the segments that hold, with the evaluation time and reason', () => {
    const step = reevaluateMembership([], [...TIER_SEGMENTS, DIGITAL_FIRST_SEGMENT], view, at);
    expect(step.transitions.map((t) => `${t.change}/${t.segmentId}`)).toEqual(['entered/digital-first', 'entered/tier-mass']);
    expect(step.members.every((m) => m.since === at)).toBe(true);
  });

  it('leaves what no longer holds, keeps memberships of segments it did not evaluate, and a merged-away customer is in none', () => {
    const current = [
      { segmentId: 'tier-top', version: 1, since: at, reason: 'was rich' },
      { segmentId: 'other', version: 3, since: at, reason: 'kept' },
    ];
    const step = reevaluateMembership(current, TIER_SEGMENTS, view, at);
    expect(step.transitions.map((t) => `${t.change}/${t.segmentId}`)).toEqual(['left/tier-top', 'entered/tier-mass']);
    expect(step.members.map((m) => m.segmentId)).toEqual(['other', 'tier-mass']);
    const merged: Customer360State = { ...view, mergedInto: 'C2' };
    const gone = reevaluateMembership(step.members, TIER_SEGMENTS, merged, at);
    expect(gone.transitions).toEqual([expect.objectContaining({ change: 'left', segmentId: 'tier-mass', reason: 'merged into C2' })]);
  });

  it('shadow: a candidate says enter, leave or nothing against the current membership', () => {
    expect(shadowMembershipChange(false, DIGITAL_FIRST_SEGMENT, view, at)?.change).toBe('enter');
    expect(shadowMembershipChange(true, DIGITAL_FIRST_SEGMENT, view, at)).toBeNull();
    const strict = { ...DIGITAL_FIRST_SEGMENT, version: 2, rule: { field: 'interactions90d' as const, op: 'gte' as const, value: 10 } };
    const change = shadowMembershipChange(true, strict, view, at);
    expect(change?.change).toBe('leave');
    expect(change?.reason).toContain('interactions90d=3');
  });
});

describe('reevaluateChurn', () => {
  const s = registered('C1', '2026-01-01T00:00:00.000Z');
  for (const d of [1, 2, 3]) s.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, `2026-01-0${d + 1}T00:00:00.000Z`);
  const view = foldCustomer('C1', s.events);

  it('raises inactivity once the clock passes the threshold, then keeps it with its raisedAt, and scores it', () => {
    const quiet = reevaluateChurn([], view, '2026-02-01T00:00:00.000Z');
    expect(quiet.raised).toEqual([]);
    const silent = reevaluateChurn([], view, '2026-04-01T00:00:00.000Z');
    expect(silent.raised.map((f) => f.code)).toEqual(['inactivity']);
    expect(silent.riskScore).toBe(30);
    const later = reevaluateChurn(silent.open, view, '2026-05-01T00:00:00.000Z');
    expect(later.raised).toEqual([]);
    expect(later.open[0]?.raisedAt).toBe('2026-04-01T00:00:00.000Z');
    expect(reevaluateChurn(silent.open, { ...view, mergedInto: 'C9' }, '2026-05-01T00:00:00.000Z').cleared.map((f) => f.code)).toEqual(['inactivity']);
  });

  it('shadow: a candidate configuration reports raises and clears', () => {
    const strict = layerChurnConfig(DEFAULT_CHURN_CONFIG, { inactivity: { days: 5 } });
    expect(strict.inactivity).toEqual({ ...DEFAULT_CHURN_CONFIG.inactivity, days: 5 });
    expect(shadowChurnChanges([], view, '2026-01-20T00:00:00.000Z', strict).map((c) => `${c.change}/${c.code}`)).toEqual(['raise/inactivity']);
    const open = reevaluateChurn([], view, '2026-04-01T00:00:00.000Z').open;
    const lax = layerChurnConfig(DEFAULT_CHURN_CONFIG, { inactivity: { days: 365 } });
    expect(shadowChurnChanges(open, view, '2026-04-01T00:00:00.000Z', lax).map((c) => `${c.change}/${c.code}`)).toEqual(['clear/inactivity']);
  });

  it('validates run-time churn overrides', () => {
    expect(churnConfigOverridesErrors({ inactivity: { days: 30 }, weights: { inactivity: 0.5 }, managerChanged: { tiers: ['top'] } })).toEqual([]);
    expect(churnConfigOverridesErrors({ nope: {}, inactivity: { days: -1, colour: 1 }, weights: { inactivity: 2 }, managerChanged: { tiers: ['gold'] } })).toEqual([
      'nope: unknown section',
      'inactivity.days: non-negative number required',
      'inactivity.colour: unknown setting',
      'weights.inactivity: weight must be within 0..1',
      'managerChanged.tiers: array of tiers (top, important, core, mass) required',
    ]);
    expect(churnConfigOverridesErrors([])).toEqual(['churn rules: must be an object']);
  });
});

describe('foldSurvivorSteps', () => {
  it('ends where foldSurvivor ends and yields a state after each new event', () => {
    const a = registered('A', '2026-01-01T00:00:00.000Z');
    const b = registered('B', '2026-01-02T00:00:00.000Z');
    b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, '2026-01-03T00:00:00.000Z');
    a.add('CustomersMerged', { survivorId: 'A', mergedId: 'B', reason: 'duplicate' }, '2026-01-04T00:00:00.000Z');
    const { final, steps } = foldSurvivorSteps('A', a.events, { B: b.events }, (e) => e.streamId.endsWith('B') || e.revision > 0);
    expect(final).toEqual(foldSurvivor('A', a.events, { B: b.events }));
    expect(steps.map((s) => s.event.eventId)).toEqual(['B-0', 'B-1', 'A-1']);
    expect(steps[steps.length - 1]?.state).toEqual(final);
  });
});
