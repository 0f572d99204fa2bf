export enum DerivedErrorCode {
  InvalidDefinition = 'DERIVED_INVALID_DEFINITION',
  NotFound = 'DERIVED_NOT_FOUND',
  InvalidTransition = 'DERIVED_INVALID_TRANSITION',
  VersionConflict = 'DERIVED_VERSION_CONFLICT',
}

/** Coded errors of the segment / churn rule services; transports map them (e.g. 400, 404, 409). */
export class DerivedError extends Error {
  constructor(
    readonly code: DerivedErrorCode,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'DerivedError';
  }
}

export const isDerivedError = (e: unknown): e is DerivedError => e instanceof DerivedError;
