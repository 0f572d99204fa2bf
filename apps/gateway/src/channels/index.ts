// Channel adapters: each channel's native payload, its validator and its pure mapper onto canonical events.
export { type MapperContext, defaultMapperContext } from './shared/mapper-context';
export { CHANNEL_EVENT_NAMESPACE, deterministicEventId, uuidV5 } from './shared/deterministic-id';
export * from './branch/branch.payload';
export { BRANCH_SOURCE, toCanonical as branchToCanonical } from './branch/branch.mapper';
export * from './mobile/mobile.payload';
export { MOBILE_SOURCE, toCanonical as mobileToCanonical } from './mobile/mobile.mapper';
export * from './call-centre/call-centre.payload';
export { CALL_CENTRE_SOURCE, toCanonical as callCentreToCanonical } from './call-centre/call-centre.mapper';
export { CHANNEL_ADAPTERS, type ChannelAdapter } from './channel-adapters';
