import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@c360/auth';
import { CHANNEL_ADAPTERS } from '../channels';
import { AcceptChannelEvents } from '../accept-events/accept-channel-events.service';
import { toAcceptedResponse, type AcceptedResponse } from './accepted-response';
import { IntakeDocs } from './openapi-docs';

const BRANCH_ITEM = {
  type: 'object',
  description:
    'One teller-system journal record. `recordType: "transaction"` — a posted counter transaction (journal number, account, ' +
    'amount as a decimal string in major units, currency); `recordType: "visit"` — a closed queue ticket (issue/call/close times, ' +
    'optional keypad rating 1–5). The customer is `customer.cif`, else `customer.cardToken` (a PIN-pad token, never a card number).',
};
const MOBILE_ITEM = {
  type: 'object',
  description:
    'A mobile back end\'s activity batch for one app user and device: `userId`, `deviceId`, `appVersion`, optional `cif`, and ' +
    '`events[]` of kinds `session.start`, `action`, `offer.impression`, `offer.response`, `rating`, each with its own client id and time.',
};
const CALL_ITEM = {
  type: 'object',
  description:
    'One CTI call detail record at wrap-up: callId, direction, caller number (ANI, E.164) and/or verified customerCif, queue, agentId ' +
    '(absent when abandoned), switch timestamps, disposition {code, reasonCode}, optional speech-analytics sentiment, complaint ticket and post-call survey.',
};

/**
 * Channel systems post their own native records. Each route needs that channel's own scope,
 * so a branch credential cannot post as mobile. One call each: the use case does the work.
 */
@ApiTags('intake')
@Controller('v1/channels')
export class ChannelEventsController {
  constructor(@Inject(AcceptChannelEvents) private readonly acceptEvents: AcceptChannelEvents) {}

  @Post('branch/events')
  @HttpCode(202)
  @RequireScopes('channel:branch:write')
  @IntakeDocs('Branch (teller system) records', 'Maps teller transactions and queue visits onto canonical events.', 'channel:branch:write', BRANCH_ITEM, CHANNEL_ADAPTERS.branch.examples)
  async branch(@Body() body: unknown): Promise<AcceptedResponse> {
    return toAcceptedResponse(await this.acceptEvents.accept('branch', body));
  }

  @Post('mobile/events')
  @HttpCode(202)
  @RequireScopes('channel:mobile:write')
  @IntakeDocs('Mobile back-end activity batches', 'Maps app sessions, actions, offers and ratings onto canonical events.', 'channel:mobile:write', MOBILE_ITEM, CHANNEL_ADAPTERS.mobile.examples)
  async mobile(@Body() body: unknown): Promise<AcceptedResponse> {
    return toAcceptedResponse(await this.acceptEvents.accept('mobile', body));
  }

  @Post('call-centre/events')
  @HttpCode(202)
  @RequireScopes('channel:call-centre:write')
  @IntakeDocs('Call-centre (CTI) call records', 'Maps a call record onto CallHandled, complaint and survey events.', 'channel:call-centre:write', CALL_ITEM, CHANNEL_ADAPTERS['call-centre'].examples)
  async callCentre(@Body() body: unknown): Promise<AcceptedResponse> {
    return toAcceptedResponse(await this.acceptEvents.accept('call-centre', body));
  }
}
