// Jest runs TypeScript (and the ESM-only @nestjs packages) through swc, CommonJS out.
// Three tiers by suffix: *.unit.spec.ts (pure), *.int.spec.ts (real PostgreSQL/Kafka),
// *.e2e.spec.ts (processes started as a user would).
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const common = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['^(?!.*/node_modules/(@nestjs|cookie|jose)/).*/node_modules/'],
  moduleNameMapper: {
    '^@c360/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@c360/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.cache/'],
  setupFiles: ['<rootDir>/libs/testing/src/quiet-nest-logger.ts'],
};
module.exports = {
  // testTimeout is a global option (ignored inside projects): unit tests are fast anyway.
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.unit.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int.spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.cjs',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.cjs',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.cjs',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.cjs',
    },
  ],
};
