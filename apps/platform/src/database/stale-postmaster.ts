import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * After a hard kill of the platform, its embedded PostgreSQL keeps running (it is a separate
 * process) and postmaster.pid stays behind. Stop that server if it still runs on this data
 * directory, so the next start can take the directory over. Returns what it did, for the log.
 */
export async function stopStalePostmaster(dataDir: string): Promise<'none' | 'stopped' | 'removed-stale-pid'> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch {
    return 'none';
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 1 && (await isPostgresOn(pid, dataDir))) {
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
    return 'stopped';
  }
  // The pid is gone or now belongs to another program: the file is stale.
  await fs.rm(pidFile, { force: true });
  return 'removed-stale-pid';
}

async function isPostgresOn(pid: number, dataDir: string): Promise<boolean> {
  try {
    const cmdline = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return cmdline.some((arg) => arg.endsWith('postgres')) && cmdline.includes(dataDir);
  } catch {
    // No /proc (macOS) or no such process: fall back to "is something alive with that pid".
    if (existsSync('/proc')) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
