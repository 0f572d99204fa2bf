import { runPlatform } from './run-platform';

const USAGE =
  'Usage: npm start [-- --fresh] [--demo [--demo-customers N]]\n' +
  '  --fresh               wipe the embedded database first\n' +
  '  --demo                once ready, stream synthetic bank traffic through the API (10,000 customers)\n' +
  '  --demo-customers N    how many synthetic customers the demo streams (implies --demo)\n';

// `npm start [-- --fresh] [--demo [--demo-customers N]]`: the all-in-one platform. `c360 start` runs the same thing.
const args = process.argv.slice(2);
let fresh = false;
let demo = false;
let demoCustomers: string | undefined;
for (let i = 0; i < args.length; i += 1) {
  const arg = args[i] ?? '';
  if (arg === '--fresh') fresh = true;
  else if (arg === '--demo') demo = true;
  else if (arg === '--demo-customers' || arg.startsWith('--demo-customers=')) {
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[(i += 1)];
    if (value === undefined || value === '') {
      process.stderr.write(`--demo-customers needs a number, e.g. --demo-customers 2000.\n${USAGE}`);
      process.exit(2);
    }
    demo = true;
    demoCustomers = value;
  } else {
    process.stderr.write(`Unknown option "${arg}".\n${USAGE}`);
    process.exit(2);
  }
}
void runPlatform({ fresh, demo, ...(demoCustomers === undefined ? {} : { demoCustomers }) });
