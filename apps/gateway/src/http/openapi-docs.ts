import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { EVENT_CATALOGUE, type CanonicalEventType } from '@c360/contracts';
import { ACCEPTED_RESPONSE_SCHEMA, PROBLEM_SCHEMA } from './accepted-response';

const oneOrBatch = (item: Record<string, unknown>) => ({
  oneOf: [item, { type: 'array', minItems: 1, maxItems: 1000, items: item }],
});

/** The OpenAPI description shared by every intake route: one object or a batch, 202 or problem+json. */
export const IntakeDocs = (summary: string, description: string, scope: string, item: Record<string, unknown>, examples: Readonly<Record<string, object>>) =>
  applyDecorators(
    ApiOperation({ summary, description: `${description}\n\nNeeds scope \`${scope}\`. One object or a JSON array of up to 1,000; a batch is all-or-nothing.` }),
    ApiBearerAuth(),
    ApiConsumes('application/json'),
    ApiBody({
      schema: oneOrBatch(item),
      examples: Object.fromEntries(
        Object.entries(examples).flatMap(([name, value]) => [
          [name, { summary: `one ${name}`, value }],
          [`${name}-batch`, { summary: `a batch of one ${name}`, value: [value] }],
        ]),
      ),
    }),
    ApiResponse({ status: 202, description: 'Durably accepted (Kafka acks=all; all-in-one: the store).', schema: ACCEPTED_RESPONSE_SCHEMA }),
    ApiResponse({ status: 400, description: 'Invalid input, with the item index and field path of each error. Nothing was accepted.', schema: PROBLEM_SCHEMA }),
    ApiResponse({ status: 401, description: 'No or invalid bearer token.', schema: PROBLEM_SCHEMA }),
    ApiResponse({ status: 403, description: `The token lacks \`${scope}\`.`, schema: PROBLEM_SCHEMA }),
    ApiResponse({ status: 413, description: 'Body over the size limit, or more than 1,000 items.', schema: PROBLEM_SCHEMA }),
    ApiResponse({ status: 415, description: 'Not application/json.', schema: PROBLEM_SCHEMA }),
    ApiResponse({ status: 503, description: 'Kafka (or the store) cannot take events now; retry with the same event ids.', schema: PROBLEM_SCHEMA }),
  );

/** The canonical envelope as an OpenAPI schema; `data` per type is listed in the description. */
export const CANONICAL_EVENT_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'type', 'version', 'occurredAt', 'source', 'data'],
  description:
    'A canonical event. Exactly one of customerId or identity. Unknown fields are refused. Types: ' +
    (Object.keys(EVENT_CATALOGUE) as CanonicalEventType[]).map((t) => `${t} — ${EVENT_CATALOGUE[t].description}`).join('; '),
  properties: {
    eventId: { type: 'string', format: 'uuid', description: 'Idempotency key.' },
    type: { type: 'string', enum: Object.keys(EVENT_CATALOGUE) },
    version: { type: 'integer', minimum: 1 },
    occurredAt: { type: 'string', format: 'date-time', description: 'With a zone.' },
    source: { type: 'object', properties: { system: { type: 'string' }, channel: { type: 'string', enum: ['branch', 'mobile', 'call-centre'] } }, required: ['system'] },
    customerId: { type: 'string', maxLength: 32 },
    identity: {
      type: 'object',
      properties: { scheme: { type: 'string', enum: ['customer-number', 'mobile-user', 'phone', 'card', 'national-id'] }, value: { type: 'string' } },
      required: ['scheme', 'value'],
    },
    data: { type: 'object', description: 'The fields of the type (see the catalogue).' },
  },
};

export const CANONICAL_EXAMPLES: Readonly<Record<string, object>> = Object.fromEntries(
  (['MoneyMoved', 'BalanceReported', 'ProductOpened', 'CustomerRegistered'] as const).map((t) => [t, EVENT_CATALOGUE[t].example]),
);
