import { readFile } from 'node:fs/promises';
import type { AppConfig } from '@c360/config';
import { IngestorError, IngestorErrorCode, type DeadLetterOps, type DeadLetterView, type RedriveResult } from '../../../ingestor/src/index';
import { UsageError } from '../usage-error';
import { withDeadLetterOps } from './ingestor-session';

type Out = (line: string) => void;

const STATUSES = ['open', 'redriven', 'discarded', 'all'] as const;
type StatusFlag = (typeof STATUSES)[number];

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function formatDeadLetterTable(rows: readonly DeadLetterView[]): string {
  const header = ['ID', 'STATUS', 'REASON', 'HOLDS CUSTOMER', 'EVENT ID', 'SOURCE', 'CREATED', 'DETAIL'];
  const body = rows.map((d) => [
    d.id,
    d.status,
    d.reason.code,
    d.blocksCustomer ?? '-',
    d.eventId ?? '-',
    `${d.source.topic}[${d.source.partition}]@${d.source.offset}`,
    d.createdAt,
    d.reason.detail.slice(0, 80),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  return [header, ...body].map((row) => row.map((c, i) => pad(c, widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function parseStatusFlag(raw: string | undefined): StatusFlag {
  const s = raw ?? 'open';
  if (!(STATUSES as readonly string[]).includes(s)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')} (got "${s}")`);
  return s as StatusFlag;
}

const checkId = (id: string): string => {
  if (!/^\d{1,18}$/.test(id)) throw new UsageError(`"${id}" is not a dead letter id (a number); run "npx c360 dead-letters list" to see them`);
  return id;
};

/** Coded ingestor errors as the CLI reports them: a wrong id or state is a usage mistake (exit 2). */
async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof IngestorError)) throw e;
    switch (e.code) {
      case IngestorErrorCode.DeadLetterNotFound:
        throw new UsageError(`${e.message}; run "npx c360 dead-letters list --status all" to see them`, { cause: e });
      case IngestorErrorCode.DeadLetterNotOpen:
        throw new UsageError(`${e.message}: only open dead letters can be re-driven or discarded`, { cause: e });
      case IngestorErrorCode.InvalidQuery:
        throw new UsageError(e.message, { cause: e });
      case IngestorErrorCode.RedriveInvalid:
        throw new Error(`${e.message}${e.errors.length ? `:\n${e.errors.map((f) => `  ${f.path || '(event)'}: ${f.code} — ${f.message}`).join('\n')}` : ''}\nNothing was changed.`, { cause: e });
    }
  }
}

async function listAll(ops: DeadLetterOps, status: StatusFlag, customer: string | undefined): Promise<DeadLetterView[]> {
  const out: DeadLetterView[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await ops.list({ ...(status === 'all' ? {} : { status }), ...(after !== undefined ? { after } : {}), limit: 500 });
    out.push(...page.items.filter((d) => customer === undefined || d.blocksCustomer === customer));
    if (page.next === null) return out;
    after = page.next;
  }
}

export async function runDeadLettersList(opts: { json: boolean; customer?: string; status?: string }, config: AppConfig, out: Out): Promise<void> {
  const status = parseStatusFlag(opts.status);
  const rows = await withDeadLetterOps(config, (ops) => mapped(() => listAll(ops, status, opts.customer)));
  if (opts.json) out(JSON.stringify({ items: rows }));
  else out(rows.length === 0 ? `no ${status === 'all' ? '' : `${status} `}dead letters${opts.customer ? ` holding customer ${opts.customer}` : ''}` : formatDeadLetterTable(rows));
}

export async function runDeadLettersShow(id: string, config: AppConfig, out: Out): Promise<void> {
  const detail = await withDeadLetterOps(config, (ops) => mapped(() => ops.get(checkId(id))));
  // The original bytes may hold personal data: printed only on request, to the operator's terminal.
  out(JSON.stringify(detail, null, 2));
}

async function readRepaired(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}): give the path of a JSON file holding the repaired canonical event`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--file ${file} is not JSON: it must hold one canonical event, e.g. {"eventId": "…", "type": "MoneyMoved", "version": 1, …}`);
  }
}

const describe = (r: RedriveResult): string => `dead letter ${r.id} ${r.status}: ${r.appended} events appended, ${r.parked} still parked`;

export async function runDeadLettersRedrive(id: string, opts: { file?: string; json: boolean }, config: AppConfig, out: Out): Promise<void> {
  checkId(id);
  const repaired = opts.file === undefined ? undefined : await readRepaired(opts.file);
  const result = await withDeadLetterOps(config, (ops) => mapped(() => ops.redrive(id, repaired)));
  out(opts.json ? JSON.stringify(result) : describe(result));
}

export async function runDeadLettersDiscard(id: string, opts: { json: boolean }, config: AppConfig, out: Out): Promise<void> {
  checkId(id);
  const result = await withDeadLetterOps(config, (ops) => mapped(() => ops.discard(id)));
  out(opts.json ? JSON.stringify(result) : describe(result));
}

export async function runDeadLettersParked(opts: { json: boolean; limit?: string }, config: AppConfig, out: Out): Promise<void> {
  const limit = opts.limit === undefined ? 100 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit must be a whole number from 1 to 1000 (got "${opts.limit ?? ''}")`);
  const rows = await withDeadLetterOps(config, (ops) => ops.parked(limit));
  if (opts.json) out(JSON.stringify({ items: rows.map((p) => ({ ...p, oldestParkedAt: p.oldestParkedAt.toISOString() })) }));
  else if (rows.length === 0) out('nothing parked');
  else {
    const header = ['SUBJECT', 'REASON', 'EVENTS', 'OLDEST PARKED'];
    const body = rows.map((p) => [p.subject, p.reason, String(p.count), p.oldestParkedAt.toISOString()]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
    out([header, ...body].map((row) => row.map((c, i) => pad(c, widths[i] ?? 0)).join('  ').trimEnd()).join('\n'));
  }
}
