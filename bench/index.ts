/**
 * `npm run bench -- <suite> [options]`: runs one benchmark suite. Every figure is printed
 * as one JSON line {bench, value, unit, baseline, ratio, target}, where `ratio` is the value
 * against a baseline measured in the same run, oriented so that higher is better.
 */
import { SUITES } from './suites';

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const suite = name ? SUITES[name] : undefined;
  if (!suite) {
    console.error(`usage: npm run bench -- <suite> [--quick]\nsuites: ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  await suite.run(rest);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
