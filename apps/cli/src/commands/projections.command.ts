import { SingleBar } from 'cli-progress';
import { OpsError, OpsErrorCode, type Ops, type ProjectionStatusView, type RebuildJob } from '../../../projector/src/ops/index';
import { UsageError } from '../usage-error';
import { withOps } from './ops-session';

type Env = Readonly<Record<string, string | undefined>>;
type Out = (line: string) => void;

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The status table (one row per projection). */
export function formatStatusTable(rows: readonly ProjectionStatusView[]): string {
  const header = ['PROJECTION', 'STATE', 'WORKERS', 'POSITION', 'LAG EVENTS', 'LAG S', 'RATE/S', 'REBUILD', 'LAST ERROR'];
  const body = rows.map((r) => [
    r.name,
    r.state,
    String(r.workers),
    r.position ?? '-',
    `${r.lag.events}${r.lag.capped ? '+' : ''}`,
    r.lag.seconds.toFixed(1),
    r.ratePerSecond.toFixed(1),
    r.rebuild ? `${r.rebuild.state} ${r.rebuild.progress}/${r.rebuild.total} (${r.rebuild.jobId.slice(0, 8)})` : '-',
    r.lastError ? `${r.lastError.at} ${r.lastError.code ?? ''} ${r.lastError.message}`.trim().slice(0, 80) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  return [header, ...body].map((row) => row.map((c, i) => pad(c, widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export async function runProjectionsStatus(opts: { json: boolean }, env: Env, out: Out): Promise<void> {
  const rows = await withOps(env, (ops) => ops.status.list());
  out(opts.json ? JSON.stringify({ projections: rows }) : formatStatusTable(rows));
}

export interface RebuildFlags {
  readonly customers?: string;
  readonly dryRun: boolean;
  readonly diff: boolean;
  readonly cancel: boolean;
  readonly json: boolean;
}

/** Checks the flags before touching the database; returns the customer list. */
export function parseRebuildFlags(name: string, flags: RebuildFlags): string[] {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(name)) throw new UsageError(`"${name}" is not a projection name; run "npx c360 projections status" to list them`);
  if (flags.cancel && (flags.customers !== undefined || flags.dryRun || flags.diff))
    throw new UsageError(`--cancel takes no other option: run "npx c360 projections rebuild ${name} --cancel"`);
  if (flags.customers === undefined) return [];
  const customers = flags.customers.split(',').map((c) => c.trim());
  if (customers.length === 0 || customers.some((c) => c === ''))
    throw new UsageError('--customers needs a comma-separated list of customer ids without empty entries, e.g. --customers C000123,C000456');
  return [...new Set(customers)];
}

function describeDiff(job: RebuildJob, out: Out): void {
  if (job.diff) {
    out(`diff (live → rebuilt): ${job.diff.differingCustomers} customers differ`);
    for (const c of job.diff.counts) out(`  ${c.table}: ${c.live} → ${c.shadow} rows`);
    for (const s of job.diff.sample)
      out(`  ${s.customerId}: ${s.kind}${s.columns.length ? ` (${s.columns.join(', ')})` : ''} revision ${s.liveRevision ?? '-'} → ${s.shadowRevision ?? '-'}`);
  }
  for (const c of job.result?.customers ?? [])
    out(`  ${c.customerId}: ${c.events} events, ${c.changedTables.length ? `changed ${c.changedTables.join(', ')}${c.changedColumns.length ? ` (${c.changedColumns.join(', ')})` : ''}` : 'unchanged'}`);
}

async function rebuild(ops: Ops, name: string, customers: string[], flags: RebuildFlags, out: Out): Promise<RebuildJob> {
  if (flags.cancel) {
    const job = await ops.rebuild.cancel(name);
    out(`job ${job.id}: ${job.state}`);
    return job;
  }
  const { job, resumed } = await ops.rebuild.request(name, { customers, dryRun: flags.dryRun, requestedBy: 'cli' });
  if (resumed) out(`resuming job ${job.id} (${job.state}, ${job.progress}/${job.total} events folded before it stopped)`);
  else out(`job ${job.id}: ${job.kind === 'full' ? 'blue/green rebuild' : `refold of ${customers.length} customers`} of ${name}${flags.dryRun ? ' (dry run)' : ''}`);
  const bar = flags.json
    ? undefined
    : new SingleBar({
        format: ' {bar} {percentage}% | {value}/{total} events | {rate} ev/s | ETA {eta_formatted} | {state}',
        noTTYOutput: true,
        notTTYSchedule: 1_000,
        etaBuffer: 50,
      });
  bar?.start(Math.max(job.total, 1), job.progress, { rate: '0', state: job.state });
  const finished = await ops.rebuild.run(job.id, {
    onProgress: (j) => {
      if (flags.json) out(JSON.stringify({ kind: 'progress', state: j.state, progress: j.progress, total: j.total, rate: j.ratePerSecond, eta: j.etaSeconds }));
      bar?.setTotal(Math.max(j.total, 1));
      bar?.update(j.progress, { rate: j.ratePerSecond.toFixed(0), state: j.state });
    },
  });
  bar?.update(finished.progress, { state: finished.state });
  bar?.stop();
  if (flags.json) out(JSON.stringify({ kind: 'job', job: finished }));
  else {
    out(
      `job ${finished.id}: ${finished.state}${finished.result?.swapped ? ', swapped in' : ''}; ${finished.progress} events folded` +
        ` (this run ${finished.appliedLastAttempt}${finished.resumedFrom !== null ? `, resumed at ${finished.resumedFrom}` : ''})`,
    );
    if (flags.diff || flags.dryRun || finished.kind === 'customers') describeDiff(finished, out);
  }
  return finished;
}

export async function runProjectionsRebuild(name: string, flags: RebuildFlags, env: Env, out: Out): Promise<void> {
  const customers = parseRebuildFlags(name, flags);
  try {
    const job = await withOps(env, (ops) => rebuild(ops, name, customers, flags, out));
    if (job.state === 'failed') throw new Error(`rebuild job ${job.id} failed: ${job.error ?? 'unknown error'}`);
  } catch (e) {
    if (e instanceof OpsError && (e.code === OpsErrorCode.UnknownProjection || e.code === OpsErrorCode.InvalidRequest)) throw new UsageError(e.message);
    throw e;
  }
}
