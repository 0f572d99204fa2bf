export * from './projection-tables';
export * from './blue-green';
export * from './scoped-refold';
