import type { Suite } from '../report';
import { eventStoreSuite } from './event-store';

export const SUITES: Record<string, Suite> = {
  'event-store': eventStoreSuite,
};
