/**
 * A configuration that cannot run. `problems` holds one line per bad setting, each naming
 * the setting and the fix; the message is what the process prints before exiting.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: readonly string[],
    /** The settings (environment variables) the problems name, where known, in the problems' order. */
    readonly settings: readonly string[] = [],
  ) {
    super(problems.map((p) => `Invalid configuration: ${p}`).join('\n'));
  }
}

/** Exit status for a configuration error (EX_CONFIG from sysexits.h). */
export const CONFIG_ERROR_EXIT_CODE = 78;
