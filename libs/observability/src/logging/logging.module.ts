import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import { APP_CONFIG, type AppConfig } from '@c360/config';
import { assignRequestId, REQUEST_ID_HEADER } from './request-id';
import { traceContextMiddleware } from '../tracing/trace-middleware';
import { traceLogFields } from '../tracing/trace-scope';
import { logDestination } from './log-destination';

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** The path without its query: queries can carry identifiers (lookups by phone), so they are not logged. */
function pathOf(url: string | undefined): string {
  const raw = url ?? '';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

/**
 * JSON logs (pino) with a correlation id on every line logged during a request, and the trace
 * ids (`traceId`, `spanId`, `correlationId`) on every line logged inside a trace scope: an HTTP
 * request (its `traceparent`, or a new trace) or a consumed record (see `runInTraceScope`).
 * Request logs hold method, path, status and timing only: no headers (tokens), no bodies, no
 * queries.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // nestjs-pino's default route pattern ('{/*splat}') matches nothing behind Fastify's
        // middleware layer here, which silently dropped every request log: all routes.
        forRoutes: ['*'],
        pinoHttp: withDestination({
          level: config.log.level,
          base: { service: 'c360', pid: process.pid },
          timestamp: stdTimeFunctions.isoTime,
          formatters: { level: (label: string) => ({ level: label }) },
          mixin: () => traceLogFields(),
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const id = assignRequestId(req);
            if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, id);
            return id;
          },
          customAttributeKeys: { reqId: 'requestId' },
          serializers: {
            req: (req: { id?: unknown; method?: string; url?: string }) => ({ method: req.method, path: pathOf(req.url) }),
            res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
          },
          // originalUrl: middie strips a middleware's mount prefix from req.url while it runs, so
          // the probes and scrapes were logged after all (a not-ready probe at start-up as an error).
          autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => QUIET_PATHS.has(pathOf(req.originalUrl ?? req.url)) },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        }),
      }),
    }),
  ],
})
export class LoggingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // '*' (not nestjs-pino's '{/*splat}', which matches nothing behind middie here): every route.
    consumer.apply(traceContextMiddleware).forRoutes('*');
  }
}

function withDestination<T extends object>(options: T): T | [T, NonNullable<ReturnType<typeof logDestination>>] {
  const destination = logDestination();
  return destination ? [options, destination] : options;
}
