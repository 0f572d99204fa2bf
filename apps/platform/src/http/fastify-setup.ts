import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Registry } from 'prom-client';
import type { AppConfig } from '@c360/config';
import { METRICS_REGISTRY, registerHttpMetrics, REQUEST_ID_HEADER } from '@c360/observability';
import { serveConsole } from './console-static';

/** Rejections raised by a plugin before Nest sees the request (rate limit), shaped for the problem mapper. */
class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = 'rate_limited';
}

/** Fastify-level protection and plumbing: security headers, per-client rate limits, HTTP metrics. */
export async function setUpFastify(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();

  await app.register(helmet, {
    // Swagger UI at /docs serves its own script and inline styles.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
      },
    },
  });
  await app.register(rateLimit, {
    max: config.http.rateLimit.max,
    timeWindow: config.http.rateLimit.windowMs,
    // Probes and scrapes are never throttled: a limited /health would look like an outage.
    allowList: (request) => /^\/(health\/|metrics)/.test(request.url),
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(`Too many requests; retry after ${Math.ceil(context.ttl / 1000)} s.`),
  });

  // Echo the correlation id on every response, errors included, so callers can quote it.
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  // Nest routes Fastify's errors (body parsing, limits, plugin rejections) and unknown routes
  // through the global ProblemJsonFilter, so they too answer problem+json.
  registerHttpMetrics(fastify, app.get<Registry>(METRICS_REGISTRY));
  // The operator console at /console (its own, stricter CSP).
  await serveConsole(app);
}
