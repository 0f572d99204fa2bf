import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@c360/auth';
import { DeadLetterOps, type DeadLetterDetail, type DeadLetterView, type RedriveResult } from './dead-letter-ops.service';

interface RedriveBody {
  /** A repaired canonical event to ingest instead of the original bytes. */
  readonly event?: unknown;
}

/** Ops endpoint over the ingestor's dead letters and parked events. One call each. */
@ApiTags('ops')
@ApiBearerAuth()
@Controller('v1/ops')
export class DeadLettersController {
  constructor(@Inject(DeadLetterOps) private readonly ops: DeadLetterOps) {}

  @Get('dead-letters')
  @RequireScopes('ops:read')
  @ApiOperation({ summary: 'Dead letters (cursor paging by id): reason, source position, the customer they hold back.' })
  list(@Query('status') status?: string, @Query('after') after?: string, @Query('limit') limit?: string): Promise<{ items: DeadLetterView[]; next: string | null }> {
    return this.ops.list({ status, after, limit: limit === undefined ? undefined : Number.parseInt(limit, 10) || 100 });
  }

  @Get('dead-letters/parked')
  @RequireScopes('ops:read')
  @ApiOperation({ summary: 'Subjects with parked events: customers behind a dead letter, identities awaiting a link.' })
  async parked(@Query('limit') limit?: string): Promise<{ items: unknown[] }> {
    const items = await this.ops.parked(limit === undefined ? 100 : Number.parseInt(limit, 10) || 100);
    return { items: items.map((p) => ({ ...p, oldestParkedAt: p.oldestParkedAt.toISOString() })) };
  }

  @Get('dead-letters/:id')
  @RequireScopes('ops:read', 'ops:replay')
  @ApiOperation({ summary: 'One dead letter with its original bytes (base64). Needs ops:replay too: the bytes may hold personal data.' })
  get(@Param('id') id: string): Promise<DeadLetterDetail> {
    return this.ops.get(id);
  }

  @Post('dead-letters/:id/redrive')
  @HttpCode(200)
  @RequireScopes('ops:replay')
  @ApiOperation({ summary: 'Re-drive a dead letter (optionally with a repaired event in `event`); releases its customer.' })
  redrive(@Param('id') id: string, @Body() body: RedriveBody | undefined): Promise<RedriveResult> {
    return this.ops.redrive(id, body?.event);
  }

  @Post('dead-letters/:id/discard')
  @HttpCode(200)
  @RequireScopes('ops:replay')
  @ApiOperation({ summary: 'Discard a dead letter; its customer\'s waiting events go on.' })
  discard(@Param('id') id: string): Promise<RedriveResult> {
    return this.ops.discard(id);
  }
}
