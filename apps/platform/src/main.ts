import { runPlatform } from './run-platform';

// `npm start [-- --fresh]`: the all-in-one platform. The CLI's `c360 start` runs the same thing.
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--fresh');
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown option ${unknown.map((a) => `"${a}"`).join(', ')}. Usage: npm start [-- --fresh]  (--fresh wipes the embedded database first)\n`,
  );
  process.exit(2);
}
void runPlatform({ fresh: args.includes('--fresh') });
