import type { RunnerEvent, RunnerHooks } from '@c360/projections';

interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Runner events worth a log line in the projector process: state changes (a failure as an
 * error) and retried batches with their cause (an error code and the driver's message: no
 * event data). Committed batches are counted in /metrics, not logged.
 */
export function runnerLogHooks(logger: RunnerLogger): RunnerHooks {
  return {
    onEvent: (event: RunnerEvent): void => {
      switch (event.kind) {
        case 'state':
          if (event.state === 'failed') logger.error('a projection runner failed after repeated errors (the retries above say why; GET /v1/ops/projections shows the last one)');
          else logger.log(`a projection runner is ${event.state}`);
          return;
        case 'retry':
          logger.warn(`batch retry ${event.attempt} in ${event.delayMs} ms: ${event.failure.kind} ${event.failure.code ?? ''} ${event.failure.message}`.replace(/\s+/g, ' '));
          return;
        case 'fenced':
          logger.warn(`lease moved: writes to partitions ${event.partitions.join(',')} were refused (another worker holds them)`);
          return;
        case 'committed':
          return;
      }
    },
  };
}
