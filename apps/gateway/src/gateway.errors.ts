import { codedProblem, type ProblemMapper, type ProblemResponse } from '@c360/observability';

/** One refusal of an item of a request: its index in the batch, a JSON pointer into the body, a stable code. */
export interface ItemFieldError {
  /** 0-based position in the batch (0 for a single object). */
  readonly index: number;
  /** JSON pointer into the request body, e.g. `/2/data/amountMinor` (a single object: `/data/amountMinor`). */
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export enum GatewayErrorCode {
  /** Some item failed validation; nothing of the request was accepted. */
  InvalidEvents = 'invalid_events',
  /** The body is neither a JSON object nor a JSON array of objects. */
  InvalidBody = 'invalid_body',
  EmptyBatch = 'empty_batch',
  BatchTooLarge = 'batch_too_large',
  UnknownChannel = 'unknown_channel',
  /** The transport (Kafka, or in all-in-one mode the store) could not take the events now. */
  IntakeUnavailable = 'intake_unavailable',
}

export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly errors: readonly ItemFieldError[] = [],
    /** Whether a retry with the same event ids may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

const statusOf = (code: GatewayErrorCode): number => {
  switch (code) {
    case GatewayErrorCode.InvalidEvents:
    case GatewayErrorCode.InvalidBody:
    case GatewayErrorCode.EmptyBatch:
      return 400;
    case GatewayErrorCode.BatchTooLarge:
      return 413;
    case GatewayErrorCode.UnknownChannel:
      return 404;
    case GatewayErrorCode.IntakeUnavailable:
      return 503;
  }
};

/** The one HTTP mapping of the gateway's coded errors (registered with ProblemMappers by GatewayModule). */
export const gatewayErrorToProblem: ProblemMapper = (error: unknown): ProblemResponse | undefined => {
  if (!(error instanceof GatewayError)) return undefined;
  return codedProblem({
    status: statusOf(error.code),
    code: error.code,
    detail: error.message,
    errors: error.errors,
    retryAfterSeconds: error.retryAfterSeconds,
  });
};
