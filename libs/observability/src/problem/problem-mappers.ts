import { Injectable } from '@nestjs/common';
import { defaultProblem } from './default-problems';
import type { ProblemMapper, ProblemResponse } from './problem-details';

/**
 * The HTTP transport's one mapping of coded errors. Each module contributes a mapper for its
 * own errors (the platform registers them at start); the first that claims an error wins.
 */
@Injectable()
export class ProblemMappers {
  private readonly mappers: ProblemMapper[] = [];

  register(mapper: ProblemMapper): void {
    this.mappers.push(mapper);
  }

  toProblem(error: unknown): ProblemResponse {
    for (const mapper of this.mappers) {
      const mapped = mapper(error);
      if (mapped) return mapped;
    }
    return defaultProblem(error);
  }
}
