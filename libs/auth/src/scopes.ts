/** The fixed scopes of the public interface (MISSION.md). */
export const STATIC_SCOPES = [
  'events:write',
  'customers:read',
  'customers:read-pii',
  'segments:read',
  'churn:read',
  'ops:read',
  'ops:replay',
  'customers:erase',
  /** Compliance: reads data under legal retention after an erasure request. */
  'customers:read-restricted',
] as const;

export type StaticScope = (typeof STATIC_SCOPES)[number];

/** The channels that post native payloads; each has its own `channel:<name>:write` scope. */
export const CHANNELS = ['branch', 'mobile', 'call-centre'] as const;

const CHANNEL_SCOPE = /^channel:([a-z0-9][a-z0-9-]{0,62}):write$/;

/** `channel:<name>:write` for a channel name. */
export function channelWriteScope(channel: string): string {
  return `channel:${channel}:write`;
}

/** True for a static scope or a well-formed channel scope. */
export function isKnownScope(scope: string): boolean {
  return (STATIC_SCOPES as readonly string[]).includes(scope) || CHANNEL_SCOPE.test(scope);
}

/** Every scope a local all-powerful token carries: static scopes plus each channel's. */
export function allScopes(): string[] {
  return [...STATIC_SCOPES, ...CHANNELS.map(channelWriteScope)];
}

/** "a,b c" → ["a","b","c"] without blanks or repeats. */
export function splitScopes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((s) => s.length > 0))];
}
