/**
 * Fault-test fixture: a process that mounts the OpsModule as the platform does (a Nest
 * application context), so its start-up takes over rebuilds whose process died. Prints JSON
 * lines: `started`, then one `resumed` per job it takes over. Env: DATABASE_URL,
 * PROJECTOR_PARTITIONS, PROJECTOR_BULK_MIN_EVENTS / PROJECTOR_BULK_CHUNK_EVENTS (bulk rebuilds). SIGTERM: shuts down (after the job in hand ends).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { LoggerService } from '@nestjs/common';
import { OpsModule } from '../src/ops/index';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { defaultProjection } from '../src/projector';

const print = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const lineLogger: LoggerService = {
  log(message: unknown): void {
    const m = /^resuming rebuild job ([0-9a-f-]{36})/.exec(String(message));
    if (m) print({ kind: 'resumed', jobId: m[1] });
  },
  error(message: unknown): void {
    print({ kind: 'error', message: String(message) });
  },
  warn: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(
    OpsModule.forRoot({
      databaseUrl: process.env['DATABASE_URL'] ?? '',
      readModelSchema: 'read_models',
      eventStoreSchema: 'event_store',
      definitions: [defaultProjection(parseDerivedConfig({}))],
      defaultPartitions: Number(process.env['PROJECTOR_PARTITIONS'] ?? '16'),
      batch: { maxSize: 200, maxLatencyMs: 5 },
      bulk: { minEvents: Number(process.env['PROJECTOR_BULK_MIN_EVENTS'] ?? '0'), chunkEvents: Number(process.env['PROJECTOR_BULK_CHUNK_EVENTS'] ?? '4000') },
      resumeOrphans: { intervalMs: 500, staleAfterMs: 3_000 },
    }),
    { logger: lineLogger },
  );
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
  print({ kind: 'started' });
}

void main().catch((e: unknown) => {
  print({ kind: 'start-failed', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
