import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ProblemJsonFilter } from './problem-json.filter';
import { ProblemMappers } from './problem-mappers';

/** Global problem+json filter; inject ProblemMappers to register a module's error mapper. */
@Global()
@Module({
  providers: [ProblemMappers, { provide: APP_FILTER, useClass: ProblemJsonFilter }],
  exports: [ProblemMappers],
})
export class ProblemModule {}
