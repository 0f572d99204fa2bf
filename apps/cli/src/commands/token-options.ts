import { isKnownScope, STATIC_SCOPES } from '@c360/auth';
import { parseDurationMs, type AppConfig } from '@c360/config';
import { UsageError } from '../usage-error';

export interface RawTokenOptions {
  readonly scopes?: string;
  readonly ttl?: string;
  readonly subject?: string;
}

export interface TokenOptions {
  readonly scopes: string[];
  readonly ttlSeconds: number;
  readonly subject: string;
}

/** Checks `c360 token` flags; every refusal says what to type instead. */
export function parseTokenOptions(raw: RawTokenOptions, config: AppConfig): TokenOptions {
  if (raw.scopes === undefined || raw.scopes.trim() === '') {
    throw new UsageError('--scopes is required, e.g. --scopes customers:read,segments:read');
  }
  const scopes = [...new Set(raw.scopes.split(',').map((s) => s.trim()).filter((s) => s.length > 0))];
  const unknown = scopes.filter((s) => !isKnownScope(s));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}. Known scopes: ${STATIC_SCOPES.join(', ')}, channel:<name>:write (e.g. channel:branch:write).`,
    );
  }
  let ttlSeconds = config.jwt.defaultTtlSeconds;
  if (raw.ttl !== undefined) {
    const ms = parseDurationMs(raw.ttl);
    if (!Number.isFinite(ms) || ms < 1000) {
      throw new UsageError(`--ttl must be a duration like 15m, 1h or 7d (got "${raw.ttl}").`);
    }
    ttlSeconds = Math.floor(ms / 1000);
    if (ttlSeconds > config.jwt.maxTtlSeconds) {
      throw new UsageError(`--ttl ${raw.ttl} is longer than JWT_MAX_TTL (${config.jwt.maxTtlSeconds}s). Ask for less, or raise JWT_MAX_TTL.`);
    }
  }
  const subject = raw.subject ?? 'local-cli';
  if (!/^[A-Za-z0-9._:@-]{1,128}$/.test(subject)) {
    throw new UsageError('--subject must be 1-128 characters of letters, digits and . _ : @ - (e.g. svc-marketing).');
  }
  return { scopes, ttlSeconds, subject };
}
