import { DEFAULT_DERIVED_TOPIC } from '@c360/contracts';
import {
  DEFAULT_DOMAIN_CONFIG,
  evaluationTime,
  reevaluateMembership,
  segmentDefinitionErrors,
  type CurrentMembership,
  type SegmentDefinition,
} from '@c360/customer-domain';
import { DerivedError, DerivedErrorCode } from './derived.errors';
import type { DerivedStore, SegmentDefinitionRecord } from './derived-store.port';
import { pageSizeOf, type DerivedServiceOptions } from './derived-services.options';
import { membershipHistoryRows, persistMembership } from './segments.view';

export interface ReevaluationResult {
  readonly customers: number;
  readonly entered: number;
  readonly left: number;
}

/**
 * Segments at run time: list, add a version (validated; starts in shadow or active),
 * activate (re-evaluates every customer from the current customer_360 state, in pages — no
 * replay), retire. HTTP and CLI put themselves on these functions.
 */
export class SegmentRulesService {
  constructor(
    private readonly store: DerivedStore,
    private readonly options: DerivedServiceOptions = {},
  ) {}

  list(): Promise<SegmentDefinitionRecord[]> {
    return this.store.transaction((tx) => tx.segmentDefinitions.list());
  }

  /**
   * Adds a segment or a new version of one. `version` may be omitted (next version). A new
   * version starts in `shadow` (evaluate it with a shadow run, then activate) unless
   * `status: 'active'`, which activates it at once (with re-evaluation).
   */
  async addVersion(input: unknown, status: 'shadow' | 'active' = 'shadow'): Promise<SegmentDefinitionRecord> {
    const candidate =
      typeof input === 'object' && input !== null && !('version' in input) ? { ...input, version: 1 } : input;
    const errors = segmentDefinitionErrors(candidate);
    if (errors.length > 0) throw new DerivedError(DerivedErrorCode.InvalidDefinition, 'invalid segment definition', errors);
    const given = candidate as SegmentDefinition;
    const definition = await this.store.transaction(async (tx) => {
      const latest = await tx.segmentDefinitions.latestVersion(given.id);
      const version = input !== null && typeof input === 'object' && 'version' in input ? given.version : (latest ?? 0) + 1;
      if (latest !== null && version <= latest)
        throw new DerivedError(DerivedErrorCode.VersionConflict, `segment ${given.id} already has version ${latest}`);
      const d: SegmentDefinition = { ...given, version };
      await tx.segmentDefinitions.insert(d, 'shadow');
      return d;
    });
    if (status === 'active') await this.activate(definition.id, definition.version);
    const record = await this.store.transaction((tx) => tx.segmentDefinitions.get(definition.id, definition.version));
    if (record === null) throw new DerivedError(DerivedErrorCode.NotFound, `segment ${definition.id}@${definition.version} vanished`);
    return record;
  }

  /**
   * Makes a version the active one (retiring the previous) and re-evaluates every customer
   * against it from the current customer_360 state, page by page: entered / left recorded
   * with the new version (and published), members who stay take the new version.
   */
  async activate(id: string, version: number): Promise<ReevaluationResult> {
    const definition = await this.store.transaction(async (tx) => {
      const record = await tx.segmentDefinitions.get(id, version);
      if (record === null) throw new DerivedError(DerivedErrorCode.NotFound, `segment ${id}@${version} not found`);
      if (record.status === 'active') return record.definition;
      await tx.segmentDefinitions.setStatus(id, version, 'active');
      return record.definition;
    });
    const cause = `activate:${id}@${version}`;
    return this.reevaluate(cause, (members, state, at) => {
      const step = reevaluateMembership(members, [definition], state, at, this.options.domain ?? DEFAULT_DOMAIN_CONFIG);
      // Members who stay take the new version (their `since` is kept).
      const final = step.members.map((m) => (m.segmentId === id ? { ...m, version } : m));
      return { final, transitions: step.transitions };
    });
  }

  /** Retires the active version of a segment: every member leaves (recorded and published). */
  async retire(id: string): Promise<ReevaluationResult> {
    const version = await this.store.transaction(async (tx) => {
      const active = (await tx.segmentDefinitions.list()).find((r) => r.definition.id === id && r.status === 'active');
      if (active === undefined) throw new DerivedError(DerivedErrorCode.NotFound, `segment ${id} has no active version`);
      await tx.segmentDefinitions.setStatus(id, active.definition.version, 'retired');
      return active.definition.version;
    });
    return this.reevaluate(`retire:${id}@${version}`, (members, _state, at) => {
      const leaving = members.filter((m) => m.segmentId === id);
      return {
        final: members.filter((m) => m.segmentId !== id),
        transitions: leaving.map(() => ({ segmentId: id, version, change: 'left' as const, reason: 'segment retired', at })),
      };
    });
  }

  private async reevaluate(
    cause: string,
    decide: (
      members: readonly CurrentMembership[],
      state: Parameters<typeof evaluationTime>[0],
      at: string,
    ) => {
      final: readonly CurrentMembership[];
      transitions: readonly { segmentId: string; version: number; change: 'entered' | 'left'; reason: string; at: string }[];
    },
  ): Promise<ReevaluationResult> {
    const topic = this.options.topic ?? DEFAULT_DERIVED_TOPIC;
    const limit = pageSizeOf(this.options);
    let after: string | null = null;
    let customers = 0;
    let entered = 0;
    let left = 0;
    for (;;) {
      const last: string | null = await this.store.transaction(async (tx) => {
        const page = await tx.customers.page({ after, limit, lock: true });
        for (const c of page) {
          const at = evaluationTime(c.state);
          if (at === null) continue;
          const initial = await tx.segments.membershipOf(c.customerId);
          const { final, transitions } = decide(initial, c.state, at);
          const history = membershipHistoryRows(c.customerId, transitions, c.lastRevision, cause);
          entered += transitions.filter((t) => t.change === 'entered').length;
          left += transitions.filter((t) => t.change === 'left').length;
          await persistMembership(tx, c.customerId, initial, final, history, topic);
        }
        customers += page.length;
        return page.length < limit ? null : (page[page.length - 1]?.customerId ?? null);
      });
      if (last === null) return { customers, entered, left };
      after = last;
    }
  }
}
