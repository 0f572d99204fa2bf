// Child process of the event-store bench: reads every event through readAll, prints peak RSS.
import { Pool } from 'pg';
import { PostgresEventStore } from '@c360/event-store';

async function main(): Promise<void> {
  const [url, expected] = process.argv.slice(2);
  const pool = new Pool({ connectionString: url, max: 2 });
  const store = new PostgresEventStore(pool, { pageSize: 1000 });
  let read = 0;
  for await (const _e of store.readAll()) read++;
  await store.close();
  await pool.end();
  if (read !== Number(expected)) throw new Error(`read ${read}, expected ${expected}`);
  console.log(JSON.stringify({ read, rssMb: process.resourceUsage().maxRSS / 1024 }));
}
void main();
