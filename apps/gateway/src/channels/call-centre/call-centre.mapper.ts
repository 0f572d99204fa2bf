import type { CallOutcome, CanonicalEvent, Identity } from '@c360/contracts';
import { instantMillis } from '../shared/instant';
import type { MapperContext } from '../shared/mapper-context';
import type { CallRecord, DispositionCode } from './call-centre.payload';

export const CALL_CENTRE_SOURCE = { system: 'call-centre-cti', channel: 'call-centre' } as const;

const OUTCOME: { readonly [C in DispositionCode]: CallOutcome } = {
  RESOLVED: 'resolved',
  TRANSFERRED: 'transferred',
  CALLBACK_SCHEDULED: 'callback',
  ABANDONED: 'abandoned',
};

/**
 * Maps one validated call record onto canonical events, in this order: CallHandled (at endedAt,
 * duration = ended − started in whole seconds), then ComplaintRaised and ComplaintResolved when a
 * complaint was captured (resolved on the call), then SurveyAnswered (at answeredAt).
 * Ids derive from the CTI call id and each event's role, so a re-posted record is idempotent.
 */
export const toCanonical = (native: CallRecord, ctx: MapperContext): CanonicalEvent[] => {
  const subject: { customerId: string } | { identity: Identity } =
    native.customerCif !== undefined
      ? { customerId: native.customerCif }
      : { identity: { scheme: 'phone', value: native.ani ?? '' } };
  const base = (role: string, occurredAt: string) => ({
    eventId: ctx.newId(`call-centre/${native.callId}/${role}`),
    version: 1,
    occurredAt,
    source: CALL_CENTRE_SOURCE,
    ...subject,
  });

  const events: CanonicalEvent[] = [
    {
      ...base('CallHandled', native.endedAt),
      type: 'CallHandled',
      data: {
        callId: native.callId,
        reason: native.disposition.reasonCode,
        durationSec: Math.floor((instantMillis(native.endedAt) - instantMillis(native.startedAt)) / 1000),
        outcome: OUTCOME[native.disposition.code],
        // Absent stays absent: a call abandoned in the queue has no agent, a call without
        // speech analytics has no score (CallHandled v1 takes null for both).
        sentiment: native.sentiment?.score ?? null,
        agentId: native.agentId ?? null,
      },
    },
  ];
  const c = native.complaint;
  if (c) {
    events.push({
      ...base('ComplaintRaised', native.endedAt),
      type: 'ComplaintRaised',
      data: { complaintId: c.ticketId, category: c.category, severity: c.severity, channel: 'call-centre' },
    });
    if (c.resolvedOnCall) {
      events.push({
        ...base('ComplaintResolved', native.endedAt),
        type: 'ComplaintResolved',
        data: { complaintId: c.ticketId, resolution: c.resolvedOnCall.resolution },
      });
    }
  }
  if (native.survey) {
    events.push({
      ...base('SurveyAnswered', native.survey.answeredAt),
      type: 'SurveyAnswered',
      data: { kind: native.survey.type, score: native.survey.score },
    });
  }
  return events;
};
