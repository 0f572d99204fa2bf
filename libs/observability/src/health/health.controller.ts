import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Public } from '@c360/auth';
import { ReadinessRegistry } from './readiness.registry';

interface StatusReply {
  status(code: number): unknown;
}

export interface HealthBody {
  status: 'ok' | 'error';
  info: HealthIndicatorResult;
  error: HealthIndicatorResult;
  details: HealthIndicatorResult;
}

/** Liveness (the process answers) and readiness (it can take work); the body follows @nestjs/terminus. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('live')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Readiness: 200 when every dependency is up, 503 otherwise' })
  async ready(@Res({ passthrough: true }) reply: StatusReply): Promise<HealthBody> {
    const body = toHealthBody(await this.readiness.checkAll(), this.indicators);
    if (body.status !== 'ok') reply.status(503);
    return body;
  }
}

function toHealthBody(outcomes: Awaited<ReturnType<ReadinessRegistry['checkAll']>>, indicators: HealthIndicatorService): HealthBody {
  const body: HealthBody = { status: 'ok', info: {}, error: {}, details: {} };
  for (const o of outcomes) {
    const session = indicators.check(o.name);
    const result = o.up ? session.up({ ...o.details }) : session.down({ ...o.details });
    Object.assign(body.details, result);
    Object.assign(o.up ? body.info : body.error, result);
    if (!o.up) body.status = 'error';
  }
  return body;
}
