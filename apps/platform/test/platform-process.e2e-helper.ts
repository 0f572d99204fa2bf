import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A platform started as a user starts it, with its output kept for assertions and diagnostics. */
export interface PlatformProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `command` is ['npm', 'start'] or ['node', 'apps/cli/bin/c360.js', 'start'], run in the checkout. */
export function launch(command: readonly string[], env: Record<string, string | undefined>, port: number | string): PlatformProcess {
  const [cmd, ...args] = command;
  // eslint-disable-next-line no-restricted-syntax -- a test launcher passes its environment on to the child
  const base = { ...process.env };
  // Settings of the test runner's own environment must not leak into the platform under test.
  delete base['DATABASE_URL'];
  delete base['KAFKA_BROKERS'];
  delete base['NODE_ENV'];
  // Its own process group, so a test can signal the group the way Ctrl-C in a terminal does.
  const child = spawn(cmd ?? 'node', args, { cwd: ROOT, env: { ...base, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** Polls /health/ready until 200; fails with the process output if it exits or times out. */
export async function waitUntilReady(p: PlatformProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void p.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`platform exited before it was ready:\n${p.output()}`);
    try {
      const res = await fetch(`${p.baseUrl}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`platform not ready within ${timeoutMs} ms:\n${p.output()}`);
}

export async function stopGracefully(p: PlatformProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  p.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`platform did not exit within ${timeoutMs} ms of ${signal}:\n${p.output()}`)), timeoutMs);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until the check holds (never a fixed sleep). */
export async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The local token printed in the start-up banner. */
export function bannerToken(output: string): string {
  const m = /export C360_TOKEN=(\S+)/.exec(output);
  if (!m?.[1]) throw new Error(`no token in the banner:\n${output}`);
  return m[1];
}
