import { HttpException } from '@nestjs/common';
import { codedProblem, type ProblemResponse } from './problem-details';

const CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Fastify's own rejections (parsing, limits) with wording a client can act on. */
const FASTIFY: Readonly<Record<string, { code: string; detail: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', detail: 'The request body is larger than this service accepts.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed_json', detail: 'The body is empty but the content type says JSON.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', detail: 'The body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', detail: 'Content-Length does not match the body.' },
};

function problem(status: number, code: string, detail: string | undefined): ProblemResponse {
  return codedProblem({ status, code, detail: detail || undefined });
}

/**
 * The fallback mapping for errors no module claimed: Nest HttpExceptions, Fastify and plugin
 * errors carrying a 4xx statusCode, and everything else as an opaque 500 (no message, no stack).
 */
export function defaultProblem(error: unknown): ProblemResponse {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return problem(status, CODES[status] ?? `http_${status}`, status < 500 ? httpDetail(error) : undefined);
  }
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const known = typeof e?.code === 'string' ? FASTIFY[e.code] : undefined;
    if (known) return problem(status, known.code, known.detail);
    if (e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return problem(400, 'malformed_json', 'The body is not valid JSON.');
    const code = typeof e?.code === 'string' && /^[a-z_]{3,40}$/.test(e.code) ? e.code : (CODES[status] ?? `http_${status}`);
    return problem(status, code, typeof e?.message === 'string' ? oneLine(e.message) : undefined);
  }
  if (status === 503) return problem(503, 'unavailable', 'The service cannot take this request right now; retry later.');
  return problem(500, 'internal_error', 'An unexpected error occurred; the request id identifies it in the logs.');
}

function httpDetail(error: HttpException): string | undefined {
  const body = error.getResponse();
  if (typeof body === 'string') return oneLine(body);
  const message = (body as { message?: unknown }).message;
  if (typeof message === 'string') return oneLine(message);
  if (Array.isArray(message)) return oneLine(message.filter((m) => typeof m === 'string').join('; '));
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 500);
}
