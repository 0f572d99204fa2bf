import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AuthError, AuthErrorCode } from './auth-error';
import type { AuthenticatedRequest } from './auth.guard';
import type { Principal } from './principal';

/** The verified caller, set by AuthGuard. On a @Public() route there is none: that is a 401. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new AuthError(AuthErrorCode.TokenMissing, 'A bearer token is required: send "Authorization: Bearer <token>".');
  return principal;
});
