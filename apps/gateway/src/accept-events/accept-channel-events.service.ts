import { Inject, Injectable } from '@nestjs/common';
import { CHANNELS, type Channel } from '@c360/contracts';
import { CHANNEL_ADAPTERS, defaultMapperContext, type MapperContext } from '../channels';
import { GatewayError, GatewayErrorCode, type ItemFieldError } from '../gateway.errors';
import { GatewayMetrics } from '../gateway-metrics';
import { itemErrors, requestItems } from './request-items';
import { SubmitEvents, type AcceptedEvents } from './submit-events';

const isChannel = (name: string): name is Channel => (CHANNELS as readonly string[]).includes(name);

/** Use case: a channel system posts its native records; its adapter validates and maps them. */
@Injectable()
export class AcceptChannelEvents {
  private readonly ctx: MapperContext = defaultMapperContext();

  constructor(
    @Inject(SubmitEvents) private readonly submitter: SubmitEvents,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
  ) {}

  async accept(channelName: string, body: unknown): Promise<AcceptedEvents> {
    const route = `channel:${channelName}`;
    if (!isChannel(channelName)) {
      throw new GatewayError(GatewayErrorCode.UnknownChannel, `No such channel; use one of ${CHANNELS.join(', ')}.`);
    }
    let req;
    try {
      req = requestItems(body);
    } catch (e) {
      this.metrics.rejected(route, e);
      throw e;
    }
    const adapter = CHANNEL_ADAPTERS[channelName];
    const errors: ItemFieldError[] = [];
    const mapped = req.items.flatMap((item, index) => {
      const v = adapter.accept(item, this.ctx);
      if (!v.ok) {
        errors.push(...itemErrors(req, index, v.errors));
        return [];
      }
      return v.value.map((event) => ({ index, event }));
    });
    return this.submitter.submit(route, req, mapped, errors);
  }
}
