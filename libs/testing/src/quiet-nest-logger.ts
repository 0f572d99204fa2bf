/**
 * Jest setup (every project): Nest's default console logger prints `debug` and `verbose`, so
 * code logging per record at debug (the outbox relay, one line per derived event) floods the
 * test output when it runs without an app's pino logger. Tests keep log/warn/error/fatal; a
 * test that asserts a debug line injects its own logger.
 */
import { Logger } from '@nestjs/common';

Logger.overrideLogger(['log', 'warn', 'error', 'fatal']);
