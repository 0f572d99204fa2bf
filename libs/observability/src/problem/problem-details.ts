import { STATUS_CODES } from 'node:http';

/** RFC 9457 problem details, with our machine-readable `code` and optional field errors. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: string;
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export interface FieldError {
  /** JSON path of the offending field, e.g. "events[2].data.amountMinor". */
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface ProblemResponse {
  readonly problem: ProblemDetails;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Turns one module's coded errors into problems; returns undefined for errors it does not own. */
export type ProblemMapper = (error: unknown) => ProblemResponse | undefined;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:c360:problem:${code}`;
}

export interface CodedProblemInput {
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  readonly retryAfterSeconds?: number;
}

/**
 * The problem+json response for one coded error: each module's mapper decides the status
 * (exhaustively, per code) and hands the rest here, so every module answers in one shape.
 */
export function codedProblem(input: CodedProblemInput): ProblemResponse {
  const { status, code, detail, errors, retryAfterSeconds } = input;
  return {
    problem: {
      type: problemType(code),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      code,
      ...(detail !== undefined ? { detail } : {}),
      ...(errors && errors.length > 0 ? { errors } : {}),
    },
    ...(retryAfterSeconds !== undefined ? { headers: { 'retry-after': String(retryAfterSeconds) } } : {}),
  };
}
