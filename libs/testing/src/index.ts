export {};
export * from './postgres';
export * from './expect-eventually';
export * from './kafka';
export * from './tcp-proxy';
export * from './private-postgres';
export * from './free-port';
