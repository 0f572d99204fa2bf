import type { ApiResponseNoStatusOptions } from '@nestjs/swagger';

type SchemaObject = NonNullable<Extract<ApiResponseNoStatusOptions, { schema?: unknown }>['schema']>;

const personal: SchemaObject = {
  description: 'Personal field: clear with customers:read-pii, masked without; {"erased":true} after erasure; {"restricted":true} during a retention-held erasure.',
  oneOf: [
    { type: 'string' },
    { type: 'object', properties: { erased: { type: 'boolean', enum: [true] } } },
    { type: 'object', properties: { restricted: { type: 'boolean', enum: [true] } } },
  ],
  nullable: true,
};

export const CUSTOMER_VIEW_EXAMPLE = {
  customerId: 'C000123',
  view: 'live',
  at: '2026-11-28T09:30:00.000Z',
  revision: 41,
  personalData: 'masked',
  erased: false,
  restriction: null,
  mergedInto: null,
  mergedFrom: [],
  profile: {
    customerNumber: 'C000123',
    kind: 'individual',
    fullName: 'Z** W**',
    nationalId: '****1234',
    birthDate: '****-**-**',
    phone: '+861******5678',
    email: 'z***@example.com',
    address: '***',
    region: 'east',
    branchCode: 'SH001',
    registeredAt: '2019-04-02T08:00:00.000Z',
  },
  identities: [
    { scheme: 'mobile-user', value: 'mu-88231', linkedAt: '2020-01-05T10:00:00.000Z' },
    { scheme: 'phone', value: '+861******5678', linkedAt: '2019-04-02T08:00:00.000Z' },
  ],
  products: [
    { productId: 'A-77', productType: 'savings', currency: 'CNY', status: 'open', openedAt: '2019-04-02T08:00:00.000Z', closedAt: null, closeReason: null, balanceMinor: 125000000, balanceAsOf: '2026-11-27' },
  ],
  relationshipBalanceMinor: { CNY: 125000000 },
  assetsMinor: { CNY: 125000000 },
  lendingMinor: {},
  relationshipValueMinor: 125000000,
  interactions: {
    last30Days: { branch: 1, mobile: 14, 'call-centre': 0 },
    last90Days: { branch: 3, mobile: 40, 'call-centre': 2 },
    lastByChannel: { branch: '2026-11-20T10:00:00.000Z', mobile: '2026-11-27T21:04:00.000Z', 'call-centre': '2026-09-30T15:00:00.000Z' },
  },
  recentTimeline: [{ eventId: '5f0c7a52-0d7e-4e39-9f1e-9a0d5e2f7c11', type: 'MobileSessionStarted', occurredAt: '2026-11-27T21:04:00.000Z', recordedAt: '2026-11-27T21:04:01.000Z', channel: 'mobile', summary: 'app session (v5.2.0)' }],
  openComplaints: [],
  complaintsResolved: 1,
  satisfaction: { nps: { score: 9, at: '2026-10-01T12:00:00.000Z' }, csat: null },
  serviceQuality: { windowDays: 90, branchVisits: 3, averageBranchWaitMinutes: 7.3, calls: 2, callsResolved: 2, callsAbandoned: 0 },
  relationshipManager: { managerId: 'RM-17', previousManagerId: null, since: '2021-03-01T00:00:00.000Z', changedAt: null },
  tier: 'important',
  segments: [{ segmentId: 'tier-important', version: 1, reason: 'relationship value 1250000.00 ≥ 500000.00' }, { segmentId: 'digital-first', version: 1, reason: 'mobile share 89%' }],
  churn: { riskScore: 0, openFlags: [] },
  profitability: {
    windowDays: 90,
    revenueMinor: 462329,
    interestMarginMinor: 462329,
    feesMinor: 0,
    interchangeMinor: 0,
    costToServeMinor: 9520,
    marginMinor: 452809,
    costByChannel: [
      { channel: 'branch', interactions: 3, unitCostMinor: 2500, costMinor: 7500 },
      { channel: 'mobile', interactions: 40, unitCostMinor: 50, costMinor: 2000 },
    ],
  },
};

export const CUSTOMER_VIEW_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'The customer-360 view. Personal fields are masked unless the token carries customers:read-pii.',
  properties: {
    customerId: { type: 'string' },
    view: { type: 'string', enum: ['live', 'asOf', 'knownAt'] },
    at: { type: 'string', format: 'date-time' },
    revision: { type: 'integer' },
    personalData: { type: 'string', enum: ['clear', 'masked', 'restricted'] },
    erased: { type: 'boolean' },
    profile: {
      type: 'object',
      properties: {
        customerNumber: { type: 'string' },
        fullName: personal,
        nationalId: personal,
        birthDate: personal,
        phone: personal,
        email: personal,
        address: personal,
        region: { type: 'string' },
      },
    },
    identities: { type: 'array', items: { type: 'object', properties: { scheme: { type: 'string' }, value: personal, linkedAt: { type: 'string' } } } },
    products: { type: 'array', items: { type: 'object' } },
    interactions: { type: 'object' },
    churn: { type: 'object' },
    profitability: { type: 'object' },
  },
  example: CUSTOMER_VIEW_EXAMPLE,
};

export const TIMELINE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    customerId: { type: 'string' },
    items: { type: 'array', items: { type: 'object' } },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as ?cursor= for the next (older) page; null on the last page.' },
  },
  example: {
    customerId: 'C000123',
    items: [{ eventId: '5f0c7a52-0d7e-4e39-9f1e-9a0d5e2f7c11', type: 'BranchVisited', occurredAt: '2026-11-20T10:00:00.000Z', recordedAt: '2026-11-20T10:00:02.000Z', channel: 'branch', summary: 'branch SH001: deposit, waited 7 min' }],
    nextCursor: 'eyJrIjoidGltZWxpbmUiLCJyZXYiOjM5fQ',
  },
};

export const LOOKUP_SCHEMA: SchemaObject = {
  type: 'object',
  example: { scheme: 'mobile-user', customers: [{ customerId: 'C000123', href: '/v1/customers/C000123' }] },
};

export const ERASURE_SCHEMA: SchemaObject = {
  type: 'object',
  description: '`erased`: the key is destroyed now. `restricted-until`: a legal retention applies; personal data is restricted to compliance now and the key is destroyed when the retention ends.',
  oneOf: [
    { type: 'object', properties: { customerId: { type: 'string' }, outcome: { type: 'string', enum: ['erased'] }, erasedAt: { type: 'string', format: 'date-time' } } },
    {
      type: 'object',
      properties: {
        customerId: { type: 'string' },
        outcome: { type: 'string', enum: ['restricted-until'] },
        restrictedUntil: { type: 'string', format: 'date-time' },
        retentionBasis: { type: 'string' },
      },
    },
  ],
  example: { customerId: 'C000123', outcome: 'restricted-until', restrictedUntil: '2031-06-30T00:00:00.000Z', retentionBasis: 'aml' },
};

export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json). Never carries customer data.',
  properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' }, detail: { type: 'string' }, requestId: { type: 'string' } },
  example: { type: 'urn:c360:problem:not_yet_consistent', title: 'Service Unavailable', status: 503, code: 'not_yet_consistent', detail: 'The read models have not reached this consistency token yet; retry after the indicated time.' },
};
