import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AuthError, AuthErrorCode } from './auth-error';
import type { Principal } from './principal';
import { splitScopes } from './scopes';

/** Asymmetric algorithms only: never `none`, never HMAC (no HS256 "signed" with a public key). */
export const ACCEPTED_ALGORITHMS = ['ES256', 'EdDSA'] as const;

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceSeconds: number;
  readonly getKey: JWTVerifyGetKey;
  /**
   * A number that changes whenever the trusted key set changes (JwksFileKeyStore.keySetVersion).
   * Given, it enables the verified-token cache: any change empties it, so a token signed by a
   * withdrawn key is refused as soon as the store has reloaded. Without it nothing is cached.
   */
  readonly keySetVersion?: () => number;
  /** Verified-token cache bounds; defaults 10 000 tokens, 60 s. */
  readonly cache?: { readonly maxEntries?: number; readonly maxAgeMs?: number };
}

/** What a successful verification proved about one exact token string. */
interface VerifiedToken {
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly tokenId: string | undefined;
  /** `exp` and `nbf` in seconds, re-checked at every use exactly as jose checks them. */
  readonly exp: number;
  readonly nbf: number | undefined;
  /** Key-set version the token was verified under. */
  readonly keySetVersion: number;
  /** Epoch ms after which the entry is verified afresh (at most maxAgeMs after verification). */
  readonly cachedUntil: number;
}

const DEFAULT_CACHE_ENTRIES = 10_000;
const DEFAULT_CACHE_AGE_MS = 60_000;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_LENGTH = 8192;

/** Turns an Authorization header into a Principal, or throws an AuthError (401). */
export class TokenVerifier {
  /** LRU by insertion order: a hit is moved to the end, the oldest entry is evicted first. */
  private readonly verified = new Map<string, VerifiedToken>();
  private cachedKeySetVersion: number | undefined;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;

  constructor(private readonly options: TokenVerifierOptions) {
    this.maxEntries = Math.max(0, options.cache?.maxEntries ?? DEFAULT_CACHE_ENTRIES);
    this.maxAgeMs = Math.max(0, options.cache?.maxAgeMs ?? DEFAULT_CACHE_AGE_MS);
  }

  /** Number of tokens currently cached as verified (diagnostics and tests). */
  cachedTokens(): number {
    return this.verified.size;
  }

  async verifyAuthorization(header: string | undefined): Promise<Principal> {
    if (header === undefined || header.trim() === '') {
      throw new AuthError(AuthErrorCode.TokenMissing, 'A bearer token is required: send "Authorization: Bearer <token>".');
    }
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new AuthError(AuthErrorCode.TokenMalformed, 'The Authorization header must be "Bearer <token>".');
    }
    return this.verifyToken(match[1]);
  }

  async verifyToken(token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      throw new AuthError(AuthErrorCode.TokenMalformed, 'The bearer token is not a signed JWT.');
    }
    const keySetVersion = this.options.keySetVersion?.();
    const cached = this.fromCache(token, keySetVersion);
    if (cached) return cached;
    try {
      const { payload } = await jwtVerify(token, this.options.getKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...ACCEPTED_ALGORITHMS],
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const scope = typeof payload.scope === 'string' ? payload.scope : '';
      const verified: VerifiedToken = {
        subject: payload.sub ?? '',
        scopes: splitScopes(scope),
        tokenId: payload.jti,
        exp: payload.exp ?? 0,
        nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined,
        keySetVersion: keySetVersion ?? 0,
        cachedUntil: Math.min(Date.now() + this.maxAgeMs, (payload.exp ?? 0) * 1000),
      };
      if (keySetVersion !== undefined) this.remember(token, verified);
      return toPrincipal(verified);
    } catch (e) {
      throw toAuthError(e);
    }
  }

  /** A cached verification still good now (same key set, not expired, not before nbf), else undefined. */
  private fromCache(token: string, keySetVersion: number | undefined): Principal | undefined {
    if (keySetVersion === undefined || this.maxEntries === 0) return undefined;
    if (keySetVersion !== this.cachedKeySetVersion) {
      // the trusted keys changed: nothing verified under the old set is trusted any more
      this.verified.clear();
      this.cachedKeySetVersion = keySetVersion;
      return undefined;
    }
    const entry = this.verified.get(token);
    if (!entry) return undefined;
    this.verified.delete(token);
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    const tolerance = this.options.clockToleranceSeconds;
    // the same comparisons jose makes; anything doubtful is verified afresh (which gives the right error)
    if (entry.keySetVersion !== keySetVersion || nowMs >= entry.cachedUntil || entry.exp <= now - tolerance) return undefined;
    if (entry.nbf !== undefined && entry.nbf > now + tolerance) return undefined;
    this.verified.set(token, entry);
    return toPrincipal(entry);
  }

  private remember(token: string, entry: VerifiedToken): void {
    if (this.maxEntries === 0 || entry.keySetVersion !== this.cachedKeySetVersion) return;
    this.verified.delete(token);
    this.verified.set(token, entry);
    while (this.verified.size > this.maxEntries) {
      const oldest = this.verified.keys().next();
      if (oldest.done) break;
      this.verified.delete(oldest.value);
    }
  }
}

/** A fresh Principal each time: callers may not share (or mutate) a cached scope set. */
const toPrincipal = (v: VerifiedToken): Principal => ({
  subject: v.subject,
  scopes: new Set(v.scopes),
  tokenId: v.tokenId,
  expiresAt: new Date(v.exp * 1000),
});

/** Vendor (jose) errors translated once, here; the caller never sees why in more detail than the code. */
function toAuthError(e: unknown): AuthError {
  if (e instanceof errors.JWTExpired) return new AuthError(AuthErrorCode.TokenExpired, 'The bearer token has expired; get a new one.');
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) {
    return new AuthError(AuthErrorCode.TokenAlgorithmNotAllowed, `The bearer token's algorithm is not accepted (accepted: ${ACCEPTED_ALGORITHMS.join(', ')}).`);
  }
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthError(AuthErrorCode.TokenUnknownKey, 'The bearer token was signed with a key this service does not know.');
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError(AuthErrorCode.TokenSignatureInvalid, 'The bearer token signature is invalid.');
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    return new AuthError(AuthErrorCode.TokenClaimsInvalid, `The bearer token's "${e.claim}" claim is not accepted here.`);
  }
  return new AuthError(AuthErrorCode.TokenMalformed, 'The bearer token is not a valid JWT.');
}
