#!/usr/bin/env node
// `npm start`'s prestart: builds the operator console when apps/console/dist is missing or
// older than its sources (a stat walk: milliseconds when up to date). Builds into a temporary
// folder and swaps it in, so a platform serving the old build never sees a half-written one.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const sources = ['src', 'index.html', 'vite.config.mts', 'tsconfig.json'].map((p) =>
  path.join(root, p),
);

function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, name) => Math.max(m, newest(path.join(p, name))), st.mtimeMs);
}

function builtAt() {
  try {
    return fs.statSync(path.join(dist, 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

const force = process.argv.includes('--force');
if (!force && builtAt() >= Math.max(...sources.map(newest))) process.exit(0);

const tmp = path.join(root, `.dist-${process.pid}`);
process.stderr.write('Building the operator console (apps/console)…\n');
const vite = path.join(root, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');
const r = spawnSync(
  process.execPath,
  [vite, 'build', root, '--outDir', tmp, '--emptyOutDir', '--logLevel', 'warn'],
  { stdio: 'inherit' },
);
if (r.status !== 0) {
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(
    'The operator console did not build (the platform starts anyway; /console says so).\n',
  );
  process.exit(force ? 1 : 0);
}
const old = path.join(root, `.dist-old-${process.pid}`);
try {
  if (fs.existsSync(dist)) fs.renameSync(dist, old);
  fs.renameSync(tmp, dist);
} catch (e) {
  // Another build swapped first: theirs is as good as ours.
  if (!fs.existsSync(dist)) throw e;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(old, { recursive: true, force: true });
}
