// Child process of the event-store bench: the baseline, a raw cursor over the events table.
import { Pool } from 'pg';
import Cursor from 'pg-cursor';

async function main(): Promise<void> {
  const [url, expected] = process.argv.slice(2);
  const pool = new Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  const cursor = client.query(new Cursor('SELECT * FROM event_store.events'));
  let read = 0;
  for (;;) {
    const rows = await cursor.read(1000);
    if (rows.length === 0) break;
    read += rows.length;
  }
  await cursor.close();
  client.release();
  await pool.end();
  if (read !== Number(expected)) throw new Error(`read ${read}, expected ${expected}`);
  console.log(JSON.stringify({ read, rssMb: process.resourceUsage().maxRSS / 1024 }));
}
void main();
