import type { AppConfig } from '@c360/config';
import type { KafkaVerification, OpsKafkaOptions, ProjectionVerification } from '../../../projector/src/ops/index';
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

export interface VerifyFlags {
  readonly deep?: string;
  readonly json: boolean;
  /** true: --kafka (required), false: --no-kafka, undefined: when KAFKA_BROKERS is set. */
  readonly kafka?: boolean;
}

/** Which Kafka settings the Kafka half uses (null: skip it); a usage error when --kafka has no broker. */
export function kafkaForVerify(flag: boolean | undefined, config: AppConfig | undefined): OpsKafkaOptions | null {
  if (flag === false) return null;
  const brokers = config?.kafka.brokers;
  if (!config || !brokers || brokers.length === 0) {
    if (flag === true) throw new UsageError('--kafka needs KAFKA_BROKERS: the broker whose events topic verify reads, e.g. KAFKA_BROKERS=127.0.0.1:9092 npx c360 verify --kafka');
    return null;
  }
  return { ...config.kafka, brokers };
}

function printKafka(k: KafkaVerification, out: Out): void {
  const incomplete = k.partitions.filter((p) => !p.complete);
  out(
    `kafka ${k.topics.join(', ')}: ${k.records} records up to the high-water marks of ${k.partitions.length} partitions — ${k.stored} stored, ` +
      `${k.deadLettered} dead-lettered, ${k.pending} parked (pending), ${k.findingsTotal} not in the store`,
  );
  for (const f of k.findings)
    out(`  ${f.problem === 'not-ingested' ? 'NOT INGESTED' : 'MISSING'} kafka ${f.topic} partition ${f.partition} offset ${f.offset}${f.customerId ? ` customer ${f.customerId}` : ''}: ${f.detail}`);
  if (k.findingsTotal > k.findings.length) out(`  … and ${k.findingsTotal - k.findings.length} more`);
  for (const p of incomplete) out(`  INCOMPLETE kafka ${p.topic} partition ${p.partition}: could not read up to offset ${p.to} in time`);
}

/**
 * Exit status 1 when anything disagrees: every disagreeing customer is named, and every
 * record of the raw topic that is not in the store (by partition, offset and customer).
 */
export async function runVerify(opts: VerifyFlags, env: Env, out: Out, config?: AppConfig): Promise<boolean> {
  const deep = parseDeep(opts.deep);
  const kafka = kafkaForVerify(opts.kafka, config);
  const { results, kafkaResult } = await withOps(
    env,
    async (ops) => {
      const results: ProjectionVerification[] = await ops.verify.readModels({ deep });
      const kafkaResult = kafka && ops.kafkaVerify ? await ops.kafkaVerify.verify() : null;
      return { results, kafkaResult };
    },
    kafka ?? undefined,
  );
  const findings = results.flatMap((r) => r.findings);
  const kafkaOk = kafkaResult === null || (kafkaResult.findingsTotal === 0 && kafkaResult.complete);
  const ok = findings.length === 0 && kafkaOk;
  if (opts.json) out(JSON.stringify({ ok, readModels: results, kafka: kafkaResult }));
  else {
    for (const r of results)
      out(`${r.projection}: ${r.checkedCustomers} customers reconciled with the store (up to ${r.upTo.lowest}), ${r.deepChecked} refolded, ${r.findings.length} disagree`);
    for (const f of findings) out(`  DISAGREES ${f.projection} customer ${f.customerId}: ${f.problem} — ${f.detail}`);
    if (kafkaResult) printKafka(kafkaResult, out);
    else out('kafka: not checked (KAFKA_BROKERS is not set, or --no-kafka)');
    const problems = findings.length + (kafkaResult?.findingsTotal ?? 0);
    out(ok ? 'verify: OK' : `verify: FAILED (${problems} disagreements${kafkaResult && !kafkaResult.complete ? ', Kafka read incomplete' : ''})`);
  }
  return ok;
}
