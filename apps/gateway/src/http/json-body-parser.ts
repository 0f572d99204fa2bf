import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** A body refused while parsing, shaped for the problem mapper (a 4xx with a lower-case code). */
class BodyParseError extends Error {
  constructor(
    readonly code: 'malformed_json' | 'forbidden_key',
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'BodyParseError';
  }
}

/** False only when no key of the JSON text can be `__proto__` or `constructor`. */
export const mayHoldForbiddenKey = (text: string): boolean => text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');

/**
 * The JSON body parser of the intake: only `application/json` (anything else is 415 from
 * Fastify), the body limit enforced while reading (a larger Content-Length is refused before
 * reading; a chunked body is cut off at the limit), `__proto__` / `constructor.prototype` keys
 * refused before any object is built from them, and each failure answered with a stable code.
 * Call before `listen`, on an app created with `{ bodyParser: false }`.
 */
export function registerJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify also parses text/plain by default: the intake takes JSON only (others: 415).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new BodyParseError('malformed_json', 'The body is empty but the content type says JSON.'), undefined);
      return;
    }
    let poisoned = false;
    let value: unknown;
    try {
      // JSON.parse defines "__proto__" as an own property (it never sets a prototype); the
      // reviver sees every key, so such bodies are refused before anyone copies them. A reviver
      // makes parsing several times slower, so it runs only when a key could decode to one of
      // those names: the text holds one of them, or a \u escape that could spell one.
      value = mayHoldForbiddenKey(text)
        ? JSON.parse(text, (key: string, v: unknown) => {
            if (key === '__proto__' || (key === 'constructor' && typeof v === 'object' && v !== null && Object.hasOwn(v, 'prototype'))) poisoned = true;
            return v;
          })
        : JSON.parse(text);
    } catch {
      done(new BodyParseError('malformed_json', 'The body is not valid JSON.'), undefined);
      return;
    }
    if (poisoned) done(new BodyParseError('forbidden_key', 'The body holds a __proto__ or constructor.prototype key.'), undefined);
    else done(null, value);
  });
}
