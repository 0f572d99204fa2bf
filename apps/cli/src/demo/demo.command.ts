import type { AppConfig } from '@c360/config';
import { parseDemoOptions, type RawDemoOptions } from './demo-options';
import { runDemo } from './run-demo';

/** `c360 demo`: progress on stderr (one updating line on a terminal), the summary on stdout. */
export async function runDemoCommand(raw: RawDemoOptions, config: AppConfig): Promise<void> {
  const options = parseDemoOptions(raw, { url: `http://127.0.0.1:${config.http.port}`, now: new Date() });
  const tty = process.stderr.isTTY === true;
  let lastLineAt = 0;
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ndemo: stopping after the requests in flight (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await runDemo(
      options,
      config,
      {
        progress: (line, final) => {
          if (tty) {
            process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
          } else if (final || Date.now() - lastLineAt >= 5_000) {
            lastLineAt = Date.now();
            process.stderr.write(`${line}\n`);
          }
        },
        summary: (text) => process.stdout.write(text),
      },
      controller.signal,
    );
    if (!result.ok) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
