import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectEventually } from '@c360/testing';
import { moneyMoved } from '../../ingestor/test/fixtures';
import { createPipelineEnv, produceRaw, startIngestor, storedEvents, type PipelineEnv } from '../../ingestor/test/pipeline-harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function c360(args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['apps/cli/bin/c360.js', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Listed {
  readonly id: string;
  readonly status: string;
  readonly reason: { readonly code: string };
  readonly blocksCustomer: string | null;
}

/**
 * A real ingestor on the real broker dead-letters an invalid event and parks that customer's
 * later events; the CLI (a separate process, on the same database) lists it, refuses a repair
 * that is still invalid, re-drives the repaired event and so releases the customer, in order.
 */
describe('c360 dead-letters (real ingestor, broker and PostgreSQL)', () => {
  let p: PipelineEnv;
  let ingestor: NestFastifyApplication;

  beforeAll(async () => {
    p = await createPipelineEnv('cli-dlq', 1);
    ingestor = await startIngestor(p);
  });

  afterAll(async () => {
    await ingestor?.close();
    await p?.cleanup();
  });

  it('lists, inspects, re-drives (with a repaired event) and discards through the CLI; the held customer is released in order', async () => {
    const original = moneyMoved('C700', 1);
    const bad = { ...original, data: { ...(original['data'] as Record<string, unknown>), currency: 'yuan' } };
    const after = [moneyMoved('C700', 2), moneyMoved('C700', 3)];
    const other = moneyMoved('C800', 1);
    await produceRaw(p.topic, [
      { key: 'x', value: '{"not": "an event"' },
      { key: 'customer:C700', value: JSON.stringify(bad) },
      ...after.map((e) => ({ key: 'customer:C700', value: JSON.stringify(e) })),
      { key: 'customer:C800', value: JSON.stringify(other) },
    ]);
    await expectEventually(async () => {
      const rows = await storedEvents(p.db);
      expect(rows.filter((r) => r.streamId === 'customer-C800')).toHaveLength(1);
      const parked = await p.db.pool.query("SELECT 1 FROM ingestor.parked_events WHERE subject = 'customer:C700'");
      expect(parked.rowCount).toBe(2);
    }, { timeoutMs: 30_000, intervalMs: 200 });

    // list: both open dead letters; --customer narrows to the one holding C700.
    const all = await c360(['dead-letters', 'list', '--json'], p.env);
    expect(all.status).toBe(0);
    const items = (JSON.parse(all.stdout) as { items: Listed[] }).items;
    expect(items.map((d) => [d.reason.code, d.blocksCustomer])).toEqual([['UNDECODABLE', null], ['INVALID_EVENT', 'C700']]);
    const held = await c360(['dead-letters', 'list', '--json', '--customer', 'C700'], p.env);
    const heldItems = (JSON.parse(held.stdout) as { items: Listed[] }).items;
    expect(heldItems).toHaveLength(1);
    const id = heldItems[0]?.id ?? '';
    const table = await c360(['dead-letters', 'list'], p.env);
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+open\\s+INVALID_EVENT\\s+C700`, 'm'));
    const parked = await c360(['dead-letters', 'parked', '--json'], p.env);
    expect(JSON.parse(parked.stdout)).toMatchObject({ items: [{ subject: 'customer:C700', count: 2 }] });

    // show: the original bytes, whole.
    const shown = await c360(['dead-letters', 'show', id], p.env);
    expect(Buffer.from((JSON.parse(shown.stdout) as { rawBase64: string }).rawBase64, 'base64').toString('utf8')).toBe(JSON.stringify(bad));

    // re-drive without a repair: the original is still invalid — refused, nothing changes.
    const refused = await c360(['dead-letters', 'redrive', id], p.env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('the original is still not ingestible (INVALID_EVENT); send a repaired event');
    // a repair that is still invalid names the field.
    const stillBad = path.join(p.env['C360_DATA_DIR'] ?? '', 'still-bad.json');
    writeFileSync(stillBad, JSON.stringify(bad));
    const invalid = await c360(['dead-letters', 'redrive', id, '--file', stillBad], p.env);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('/data/currency');
    expect(invalid.stderr).toContain('Nothing was changed.');
    expect((await storedEvents(p.db)).filter((r) => r.streamId === 'customer-C700')).toEqual([]);

    // the repaired event goes in first, then the two that waited behind it, in order.
    const repairedFile = path.join(p.env['C360_DATA_DIR'] ?? '', 'repaired.json');
    writeFileSync(repairedFile, JSON.stringify(original));
    const redriven = await c360(['dead-letters', 'redrive', id, '--file', repairedFile, '--json'], p.env);
    expect(redriven.stderr).toBe('');
    expect(redriven.status).toBe(0);
    expect(JSON.parse(redriven.stdout)).toEqual({ id, status: 'redriven', appended: 3, parked: 0 });
    const c700 = (await storedEvents(p.db)).filter((r) => r.streamId === 'customer-C700');
    expect(c700.map((r) => r.eventId)).toEqual([original, ...after].map((e) => e['eventId']));
    expect(JSON.parse((await c360(['dead-letters', 'parked', '--json'], p.env)).stdout)).toEqual({ items: [] });

    // a second re-drive is a usage mistake; the garbage one can be discarded.
    const again = await c360(['dead-letters', 'redrive', id, '--file', repairedFile], p.env);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`dead letter ${id} is redriven: only open dead letters can be re-driven or discarded`);
    const garbageId = items[0]?.id ?? '';
    const discarded = await c360(['dead-letters', 'discard', garbageId], p.env);
    expect(discarded.status).toBe(0);
    expect(discarded.stdout).toContain(`dead letter ${garbageId} discarded`);
    expect((await c360(['dead-letters', 'list'], p.env)).stdout).toContain('no open dead letters');
    const everything = JSON.parse((await c360(['dead-letters', 'list', '--status', 'all', '--json'], p.env)).stdout) as { items: Listed[] };
    expect(everything.items.map((d) => d.status)).toEqual(['discarded', 'redriven']);
    expect((await c360(['dead-letters', 'show', '999999'], p.env)).stderr).toContain('no such dead letter');
  }, 240_000);
});
