import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The operator console's CSP: its own scripts, styles and API only. Stricter than the
 * platform's default (Swagger UI at /docs needs inline styles; the console does not).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>c360 console not built</title></head>
<body><h1>The operator console is not built</h1><p>Run <code>npm run build:console</code> (npm start does it when the build is missing or stale), then reload.</p></body></html>`;

/**
 * Where the console's build output is: `apps/console/dist` of the checkout, found from this
 * file whether it runs from source (apps/platform/src/http) or compiled (dist/apps/platform/src/http).
 */
export function consoleDistDir(from: string = __dirname): string | undefined {
  const candidates = [
    path.resolve(from, '../../../console/dist'),
    path.resolve(from, '../../../../../apps/console/dist'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

/**
 * Serves the operator console at /console: hashed assets from /console/assets/ (cached for a
 * year), every other /console path the SPA's index.html (never cached, so a rebuild shows at
 * once). The token never reaches the page from here: the operator pastes one.
 */
export async function serveConsole(
  app: NestFastifyApplication,
  distDir: string | undefined = consoleDistDir(),
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (
      request.url === '/console' ||
      request.url.startsWith('/console/') ||
      request.url.startsWith('/console?')
    ) {
      reply.header('content-security-policy', CONSOLE_CSP);
    }
    return payload;
  });

  const indexHtml = (): string => {
    if (distDir === undefined) return NOT_BUILT;
    try {
      return readFileSync(path.join(distDir, 'index.html'), 'utf8');
    } catch {
      return NOT_BUILT;
    }
  };
  const sendIndex = async (
    _request: unknown,
    reply: {
      status(code: number): unknown;
      header(name: string, value: string): unknown;
      type(t: string): unknown;
      send(body: string): unknown;
    },
  ) => {
    reply.status(distDir === undefined ? 503 : 200);
    reply.header('cache-control', 'no-cache');
    reply.type('text/html; charset=utf-8');
    return reply.send(indexHtml());
  };

  if (distDir !== undefined) {
    await app.register(fastifyStatic, {
      root: path.join(distDir, 'assets'),
      prefix: '/console/assets/',
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: '365d',
    });
  }
  fastify.get('/console', sendIndex);
  fastify.get('/console/', sendIndex);
  fastify.get('/console/*', async (request, reply) => {
    // A missing asset is a 404, not the page: a stale tab must not parse HTML as JavaScript.
    if (request.url.startsWith('/console/assets/'))
      return reply.status(404).type('text/plain').send('not found');
    return sendIndex(request, reply);
  });
}
