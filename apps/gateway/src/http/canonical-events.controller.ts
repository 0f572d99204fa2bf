import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@c360/auth';
import { AcceptCanonicalEvents } from '../accept-events/accept-canonical-events.service';
import { toAcceptedResponse, type AcceptedResponse } from './accepted-response';
import { CANONICAL_EVENT_SCHEMA, CANONICAL_EXAMPLES, IntakeDocs } from './openapi-docs';

/** Source systems that already speak the canonical catalogue (core banking…). */
@ApiTags('intake')
@Controller('v1/events')
export class CanonicalEventsController {
  constructor(@Inject(AcceptCanonicalEvents) private readonly acceptEvents: AcceptCanonicalEvents) {}

  @Post()
  @HttpCode(202)
  @RequireScopes('events:write')
  @IntakeDocs('Canonical events', 'Validates each event against the v1 catalogue (whitelist: unknown fields are refused).', 'events:write', CANONICAL_EVENT_SCHEMA, CANONICAL_EXAMPLES)
  async post(@Body() body: unknown): Promise<AcceptedResponse> {
    return toAcceptedResponse(await this.acceptEvents.accept(body));
  }
}
