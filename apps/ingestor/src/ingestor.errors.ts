import { codedProblem, type FieldError, type ProblemMapper, type ProblemResponse } from '@c360/observability';

export enum IngestorErrorCode {
  DeadLetterNotFound = 'dead_letter_not_found',
  DeadLetterNotOpen = 'dead_letter_not_open',
  /** The re-driven event (original or repaired) still fails validation. */
  RedriveInvalid = 'redrive_invalid',
  InvalidQuery = 'invalid_query',
}

export class IngestorError extends Error {
  constructor(
    readonly code: IngestorErrorCode,
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'IngestorError';
  }
}

const statusOf = (code: IngestorErrorCode): number => {
  switch (code) {
    case IngestorErrorCode.DeadLetterNotFound:
      return 404;
    case IngestorErrorCode.DeadLetterNotOpen:
      return 409;
    case IngestorErrorCode.RedriveInvalid:
      return 422;
    case IngestorErrorCode.InvalidQuery:
      return 400;
  }
};

/** The one HTTP mapping of the ingestor's coded errors. */
export const ingestorErrorToProblem: ProblemMapper = (error: unknown): ProblemResponse | undefined => {
  if (!(error instanceof IngestorError)) return undefined;
  return codedProblem({ status: statusOf(error.code), code: error.code, detail: error.message, errors: error.errors });
};
