/** Operator features (issue 6): status, blue/green rebuilds, verify, replay — plain services, a Nest module, CLI entry points. */
export * from './ops.errors';
export * from './ops-store';
export * from './ops-context';
export * from './event-store-stats';
export * from './status/projection-status.reader';
export * from './status/worker-status.publisher';
export * from './rebuild/rebuild-job';
export * from './rebuild/rebuild.service';
export * from './rebuild/rebuild-executor';
export * from './verify/verify.service';
export * from './replay/replay.service';
export * from './replay/replay-window';
export * from './replay/replay-message';
export * from './replay/create-replay';
export * from './http/ops.module';
export * from './http/ops.controller';
export * from './http/ops.tokens';
