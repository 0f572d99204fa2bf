import { withOps } from './ops-session';
import { UsageError } from '../usage-error';

type Env = Readonly<Record<string, string | undefined>>;
type Out = (line: string) => void;

export function parseDeep(raw: string | undefined): 'all' | number {
  if (raw === undefined) return 200;
  if (raw === 'all') return 'all';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--deep must be "all" or a number of customers to refold (0 to skip), e.g. --deep 500; got "${raw}"`);
  return n;
}

/** Exit status 1 when anything disagrees; every disagreeing customer is named. */
export async function runVerify(opts: { deep?: string; json: boolean }, env: Env, out: Out): Promise<boolean> {
  const deep = parseDeep(opts.deep);
  const results = await withOps(env, (ops) => ops.verify.readModels({ deep }));
  const findings = results.flatMap((r) => r.findings);
  if (opts.json) out(JSON.stringify({ ok: findings.length === 0, readModels: results }));
  else {
    for (const r of results)
      out(`${r.projection}: ${r.checkedCustomers} customers reconciled with the store (up to ${r.upTo.lowest}), ${r.deepChecked} refolded, ${r.findings.length} disagree`);
    for (const f of findings) out(`  DISAGREES ${f.projection} customer ${f.customerId}: ${f.problem} — ${f.detail}`);
    out(findings.length === 0 ? 'verify: OK' : `verify: FAILED (${findings.length} disagreements)`);
  }
  return findings.length === 0;
}
