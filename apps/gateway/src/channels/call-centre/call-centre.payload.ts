/**
 * The call-centre channel's NATIVE payload: one call detail record as the CTI / contact-centre
 * platform posts it when the call's wrap-up is complete: the caller's number (ANI, E.164, absent
 * when withheld), the queue and agent, timestamps from the switch, the agent's disposition code
 * and call reason, the speech-analytics sentiment score, and — when captured during the call — a
 * complaint ticket and the post-call IVR survey answer.
 * The customer is the CIF verified in the IVR or by the agent, else the caller's number.
 */
import {
  DateTimeField,
  DecimalField,
  Field,
  IdentifierField,
  NestedField,
  OneOfField,
  PhoneField,
  TextField,
  checkInteger,
  guardJson,
  validateSchema,
  type FieldError,
  type Validated,
} from '@c360/contracts';
import { instantMillis } from '../shared/instant';
import type { NativeValidationOptions } from '../shared/native-validation';

export const DISPOSITION_CODES = ['RESOLVED', 'TRANSFERRED', 'CALLBACK_SCHEDULED', 'ABANDONED'] as const;
export type DispositionCode = (typeof DISPOSITION_CODES)[number];

export const MAX_CALL_SECONDS = 86_400;

export class CallDisposition {
  @OneOfField(DISPOSITION_CODES) code!: DispositionCode;
  /** Wrap-up reason code chosen by the agent (or the IVR), e.g. `card-blocked`. */
  @IdentifierField() reasonCode!: string;
}

export class CallSentiment {
  /** Speech-analytics score over the whole call: −1 (negative) to 1 (positive). */
  @DecimalField({ min: -1, max: 1 }) score!: number;
  @IdentifierField({ maxLength: 32 }) model!: string;
}

export class ComplaintResolution {
  @TextField(2000) resolution!: string;
}

export class ComplaintCapture {
  /** Ticket opened in the complaints system during the call. */
  @IdentifierField() ticketId!: string;
  @TextField(100) category!: string;
  @OneOfField(['low', 'medium', 'high']) severity!: 'low' | 'medium' | 'high';
  /** Present when the agent resolved the complaint on the call. */
  @NestedField(() => ComplaintResolution, { optional: true }) resolvedOnCall?: ComplaintResolution;
}

export class PostCallSurvey {
  @OneOfField(['nps', 'csat']) type!: 'nps' | 'csat';
  /** NPS 0..10, CSAT 1..5. */
  @Field((v, o) => (o['type'] === 'csat' ? checkInteger(v, { min: 1, max: 5 }) : checkInteger(v, { min: 0, max: 10 })))
  score!: number;
  @DateTimeField() answeredAt!: string;
}

export class CallRecord {
  /** The CTI platform's call id, unique. */
  @IdentifierField() callId!: string;
  @OneOfField(['inbound', 'outbound']) direction!: 'inbound' | 'outbound';
  /** Caller's number, E.164; absent when withheld. */
  @PhoneField({ optional: true }) ani?: string;
  /** Customer number verified in the IVR or by the agent. */
  @IdentifierField({ optional: true, maxLength: 32 }) customerCif?: string;
  @IdentifierField() queue!: string;
  /** Absent for calls abandoned before an agent answered. */
  @IdentifierField({ optional: true }) agentId?: string;
  @DateTimeField() startedAt!: string;
  @DateTimeField({ optional: true }) answeredAt?: string;
  @DateTimeField() endedAt!: string;
  @NestedField(() => CallDisposition) disposition!: CallDisposition;
  @NestedField(() => CallSentiment, { optional: true }) sentiment?: CallSentiment;
  @NestedField(() => ComplaintCapture, { optional: true }) complaint?: ComplaintCapture;
  @NestedField(() => PostCallSurvey, { optional: true }) survey?: PostCallSurvey;

  static refine(v: Readonly<CallRecord>): FieldError[] {
    const errors: FieldError[] = [];
    if (v.customerCif === undefined && v.ani === undefined) {
      errors.push({ path: '/customerCif', code: 'subject-missing', message: 'give customerCif or ani' });
    }
    const started = instantMillis(v.startedAt);
    const ended = instantMillis(v.endedAt);
    if (v.answeredAt !== undefined) {
      const answered = instantMillis(v.answeredAt);
      if (answered < started) errors.push({ path: '/answeredAt', code: 'time-order', message: 'must not be before startedAt' });
      if (answered > ended) errors.push({ path: '/answeredAt', code: 'time-order', message: 'must not be after endedAt' });
    }
    if (ended < started) errors.push({ path: '/endedAt', code: 'time-order', message: 'must not be before startedAt' });
    else if (ended - started > MAX_CALL_SECONDS * 1000) errors.push({ path: '/endedAt', code: 'too-large', message: 'a call lasts under 24 hours' });
    const abandoned = v.disposition.code === 'ABANDONED';
    if (!abandoned && v.agentId === undefined) {
      errors.push({ path: '/agentId', code: 'required', message: 'is required unless the call was abandoned' });
    }
    if (!abandoned && v.answeredAt === undefined) {
      errors.push({ path: '/answeredAt', code: 'required', message: 'is required unless the call was abandoned' });
    }
    return errors;
  }
}

/** Validates one native call record (guard, whitelist, cross-field rules). */
export const validateCallCentrePayload = (input: unknown, options: NativeValidationOptions = {}): Validated<CallRecord> => {
  const guardErrors = guardJson(input);
  if (guardErrors.length > 0) return { ok: false, errors: guardErrors };
  return validateSchema(CallRecord, input, { guarded: true, fastPath: options.fastPath !== false });
};

export const CALL_CENTRE_EXAMPLE: CallRecord = {
  callId: 'CALL-20261104-000917',
  direction: 'inbound',
  ani: '+8613800000000',
  queue: 'cards',
  agentId: 'AG-311',
  startedAt: '2026-11-04T11:00:38+08:00',
  answeredAt: '2026-11-04T11:01:52+08:00',
  endedAt: '2026-11-04T11:07:30+08:00',
  disposition: { code: 'RESOLVED', reasonCode: 'card-blocked' },
  sentiment: { score: -0.35, model: 'sa-2.3' },
  complaint: {
    ticketId: 'CMP-2026-0042',
    category: 'fees',
    severity: 'medium',
    resolvedOnCall: { resolution: 'Annual fee refunded as a goodwill gesture.' },
  },
  survey: { type: 'nps', score: 9, answeredAt: '2026-11-04T11:08:05+08:00' },
};
