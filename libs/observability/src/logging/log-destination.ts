import type { DestinationStream } from 'pino';

let destination: DestinationStream | undefined;

/**
 * Where the apps' JSON logs go: standard output unless a test redirected them (to assert on
 * log lines) with `setLogDestination`. Read when an application module is built.
 */
export function logDestination(): DestinationStream | undefined {
  return destination;
}

/** Test seam: send the logs of applications built from now on to `stream` (undefined: back to stdout). */
export function setLogDestination(stream: DestinationStream | undefined): void {
  destination = stream;
}
