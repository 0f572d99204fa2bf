import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AuthenticatedRequest } from '@c360/auth';
import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';

export const QUERY_RATE_LIMIT = Symbol('QUERY_RATE_LIMIT');

export interface ClientRateLimitOptions {
  /** Requests per client (token subject) per window. */
  readonly max: number;
  readonly windowMs: number;
}

interface LimitResult {
  readonly isAllowed: boolean;
  readonly isExceeded: boolean;
  readonly ttl: number;
  readonly max: number;
  readonly remaining: number;
}
type Limiter = (request: unknown) => Promise<LimitResult>;
interface RateLimitedFastify {
  createRateLimit?: (options: { max: number; timeWindow: number; keyGenerator: (req: AuthenticatedRequest) => string }) => Limiter;
}

/**
 * Per-client rate limit, keyed by the verified token subject (so one noisy service never
 * slows another, and a forged token cannot spend someone else's budget: this guard runs
 * after AuthGuard verified the token). Uses @fastify/rate-limit's limiter
 * (`fastify.createRateLimit`, present once the plugin is registered — the platform does);
 * answers 429 problem+json with Retry-After.
 */
@Injectable()
export class ClientRateLimitGuard implements CanActivate {
  private readonly logger = new Logger('ClientRateLimit');
  private limiter: Limiter | null | undefined;

  constructor(
    @Inject(HttpAdapterHost) private readonly host: HttpAdapterHost,
    @Inject(QUERY_RATE_LIMIT) private readonly options: ClientRateLimitOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const limiter = this.resolve();
    if (limiter === null) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.principal) return true; // AuthGuard refuses these first
    const result = await limiter(request);
    const reply = context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>();
    reply.header('x-ratelimit-limit', String(result.max));
    reply.header('x-ratelimit-remaining', String(Math.max(0, result.remaining)));
    if (result.isAllowed || !result.isExceeded) return true;
    const seconds = Math.max(1, Math.ceil(result.ttl / 1000));
    throw new QueryApiError(QueryApiErrorCode.RateLimited, `Too many requests from this client; retry after ${seconds} s.`, seconds);
  }

  private resolve(): Limiter | null {
    if (this.limiter !== undefined) return this.limiter;
    const fastify = this.host.httpAdapter.getInstance<RateLimitedFastify>();
    if (typeof fastify.createRateLimit !== 'function') {
      this.logger.warn('@fastify/rate-limit is not registered: per-client limits are off');
      this.limiter = null;
      return null;
    }
    this.limiter = fastify.createRateLimit({
      max: this.options.max,
      timeWindow: this.options.windowMs,
      keyGenerator: (req) => `query-api:${req.principal?.subject ?? 'anonymous'}`,
    });
    return this.limiter;
  }
}
