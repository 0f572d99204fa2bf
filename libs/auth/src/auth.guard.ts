import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthError, AuthErrorCode } from './auth-error';
import { hasScopes, type Principal } from './principal';
import { PUBLIC_ROUTE, REQUIRED_SCOPES } from './require-scopes.decorator';
import { resolveScope } from './scope-template';
import { TokenVerifier } from './token-verifier';

/** What the guard reads from and writes to the request (Fastify and Express requests both fit). */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  principal?: Principal;
}

/**
 * Deny by default: every route needs a valid bearer token unless marked @Public();
 * @RequireScopes adds the scopes it needs. Throws AuthError, mapped to problem+json once
 * by the HTTP layer (authErrorToProblem).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) === true) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['authorization'];
    const principal = await this.verifier.verifyAuthorization(Array.isArray(header) ? undefined : header);
    request.principal = principal;

    const templates = this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, targets);
    const required = templates.map((t) => resolveScope(t, request.params ?? {}));
    const concrete = required.filter((s): s is string => s !== undefined);
    if (concrete.length !== required.length || !hasScopes(principal, concrete)) {
      throw new AuthError(AuthErrorCode.InsufficientScope, 'The bearer token lacks a scope this request needs.', concrete);
    }
    return true;
  }
}
