import { Body, Controller, Delete, Get, HttpCode, Inject, Logger, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@c360/auth';
import type { Ops } from '../ops-context';
import { OpsError, OpsErrorCode } from '../ops.errors';
import type { RebuildJob } from '../rebuild/rebuild-job';
import { parseReplayBody, type ReplayJob } from '../replay/replay-jobs';
import type { ProjectionStatusView } from '../status/projection-status.reader';
import { OPS } from './ops.tokens';

/** The body of POST /v1/ops/projections/{name}/rebuild, checked by hand (an unknown field is an error). */
export function parseRebuildBody(body: unknown): { customers: string[]; dryRun: boolean } {
  if (body === undefined || body === null) return { customers: [], dryRun: false };
  if (typeof body !== 'object' || Array.isArray(body)) throw new OpsError(OpsErrorCode.InvalidRequest, 'the body must be a JSON object like {"customers": ["C1"], "dryRun": true}');
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => k !== 'customers' && k !== 'dryRun');
  if (unknown.length > 0) throw new OpsError(OpsErrorCode.InvalidRequest, `unknown fields: ${unknown.join(', ')} (allowed: customers, dryRun)`);
  const customers = record['customers'] ?? [];
  if (!Array.isArray(customers) || customers.some((c) => typeof c !== 'string' || c.length === 0 || c.length > 100) || customers.length > 10_000)
    throw new OpsError(OpsErrorCode.InvalidRequest, 'customers must be an array of up to 10,000 customer ids (non-empty strings)');
  const dryRun = record['dryRun'] ?? false;
  if (typeof dryRun !== 'boolean') throw new OpsError(OpsErrorCode.InvalidRequest, 'dryRun must be true or false');
  return { customers: [...new Set(customers as string[])], dryRun };
}

@ApiTags('ops')
@ApiBearerAuth()
@Controller('v1/ops')
export class OpsController {
  private readonly logger = new Logger('Ops');

  constructor(@Inject(OPS) private readonly ops: Ops) {}

  @Get('projections')
  @RequireScopes('ops:read')
  @ApiOperation({ summary: "Each projection's position, lag (events, seconds), rate, state, last error and active rebuild" })
  async projections(): Promise<{ projections: ProjectionStatusView[] }> {
    return { projections: await this.ops.status.list() };
  }

  @Post('projections/:name/rebuild')
  @HttpCode(202)
  @RequireScopes('ops:replay')
  @ApiOperation({ summary: 'Start a blue/green rebuild (or, with customers, a scoped refold); returns the job' })
  async rebuild(@Param('name') name: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<RebuildJob> {
    const { job } = await this.ops.rebuild.request(name, { ...parseRebuildBody(body), requestedBy: principal.subject });
    this.ops.rebuild.runInBackground(job.id, (e) => this.logger.error(`rebuild job ${job.id} failed: ${e instanceof Error ? e.message : String(e)}`));
    return job;
  }

  @Delete('projections/:name/rebuild')
  @RequireScopes('ops:replay')
  @ApiOperation({ summary: 'Cancel the running rebuild of a projection (drops the shadow)' })
  cancel(@Param('name') name: string): Promise<RebuildJob> {
    return this.ops.rebuild.cancel(name);
  }

  @Post('replay')
  @HttpCode(202)
  @RequireScopes('ops:replay')
  @ApiOperation({
    summary: 'Re-publish history recorded in [from, to) to a Kafka topic, keyed by customer (in order per customer); returns the job',
    description:
      'Body: {"from": ISO time with zone, "to": ISO time with zone, "topic": target topic (created if missing; c360\'s own topics are refused), "types"?: [event types], "ratePerSecond"?: number, "partitions"?: number}. 400 names the bad field; 503 when Kafka is not configured.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['from', 'to', 'topic'],
      additionalProperties: false,
      properties: {
        from: { type: 'string', format: 'date-time', example: '2026-11-01T00:00:00Z' },
        to: { type: 'string', format: 'date-time', example: '2026-12-01T00:00:00Z' },
        topic: { type: 'string', example: 'c360.replay.crm' },
        types: { type: 'array', items: { type: 'string' }, example: ['MoneyMoved'] },
        ratePerSecond: { type: 'number', minimum: 0, exclusiveMinimum: true },
        partitions: { type: 'integer', minimum: 1, maximum: 10000 },
      },
    },
  })
  async replay(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<ReplayJob> {
    const request = parseReplayBody(body);
    return this.ops.replay.start(request, principal.subject, (e) => this.logger.error(`replay to ${request.topic} failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  @Get('replay/:id')
  @RequireScopes('ops:read')
  @ApiOperation({ summary: 'A replay job: state, published/total, rate, error' })
  replayJob(@Param('id') id: string): Promise<ReplayJob> {
    return this.ops.replay.get(id);
  }

  @Get('jobs/:id')
  @RequireScopes('ops:read')
  @ApiOperation({ summary: 'A rebuild job: state, progress/total, rate, ETA, diff, result' })
  job(@Param('id') id: string): Promise<RebuildJob> {
    return this.ops.rebuild.get(id);
  }
}
