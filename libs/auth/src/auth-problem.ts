import { AuthError, AuthErrorCode } from './auth-error';

/** The RFC 9457 body and headers for a refused request (structurally a ProblemResponse). */
export interface AuthProblem {
  readonly problem: {
    readonly type: string;
    readonly title: string;
    readonly status: 401 | 403;
    readonly detail: string;
    readonly code: AuthErrorCode;
    readonly requiredScopes?: readonly string[];
  };
  readonly headers: Readonly<Record<string, string>>;
}

function statusOf(code: AuthErrorCode): 401 | 403 {
  switch (code) {
    case AuthErrorCode.InsufficientScope:
      return 403;
    case AuthErrorCode.TokenMissing:
    case AuthErrorCode.TokenMalformed:
    case AuthErrorCode.TokenExpired:
    case AuthErrorCode.TokenAlgorithmNotAllowed:
    case AuthErrorCode.TokenUnknownKey:
    case AuthErrorCode.TokenSignatureInvalid:
    case AuthErrorCode.TokenClaimsInvalid:
      return 401;
  }
}

/** The one HTTP mapping of AuthError (RFC 6750 WWW-Authenticate included); other errors → undefined. */
export function authErrorToProblem(error: unknown): AuthProblem | undefined {
  if (!(error instanceof AuthError)) return undefined;
  const status = statusOf(error.code);
  const challenge =
    status === 403
      ? `Bearer error="insufficient_scope", scope="${error.requiredScopes.join(' ')}"`
      : error.code === AuthErrorCode.TokenMissing
        ? 'Bearer'
        : 'Bearer error="invalid_token"';
  return {
    problem: {
      type: `urn:c360:problem:${error.code}`,
      title: status === 401 ? 'Unauthorized' : 'Forbidden',
      status,
      detail: error.message,
      code: error.code,
      ...(status === 403 ? { requiredScopes: error.requiredScopes } : {}),
    },
    headers: { 'www-authenticate': challenge },
  };
}
