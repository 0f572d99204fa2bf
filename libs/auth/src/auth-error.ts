/** Why a request was refused. 401 codes say "who are you?", 403 codes say "not allowed". */
export const AuthErrorCode = {
  TokenMissing: 'token_missing',
  TokenMalformed: 'token_malformed',
  TokenExpired: 'token_expired',
  TokenAlgorithmNotAllowed: 'token_algorithm_not_allowed',
  TokenUnknownKey: 'token_unknown_key',
  TokenSignatureInvalid: 'token_signature_invalid',
  TokenClaimsInvalid: 'token_claims_invalid',
  InsufficientScope: 'insufficient_scope',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/**
 * A refused authentication or authorisation. Messages are fixed texts: they never echo the
 * token, its claims or anything about the requested resource.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** For 403: the scopes the route needed (safe to tell the caller; no resource data). */
    readonly requiredScopes: readonly string[] = [],
  ) {
    super(message);
  }
}
