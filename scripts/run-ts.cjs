#!/usr/bin/env node
// Runs a TypeScript entry point through @swc-node/register (decorator metadata and the
// tsconfig path aliases work; no build step). Usage: node scripts/run-ts.cjs <file.ts> [args…]
// Signals sent to this wrapper are passed on to the child, so `kill <npm pid>` still gives the
// program its graceful shutdown. The child has its own process group, and a signal repeated
// within a second is forwarded once: Ctrl-C reaches this wrapper both from the terminal and
// from npm, and must reach the program as one signal (a second one means "stop now").
const path = require('node:path');
const { spawn } = require('node:child_process');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.cjs <file.ts> [args…]');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const child = spawn(
  process.execPath,
  ['-r', path.join(root, 'scripts', 'register.cjs'), path.resolve(root, entry), ...args],
  { stdio: 'inherit', env: process.env, detached: true },
);
const lastSent = new Map();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - (lastSent.get(signal) ?? 0) < 1000) return;
    lastSent.set(signal, now);
    child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// npm 11 exits on SIGTERM without passing it on, which orphans this wrapper (its parent
// changes). Treat that as the stop request it was, so `kill <npm pid>` still stops the program.
const parent = process.ppid;
const orphanWatch = setInterval(() => {
  if (process.ppid !== parent && !lastSent.has('SIGTERM')) {
    lastSent.set('SIGTERM', Date.now());
    child.kill('SIGTERM');
  }
}, 500);
orphanWatch.unref();
