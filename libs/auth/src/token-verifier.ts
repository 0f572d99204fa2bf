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
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_LENGTH = 8192;

/** Turns an Authorization header into a Principal, or throws an AuthError (401). */
export class TokenVerifier {
  constructor(private readonly options: TokenVerifierOptions) {}

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
    try {
      const { payload } = await jwtVerify(token, this.options.getKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...ACCEPTED_ALGORITHMS],
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const scope = typeof payload.scope === 'string' ? payload.scope : '';
      return {
        subject: payload.sub ?? '',
        scopes: new Set(splitScopes(scope)),
        tokenId: payload.jti,
        expiresAt: new Date((payload.exp ?? 0) * 1000),
      };
    } catch (e) {
      throw toAuthError(e);
    }
  }
}

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
