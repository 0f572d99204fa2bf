#!/usr/bin/env node
// `npm test`: every jest project (unit, integration, e2e), then one plain totals line:
// "N passed, N failed" (skipped tests are counted and printed too, never silent).
// Extra arguments go to jest, e.g. `npm test -- --selectProjects unit`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'c360-jest-')), 'results.json');
// Most integration time is spent waiting on real brokers and databases, not on the CPU: two
// workers on a 2-core machine roughly halve the wall time. C360_TEST_WORKERS overrides it.
const workers = process.env.C360_TEST_WORKERS || '2';
const args = [
  path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
  `--maxWorkers=${workers}`,
  '--json',
  `--outputFile=${out}`,
  ...process.argv.slice(2),
];
const res = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env: process.env });

let passed = 0;
let failed = 0;
let skipped = 0;
let suitesFailed = 0;
try {
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  // A suite that fails to load has no failed tests of its own: count it as one failure.
  suitesFailed = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  for (const s of r.testResults) {
    for (const t of s.assertionResults) {
      if (t.status === 'pending' || t.status === 'todo') {
        console.log(`skipped: ${path.relative(root, s.name)} › ${t.fullName}`);
      }
    }
  }
} catch (e) {
  console.error(`could not read jest results (${e.message})`);
  failed += 1;
}
failed += suitesFailed;
if (res.status !== 0 && failed === 0) failed = 1; // jest failed for a reason no test shows
const tail = skipped ? `, ${skipped} skipped` : '';
console.log(`${passed} passed, ${failed} failed${tail}`);
process.exit(failed > 0 ? 1 : 0);
