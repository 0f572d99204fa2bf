import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createOps, type Ops, type OpsOptions } from '../ops-context';
import { OpsController } from './ops.controller';
import { OPS } from './ops.tokens';

@Injectable()
class OpsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(OPS) private readonly ops: Ops) {}

  async onApplicationShutdown(): Promise<void> {
    await this.ops.close();
  }
}

/**
 * The operator endpoints: GET /v1/ops/projections (ops:read), POST|DELETE
 * /v1/ops/projections/{name}/rebuild (ops:replay), GET /v1/ops/jobs/{id} (ops:read). Needs
 * the platform's global AuthGuard; register `opsErrorToProblem` in PROBLEM_MAPPERS.
 */
@Module({})
export class OpsModule {
  static forRoot(options: OpsOptions): DynamicModule {
    return {
      module: OpsModule,
      controllers: [OpsController],
      providers: [{ provide: OPS, useFactory: () => createOps(options) }, OpsLifecycle],
      exports: [OPS],
    };
  }
}
