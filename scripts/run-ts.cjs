#!/usr/bin/env node
// Runs a TypeScript entry point through @swc-node/register (decorator metadata and the
// tsconfig path aliases work; no build step). Usage: node scripts/run-ts.cjs <file.ts> [args…]
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.cjs <file.ts> [args…]');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const res = spawnSync(
  process.execPath,
  ['-r', path.join(root, 'scripts', 'register.cjs'), path.resolve(root, entry), ...args],
  { stdio: 'inherit', env: process.env },
);
process.exit(res.status ?? (res.signal ? 1 : 0));
