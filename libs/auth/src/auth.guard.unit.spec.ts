import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthError, AuthErrorCode } from './auth-error';
import { authErrorToProblem } from './auth-problem';
import { AuthGuard, type AuthenticatedRequest } from './auth.guard';
import type { Principal } from './principal';
import { Public, RequireScopes } from './require-scopes.decorator';
import { TokenVerifier } from './token-verifier';

class SampleController {
  @Public() health(): void {}
  anyCaller(): void {}
  @RequireScopes('customers:read', 'customers:read-pii') pii(): void {}
  @RequireScopes('channel:{channel}:write') postChannel(): void {}
}

/** A verifier stub: the guard is under test here, not token verification. */
class StubVerifier extends TokenVerifier {
  constructor(private readonly principal: Principal | undefined) {
    super({ issuer: 'x', audience: 'y', clockToleranceSeconds: 0, getKey: () => Promise.reject(new Error('unused')) });
  }
  override async verifyAuthorization(header: string | undefined): Promise<Principal> {
    if (!header || !this.principal) throw new AuthError(AuthErrorCode.TokenMissing, 'A bearer token is required.');
    return this.principal;
  }
}

function contextFor(handler: keyof SampleController, request: AuthenticatedRequest): ExecutionContext {
  const context = {
    getType: () => 'http',
    getHandler: () => SampleController.prototype[handler],
    getClass: () => SampleController,
    switchToHttp: () => ({ getRequest: () => request }),
  };
  return context as unknown as ExecutionContext;
}

const caller = (...scopes: string[]): Principal => ({ subject: 'svc', scopes: new Set(scopes), tokenId: undefined, expiresAt: new Date(Date.now() + 60_000) });

async function outcome(guard: AuthGuard, handler: keyof SampleController, request: AuthenticatedRequest): Promise<number> {
  try {
    await guard.canActivate(contextFor(handler, request));
    return 200;
  } catch (e) {
    const mapped = authErrorToProblem(e);
    if (!mapped) throw e;
    return mapped.problem.status;
  }
}

describe('AuthGuard', () => {
  const withToken = (params: Record<string, string> = {}): AuthenticatedRequest => ({ headers: { authorization: 'Bearer t' }, params });

  it('lets anyone reach a @Public() route', async () => {
    expect(await outcome(new AuthGuard(new Reflector(), new StubVerifier(undefined)), 'health', { headers: {} })).toBe(200);
  });

  it('denies by default: a route without decorators still needs a valid token (401)', async () => {
    const guard = new AuthGuard(new Reflector(), new StubVerifier(undefined));
    expect(await outcome(guard, 'anyCaller', { headers: {} })).toBe(401);
  });

  it('attaches the principal for the handler', async () => {
    const request = withToken();
    expect(await outcome(new AuthGuard(new Reflector(), new StubVerifier(caller())), 'anyCaller', request)).toBe(200);
    expect(request.principal?.subject).toBe('svc');
  });

  it('needs every required scope (403 otherwise)', async () => {
    expect(await outcome(new AuthGuard(new Reflector(), new StubVerifier(caller('customers:read'))), 'pii', withToken())).toBe(403);
    expect(await outcome(new AuthGuard(new Reflector(), new StubVerifier(caller('customers:read', 'customers:read-pii'))), 'pii', withToken())).toBe(200);
  });

  it('fills channel:{channel}:write from the route: a channel credential posts only to its channel', async () => {
    const branch = new AuthGuard(new Reflector(), new StubVerifier(caller('channel:branch:write')));
    expect(await outcome(branch, 'postChannel', withToken({ channel: 'branch' }))).toBe(200);
    expect(await outcome(branch, 'postChannel', withToken({ channel: 'mobile' }))).toBe(403);
    // A missing or odd parameter fails closed.
    expect(await outcome(branch, 'postChannel', withToken({}))).toBe(403);
    expect(await outcome(branch, 'postChannel', withToken({ channel: 'branch:write channel:mobile' }))).toBe(403);
  });
});

describe('authErrorToProblem', () => {
  it('maps 401s with a Bearer challenge and no detail about the token', () => {
    const mapped = authErrorToProblem(new AuthError(AuthErrorCode.TokenExpired, 'The bearer token has expired; get a new one.'));
    expect(mapped).toEqual({
      problem: {
        type: 'urn:c360:problem:token_expired',
        title: 'Unauthorized',
        status: 401,
        detail: 'The bearer token has expired; get a new one.',
        code: 'token_expired',
      },
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  });

  it('maps 403 with the scopes that were needed', () => {
    const mapped = authErrorToProblem(new AuthError(AuthErrorCode.InsufficientScope, 'lacks scope', ['ops:replay']));
    expect(mapped?.problem).toMatchObject({ status: 403, code: 'insufficient_scope', requiredScopes: ['ops:replay'] });
    expect(mapped?.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="ops:replay"');
  });

  it('leaves other errors alone', () => {
    expect(authErrorToProblem(new Error('x'))).toBeUndefined();
  });
});
