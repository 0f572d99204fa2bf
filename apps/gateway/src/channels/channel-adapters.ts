import type { CanonicalEvent, Channel, Validated } from '@c360/contracts';
import { toCanonical as branchToCanonical } from './branch/branch.mapper';
import { BRANCH_EXAMPLES, validateBranchPayload } from './branch/branch.payload';
import { toCanonical as callCentreToCanonical } from './call-centre/call-centre.mapper';
import { CALL_CENTRE_EXAMPLE, validateCallCentrePayload } from './call-centre/call-centre.payload';
import { toCanonical as mobileToCanonical } from './mobile/mobile.mapper';
import { MOBILE_EXAMPLE, validateMobilePayload } from './mobile/mobile.payload';
import type { MapperContext } from './shared/mapper-context';

/** One channel's adapter: validate its native record, then map it. The HTTP layer needs nothing else. */
export interface ChannelAdapter {
  readonly channel: Channel;
  /** Named native examples (OpenAPI). */
  readonly examples: Readonly<Record<string, object>>;
  /** Validates one native record and maps it; field paths are relative to the record. */
  readonly accept: (input: unknown, ctx: MapperContext) => Validated<CanonicalEvent[]>;
}

const adapter = <T>(
  channel: Channel,
  examples: Readonly<Record<string, object>>,
  validate: (input: unknown) => Validated<T>,
  map: (native: T, ctx: MapperContext) => CanonicalEvent[],
): ChannelAdapter => ({
  channel,
  examples,
  accept: (input, ctx) => {
    const v = validate(input);
    return v.ok ? { ok: true, value: map(v.value, ctx) } : v;
  },
});

export const CHANNEL_ADAPTERS: { readonly [C in Channel]: ChannelAdapter } = {
  branch: adapter('branch', BRANCH_EXAMPLES, validateBranchPayload, branchToCanonical),
  mobile: adapter('mobile', { batch: MOBILE_EXAMPLE }, validateMobilePayload, mobileToCanonical),
  'call-centre': adapter('call-centre', { call: CALL_CENTRE_EXAMPLE }, validateCallCentrePayload, callCentreToCanonical),
};
