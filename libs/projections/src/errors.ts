/** Coded errors of the projection runtime; transports map the codes once. */
export enum ProjectionErrorCode {
  /** The partition lease moved to another worker: the write was refused (fencing token). */
  Fenced = 'PROJECTION_FENCED',
  /** The partition count of a projection differs from the one it was created with. */
  PartitionCountMismatch = 'PROJECTION_PARTITION_COUNT_MISMATCH',
  InvalidDefinition = 'PROJECTION_INVALID_DEFINITION',
  InvalidOptions = 'PROJECTION_INVALID_OPTIONS',
}

export class ProjectionError extends Error {
  constructor(
    readonly code: ProjectionErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ProjectionError';
  }
}

/** A zombie's late write: the lease epoch it holds is no longer the current one. */
export class FencedError extends ProjectionError {
  constructor(
    readonly projection: string,
    readonly lostPartitions: readonly number[],
  ) {
    super(ProjectionErrorCode.Fenced, `projection ${projection}: lease lost for ${lostPartitions.length} partition(s)`, {
      projection,
      lostPartitions,
    });
    this.name = 'FencedError';
  }
}

export const isFencedError = (e: unknown): e is FencedError => e instanceof FencedError;
