import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
export { freePort } from '@c360/testing';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A platform started as a user starts it, with its output kept for assertions and diagnostics. */
export interface PlatformProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once every process holding the output pipes has ended (npm, its wrapper and the platform). */
  closed: Promise<void>;
}

/** `command` is ['npm', 'start'] or ['node', 'apps/cli/bin/c360.js', 'start'], run in the checkout. */
export function launch(command: readonly string[], env: Record<string, string | undefined>, port: number | string): PlatformProcess {
  const [cmd, ...args] = command;
  // A test launcher passes its environment on to the child.
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
  const closed = new Promise<void>((resolve) => {
    child.on('close', () => resolve());
  });
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => out, exited, closed };
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

/**
 * Stops `npm start` the way a terminal (Ctrl-C) or a service manager (systemd's control-group
 * kill) does: the signal goes to the whole process group. npm exits at once on a signal, so its
 * exit status says nothing; the platform's clean exit is its "stopped" line (logged just
 * before exit 0) and every process of the tree gone (the output pipes closed).
 */
export async function stopProcessGroup(p: PlatformProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000): Promise<void> {
  process.kill(-(p.child.pid ?? 0), signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`the platform did not stop within ${timeoutMs} ms of ${signal}:\n${p.output()}`)), timeoutMs);
  });
  try {
    await Promise.race([p.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (!p.output().includes('"msg":"stopped"')) throw new Error(`the platform exited without a clean stop:\n${p.output()}`);
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

/** Runs the project's CLI (`node apps/cli/bin/c360.js …`) to completion, as a user types it. */
export function runCli(args: readonly string[], env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // A test launcher passes its environment on to the child.
  const base = { ...process.env };
  delete base['DATABASE_URL'];
  delete base['KAFKA_BROKERS'];
  delete base['NODE_ENV'];
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['apps/cli/bin/c360.js', ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`c360 ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls an async check until it returns a value (not undefined); never a fixed sleep. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A JSON request to the running platform with a bearer token. */
export async function api(p: PlatformProcess, token: string, method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${p.baseUrl}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text.length > 0 ? (JSON.parse(text) as unknown) : null };
}
