import { toIso, toMs } from '../calendar/calendar';
import type { Customer360State } from '../customer-360/customer-360.state';

/**
 * The time a customer's derived views (segments, churn flags) are evaluated at when one of
 * its events is applied: the newest business time in its view, or the last clock sweep of
 * that customer if later. Without sweeps this depends on the events only, so a live
 * projection equals a rebuild (I6); with sweeps, a late event never turns the clock back
 * (which would clear a time-based flag the sweeper raised, only for it to be raised again).
 */
export const evaluationTime = (state: Customer360State, sweptAt: string | null = null): string | null => {
  const last = state.timeline[0]?.occurredAt ?? state.profile.registeredAt;
  if (last === null) return sweptAt === null ? null : toIso(sweptAt);
  if (sweptAt === null) return toIso(last);
  return toMs(sweptAt) > toMs(last) ? toIso(sweptAt) : toIso(last);
};
