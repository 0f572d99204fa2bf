import { FACT_NAMES, type FactName, type FactSheet, type FactValue } from './customer-facts';

/**
 * The segment rule language: plain JSON, so rules are data (stored, versioned, changed at
 * run time). Leaves compare a fact with a constant, with another fact (× factor), with a
 * list, or test that it is known; `all` / `any` / `not` combine them.
 */
export type CompareOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';

export type SegmentRule =
  | { readonly field: FactName; readonly op: CompareOp; readonly value: number | string | boolean }
  | {
      readonly field: FactName;
      readonly op: CompareOp;
      readonly ref: FactName;
      readonly factor?: number;
    }
  | { readonly field: FactName; readonly op: 'in'; readonly values: readonly (string | number)[] }
  | { readonly field: FactName; readonly op: 'known' }
  | { readonly all: readonly SegmentRule[] }
  | { readonly any: readonly SegmentRule[] }
  | { readonly not: SegmentRule };

export interface RuleOutcome {
  readonly holds: boolean;
  /** Why it holds, or the first reason it does not. */
  readonly reason: string;
}

const SYMBOL: Record<CompareOp, string> = {
  eq: '=',
  neq: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
};

const show = (v: FactValue | undefined): string => {
  if (v === null || v === undefined) return 'unknown';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
};

const compare = (op: CompareOp, a: FactValue, b: number | string | boolean | null): boolean => {
  // Unknown facts satisfy no comparison (and so fail `not` too only if the caller says so).
  if (a === null || b === null) return false;
  switch (op) {
    case 'eq':
      return a === b;
    case 'neq':
      return a !== b;
    case 'gt':
      return typeof a === typeof b && a > b;
    case 'gte':
      return typeof a === typeof b && a >= b;
    case 'lt':
      return typeof a === typeof b && a < b;
    case 'lte':
      return typeof a === typeof b && a <= b;
  }
};

const withExplain = (sheet: FactSheet, field: FactName, text: string): string => {
  const extra = sheet.explain[field];
  return extra === undefined ? text : `${text} (${extra})`;
};

export const evaluateRule = (rule: SegmentRule, sheet: FactSheet): RuleOutcome => {
  const facts = sheet.facts;
  // Evaluation is pure, so `all` stops at its first failure and `any` at its first success:
  // those outcomes are the answer, and the ones after them could not change it.
  if ('all' in rule) {
    const reasons: string[] = [];
    for (const r of rule.all) {
      const outcome = evaluateRule(r, sheet);
      if (!outcome.holds) return outcome;
      reasons.push(outcome.reason);
    }
    return { holds: true, reason: reasons.join(' and ') || 'always' };
  }
  if ('any' in rule) {
    const reasons: string[] = [];
    for (const r of rule.any) {
      const outcome = evaluateRule(r, sheet);
      if (outcome.holds) return outcome;
      reasons.push(outcome.reason);
    }
    return { holds: false, reason: reasons.join(' and ') || 'no alternatives' };
  }
  if ('not' in rule) {
    const inner = evaluateRule(rule.not, sheet);
    return { holds: !inner.holds, reason: `not (${inner.reason})` };
  }
  const actual = facts[rule.field];
  if (rule.op === 'known') {
    const holds = actual !== null;
    return { holds, reason: `${rule.field} ${holds ? 'is' : 'is not'} known` };
  }
  if (rule.op === 'in') {
    const holds = actual !== null && rule.values.some((x) => x === actual);
    return {
      holds,
      reason: `${rule.field}=${show(actual)} ${holds ? 'in' : 'not in'} [${rule.values.join(', ')}]`,
    };
  }
  if ('ref' in rule) {
    const other = facts[rule.ref];
    const factor = rule.factor ?? 1;
    const expected = typeof other === 'number' ? other * factor : other;
    const holds = compare(rule.op, actual, expected);
    const rhs = `${factor === 1 ? '' : `${factor} × `}${rule.ref}=${show(other)}`;
    const text = `${rule.field}=${show(actual)} ${holds ? '' : 'not '}${SYMBOL[rule.op]} ${rhs}`;
    return { holds, reason: withExplain(sheet, rule.field, text) };
  }
  const holds = compare(rule.op, actual, rule.value);
  const text = `${rule.field}=${show(actual)} ${holds ? '' : 'not '}${SYMBOL[rule.op]} ${show(rule.value)}`;
  return { holds, reason: withExplain(sheet, rule.field, text) };
};

/**
 * evaluateRule(rule, sheet).holds without building any reason text: for callers that want
 * only the segments a customer is in (the read side answers those, with their reasons).
 */
export const ruleHolds = (rule: SegmentRule, facts: FactSheet['facts']): boolean => {
  if ('all' in rule) {
    for (const r of rule.all) if (!ruleHolds(r, facts)) return false;
    return true;
  }
  if ('any' in rule) {
    for (const r of rule.any) if (ruleHolds(r, facts)) return true;
    return false;
  }
  if ('not' in rule) return !ruleHolds(rule.not, facts);
  const actual = facts[rule.field];
  if (rule.op === 'known') return actual !== null;
  if (rule.op === 'in') return actual !== null && rule.values.some((x) => x === actual);
  if ('ref' in rule) {
    const other = facts[rule.ref];
    return compare(rule.op, actual, typeof other === 'number' ? other * (rule.factor ?? 1) : other);
  }
  return compare(rule.op, actual, rule.value);
};

const OPS: readonly string[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'];
const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const isFact = (x: unknown): x is FactName =>
  typeof x === 'string' && (FACT_NAMES as readonly string[]).includes(x);

/** Checks a rule that arrived as JSON (an operator's change at run time); lists every problem. */
export const ruleErrors = (input: unknown, path = 'rule'): string[] => {
  if (!isRecord(input)) return [`${path}: must be an object`];
  if ('all' in input || 'any' in input) {
    const key = 'all' in input ? 'all' : 'any';
    const list = input[key];
    if (!Array.isArray(list)) return [`${path}.${key}: must be an array`];
    return list.flatMap((r, i) => ruleErrors(r, `${path}.${key}[${i}]`));
  }
  if ('not' in input) return ruleErrors(input['not'], `${path}.not`);
  const errors: string[] = [];
  if (!isFact(input['field']))
    errors.push(`${path}.field: unknown fact ${JSON.stringify(input['field'])}`);
  const op = input['op'];
  if (op === 'known') return errors;
  if (op === 'in') {
    const values = input['values'];
    if (
      !Array.isArray(values) ||
      !values.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      errors.push(`${path}.values: must be an array of strings or numbers`);
    }
    return errors;
  }
  if (typeof op !== 'string' || !OPS.includes(op)) {
    errors.push(`${path}.op: must be one of ${[...OPS, 'in', 'known'].join(', ')}`);
  }
  if ('ref' in input) {
    if (!isFact(input['ref']))
      errors.push(`${path}.ref: unknown fact ${JSON.stringify(input['ref'])}`);
    if ('factor' in input && typeof input['factor'] !== 'number')
      errors.push(`${path}.factor: must be a number`);
  } else {
    const value = input['value'];
    if (!['number', 'string', 'boolean'].includes(typeof value)) {
      errors.push(`${path}.value: must be a number, string or boolean (or give ref)`);
    }
  }
  return errors;
};
