export * from './events/catalogue.v1';
export * from './streams';
