import { codedProblem, type ProblemMapper, type ProblemResponse } from '@c360/observability';

/** Why the query API refused or could not answer. Messages never carry customer data. */
export enum QueryApiErrorCode {
  CustomerNotFound = 'customer_not_found',
  SegmentNotFound = 'segment_not_found',
  InvalidTime = 'invalid_time',
  InvalidQuery = 'invalid_query',
  InvalidCursor = 'invalid_cursor',
  InvalidConsistencyToken = 'invalid_consistency_token',
  /** The projection has not reached the caller's consistency token within the wait bound. */
  NotYetConsistent = 'not_yet_consistent',
  /** The audit record could not be written: no unaudited access, so the read is refused. */
  AuditUnavailable = 'audit_unavailable',
  /** Personal data of a customer under restriction (erasure pending a legal retention). */
  AccessRestricted = 'access_restricted',
  InvalidErasureRequest = 'invalid_erasure_request',
  ErasureFailed = 'erasure_failed',
  Unavailable = 'read_model_unavailable',
  /** This client sent too many requests in the window (others are unaffected). */
  RateLimited = 'rate_limited',
}

export class QueryApiError extends Error {
  constructor(
    readonly code: QueryApiErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'QueryApiError';
  }
}

export const statusOfQueryApiError = (code: QueryApiErrorCode): number => {
  switch (code) {
    case QueryApiErrorCode.CustomerNotFound:
    case QueryApiErrorCode.SegmentNotFound:
      return 404;
    case QueryApiErrorCode.InvalidTime:
    case QueryApiErrorCode.InvalidQuery:
    case QueryApiErrorCode.InvalidCursor:
    case QueryApiErrorCode.InvalidConsistencyToken:
    case QueryApiErrorCode.InvalidErasureRequest:
      return 400;
    case QueryApiErrorCode.AccessRestricted:
      return 403;
    case QueryApiErrorCode.RateLimited:
      return 429;
    case QueryApiErrorCode.NotYetConsistent:
    case QueryApiErrorCode.AuditUnavailable:
    case QueryApiErrorCode.ErasureFailed:
    case QueryApiErrorCode.Unavailable:
      return 503;
  }
};

/** The one HTTP mapping of the query API's coded errors (registered with ProblemMappers by QueryApiModule). */
export const queryApiErrorToProblem: ProblemMapper = (error: unknown): ProblemResponse | undefined => {
  if (!(error instanceof QueryApiError)) return undefined;
  return codedProblem({
    status: statusOfQueryApiError(error.code),
    code: error.code,
    detail: error.message,
    retryAfterSeconds: error.retryAfterSeconds,
  });
};
