import type { Suite } from '../report';
import { eventStoreSuite } from './event-store';
import { ingestSuite } from './ingest';
import { projectionsSuite } from './projections';
import { querySuite } from './query';

export const SUITES: Record<string, Suite> = {
  'event-store': eventStoreSuite,
  ingest: ingestSuite,
  projections: projectionsSuite,
  query: querySuite,
};
