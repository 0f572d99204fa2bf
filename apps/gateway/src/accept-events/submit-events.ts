import { Inject, Injectable, Logger } from '@nestjs/common';
import { canonicalJson, EventStoreErrorCode, isEventStoreError, type JsonValue } from '@c360/event-store';
import type { CanonicalEvent } from '@c360/contracts';
import { isMessagingError } from '@c360/messaging';
import { GatewayError, GatewayErrorCode, type ItemFieldError } from '../gateway.errors';
import { EVENT_INTAKE, IntakeUnavailableError, type EventIntake } from '../intake/event-intake.port';
import { GatewayMetrics, type Route } from '../gateway-metrics';
import { refuseIfInvalid, type RequestItems } from './request-items';

export interface AcceptedEvents {
  readonly events: readonly { readonly eventId: string; readonly type: string; readonly index: number }[];
  readonly consistencyToken: string;
}

interface Mapped {
  readonly index: number;
  readonly event: CanonicalEvent;
}

/**
 * The common tail of both use cases: refuse duplicates within the request, hand the events to
 * the intake, translate its failures to the gateway's codes, count the outcome.
 */
@Injectable()
export class SubmitEvents {
  private readonly logger = new Logger('Gateway');

  constructor(
    @Inject(EVENT_INTAKE) private readonly intake: EventIntake,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
  ) {}

  async submit(route: Route, req: RequestItems, mapped: readonly Mapped[], errors: ItemFieldError[]): Promise<AcceptedEvents> {
    const events = this.dedupe(req, mapped, errors);
    try {
      refuseIfInvalid(req, errors);
    } catch (e) {
      this.metrics.rejected(route, e);
      throw e;
    }
    let receipt;
    try {
      receipt = await this.intake.submit(events.map((m) => m.event));
    } catch (e) {
      const reason = unavailableReason(e);
      if (reason === undefined) throw e;
      this.logger.warn({ reason, events: events.length }, 'events not accepted: intake unavailable');
      const err = new GatewayError(GatewayErrorCode.IntakeUnavailable, 'The events could not be durably accepted now; retry with the same event ids.', [], 5);
      this.metrics.rejected(route, err);
      throw err;
    }
    this.metrics.accepted(route, events.length);
    return {
      events: events.map((m) => ({ eventId: m.event.eventId, type: m.event.type, index: m.index })),
      consistencyToken: receipt.consistencyToken,
    };
  }

  /** An event id twice in one request: identical repeats collapse to one, different bodies are refused. */
  private dedupe(req: RequestItems, mapped: readonly Mapped[], errors: ItemFieldError[]): Mapped[] {
    // Bodies are compared (canonically) only when an id repeats: most requests have none.
    const seen = new Map<string, CanonicalEvent>();
    const body = (e: CanonicalEvent): string => canonicalJson(e as unknown as JsonValue);
    const out: Mapped[] = [];
    for (const m of mapped) {
      const earlier = seen.get(m.event.eventId);
      if (earlier === undefined) {
        seen.set(m.event.eventId, m.event);
        out.push(m);
      } else if (body(earlier) !== body(m.event)) {
        errors.push({
          index: m.index,
          path: req.batch ? `/${m.index}` : '',
          code: 'duplicate-event-id',
          message: 'an earlier item of this request has the same event id with a different body',
        });
      }
    }
    return out;
  }
}

function unavailableReason(e: unknown): string | undefined {
  if (e instanceof IntakeUnavailableError) return e.reason;
  if (isMessagingError(e)) return e.code;
  if (isEventStoreError(e, EventStoreErrorCode.Unavailable)) return e.code;
  // Structural: an intake from another module may throw its own error named like ours.
  if (e instanceof Error && e.name === 'IntakeUnavailableError') return 'unavailable';
  return undefined;
}
