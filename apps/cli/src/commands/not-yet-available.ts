import { USAGE_EXIT_CODE } from '../usage-error';

/** Commands whose feature has not landed: say so plainly and fail, rather than pretend. */
export function notYetAvailable(command: string, lands: string): never {
  process.stderr.write(`c360 ${command} is not yet available in this build (it arrives with ${lands}). Nothing was done.\n`);
  process.exit(USAGE_EXIT_CODE);
}
