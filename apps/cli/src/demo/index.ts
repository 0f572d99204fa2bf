// The demo for `c360 demo` and for the platform's `npm start -- --demo`.
export { parseDemoOptions, type DemoOptions, type RawDemoOptions } from './demo-options';
export { mintDemoToken, progressLine, runDemo, type DemoOutput, type DemoRunResult } from './run-demo';
export { runDemoCommand } from './demo.command';
