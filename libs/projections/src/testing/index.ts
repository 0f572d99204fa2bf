export * from './in-memory-projection-store';
export * from './synthetic-history';
export * from './expected-fold';
