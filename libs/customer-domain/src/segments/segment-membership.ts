import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import type { Customer360State } from '../customer-360/customer-360.state';
import { customerFacts, type FactName, type FactSheet, type FactValue } from './customer-facts';
import { evaluateRule, ruleErrors, ruleHolds, type SegmentRule } from './segment-rule';

/** Limits a segment to part of the bank (a pilot region, some branches). Empty = everywhere. */
export interface SegmentScope {
  readonly regions?: readonly string[];
  readonly branches?: readonly string[];
}

/** A versioned segment definition. A changed rule is a new version, never an edit in place. */
export interface SegmentDefinition {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly scope?: SegmentScope;
  readonly rule: SegmentRule;
}

export interface SegmentEvaluation {
  readonly segmentId: string;
  readonly version: number;
  readonly member: boolean;
  readonly reason: string;
}

const outOfScope = (scope: SegmentScope | undefined, sheet: FactSheet): string | null => {
  const { region, branchCode } = sheet.facts;
  if (
    scope?.regions !== undefined &&
    scope.regions.length > 0 &&
    !scope.regions.includes(region ?? '')
  ) {
    return `out of scope: region ${region ?? 'unknown'} not in [${scope.regions.join(', ')}]`;
  }
  if (
    scope?.branches !== undefined &&
    scope.branches.length > 0 &&
    !scope.branches.includes(branchCode ?? '')
  ) {
    return `out of scope: branch ${branchCode ?? 'unknown'} not in [${scope.branches.join(', ')}]`;
  }
  return null;
};

/** The facts a rule reads (fields and refs, nested rules included), each once. */
export const ruleInputs = (rule: SegmentRule, into: Set<FactName> = new Set()): Set<FactName> => {
  if ('all' in rule) for (const r of rule.all) ruleInputs(r, into);
  else if ('any' in rule) for (const r of rule.any) ruleInputs(r, into);
  else if ('not' in rule) ruleInputs(rule.not, into);
  else {
    into.add(rule.field);
    if ('ref' in rule) into.add(rule.ref);
  }
  return into;
};

interface SegmentMemo {
  /** region, branchCode (the scope) and the rule's inputs, in this order. */
  readonly fields: readonly FactName[];
  values: FactValue[] | null;
  explains: (string | undefined)[] | null;
  result: SegmentEvaluation | null;
}

/**
 * The last evaluation of each definition, with the inputs it read. A definition's outcome
 * and reason depend only on its own id, version, scope and rule (immutable data: a changed
 * rule is a new definition) and on the facts and explanations its rule reads, plus region
 * and branch for the scope. So when those inputs are the same as last time, the answer is
 * the same: the derived views evaluate after every event of a batch and most events leave
 * most segments' inputs untouched. Keyed weakly by the definition object.
 */
const memos = new WeakMap<SegmentDefinition, SegmentMemo>();

const memoOf = (segment: SegmentDefinition): SegmentMemo => {
  let memo = memos.get(segment);
  if (memo === undefined) {
    const inputs = ruleInputs(segment.rule);
    inputs.delete('region');
    inputs.delete('branchCode');
    memo = { fields: ['region', 'branchCode', ...inputs], values: null, explains: null, result: null };
    memos.set(segment, memo);
  }
  return memo;
};

/** Evaluates one segment against facts already computed (many segments, one fact sheet). */
export const evaluateSegmentOnFacts = (
  segment: SegmentDefinition,
  sheet: FactSheet,
): SegmentEvaluation => {
  const memo = memoOf(segment);
  const { facts, explain } = sheet;
  const { fields, values, explains, result } = memo;
  if (result !== null && values !== null && explains !== null) {
    let same = true;
    for (let i = 0; i < fields.length && same; i++) {
      const f = fields[i] as FactName;
      same = Object.is(facts[f], values[i]) && explain[f] === explains[i];
    }
    if (same) return result;
  }
  const fresh = evaluateSegmentDirect(segment, sheet);
  memo.values = fields.map((f) => facts[f]);
  memo.explains = fields.map((f) => explain[f]);
  memo.result = fresh;
  return fresh;
};

/** evaluateSegmentOnFacts without the memo (the oracle it is tested against). */
export const evaluateSegmentDirect = (
  segment: SegmentDefinition,
  sheet: FactSheet,
): SegmentEvaluation => {
  const scoped = outOfScope(segment.scope, sheet);
  if (scoped !== null)
    return { segmentId: segment.id, version: segment.version, member: false, reason: scoped };
  const outcome = evaluateRule(segment.rule, sheet);
  return {
    segmentId: segment.id,
    version: segment.version,
    member: outcome.holds,
    reason: outcome.reason,
  };
};

/** Is the customer in the segment at `now`, and why (or why not). */
export const evaluateSegment = (
  segment: SegmentDefinition,
  view: Customer360State,
  now: Date | string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): SegmentEvaluation => evaluateSegmentOnFacts(segment, customerFacts(view, now, config));

export const evaluateSegments = (
  segments: readonly SegmentDefinition[],
  view: Customer360State,
  now: Date | string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): SegmentEvaluation[] => {
  const sheet = customerFacts(view, now, config);
  return segments.map((s) => evaluateSegmentOnFacts(s, sheet));
};

/**
 * The segments the customer is in at `now`, with their reasons: what
 * `evaluateSegments(...).filter((e) => e.member)` gives, without building the reasons of the
 * segments the customer is not in (the read side shows members only).
 */
export const memberSegments = (
  segments: readonly SegmentDefinition[],
  view: Customer360State,
  now: Date | string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): SegmentEvaluation[] => {
  const sheet = customerFacts(view, now, config);
  const members: SegmentEvaluation[] = [];
  for (const s of segments) {
    if (!inScope(s.scope, sheet.facts) || !ruleHolds(s.rule, sheet.facts)) continue;
    members.push(evaluateSegmentDirect(s, sheet));
  }
  return members;
};

/** outOfScope(...) === null, without its text. */
const inScope = (scope: SegmentScope | undefined, facts: FactSheet['facts']): boolean =>
  (scope?.regions === undefined || scope.regions.length === 0 || scope.regions.includes(facts.region ?? '')) &&
  (scope?.branches === undefined || scope.branches.length === 0 || scope.branches.includes(facts.branchCode ?? ''));

export interface MembershipChange {
  readonly segmentId: string;
  readonly version: number;
  readonly reason: string;
}

export interface MembershipDiff {
  readonly entered: readonly MembershipChange[];
  readonly left: readonly MembershipChange[];
}

/**
 * Who enters and who leaves between two evaluations of the same customer (live: before and
 * after an event or a clock tick; shadow: active rule version vs candidate). A segment that
 * is missing from `after` was withdrawn: its members leave.
 */
export const diffMembership = (
  before: readonly SegmentEvaluation[],
  after: readonly SegmentEvaluation[],
): MembershipDiff => {
  const was = new Map(before.map((e) => [e.segmentId, e]));
  const now = new Map(after.map((e) => [e.segmentId, e]));
  const entered: MembershipChange[] = [];
  const left: MembershipChange[] = [];
  for (const e of after) {
    const prior = was.get(e.segmentId);
    if (e.member && prior?.member !== true)
      entered.push({ segmentId: e.segmentId, version: e.version, reason: e.reason });
    if (!e.member && prior?.member === true)
      left.push({ segmentId: e.segmentId, version: e.version, reason: e.reason });
  }
  for (const e of before) {
    if (e.member && !now.has(e.segmentId)) {
      left.push({ segmentId: e.segmentId, version: e.version, reason: 'segment withdrawn' });
    }
  }
  const byId = (a: MembershipChange, b: MembershipChange): number =>
    a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0;
  return { entered: entered.sort(byId), left: left.sort(byId) };
};

/** Validates a definition that arrived as JSON; lists every problem (empty: valid). */
export const segmentDefinitionErrors = (input: unknown): string[] => {
  if (typeof input !== 'object' || input === null) return ['definition: must be an object'];
  const d = input as Record<string, unknown>;
  const errors: string[] = [];
  if (typeof d['id'] !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(d['id']))
    errors.push('id: kebab-case string required');
  if (typeof d['version'] !== 'number' || !Number.isInteger(d['version']) || d['version'] < 1) {
    errors.push('version: positive integer required');
  }
  if (typeof d['name'] !== 'string' || d['name'] === '') errors.push('name: required');
  if (typeof d['description'] !== 'string') errors.push('description: string required');
  const scope = d['scope'];
  if (scope !== undefined) {
    if (typeof scope !== 'object' || scope === null) errors.push('scope: must be an object');
    else {
      for (const key of ['regions', 'branches'] as const) {
        const list = (scope as Record<string, unknown>)[key];
        if (
          list !== undefined &&
          !(Array.isArray(list) && list.every((x) => typeof x === 'string'))
        ) {
          errors.push(`scope.${key}: must be an array of strings`);
        }
      }
    }
  }
  return [...errors, ...ruleErrors(d['rule'])];
};
