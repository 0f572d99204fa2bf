/** Dependency rules: the architecture in HOUSE-STYLE.md, checked in CI. */
const lib = (name) => `^libs/${name}/`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'contracts-imports-nothing',
      comment: 'libs/contracts is the innermost layer: plain TypeScript only.',
      severity: 'error',
      from: { path: lib('contracts') },
      to: { path: '^(libs|apps)/', pathNot: lib('contracts') },
    },
    {
      name: 'domain-is-pure',
      comment: 'libs/customer-domain imports only @c360/contracts: no framework, no I/O.',
      severity: 'error',
      from: { path: lib('customer-domain'), pathNot: '\\.spec\\.ts$' },
      to: {
        pathNot: ['^libs/(contracts|customer-domain)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-other-apps',
      comment: 'Only the platform app composes the others (tests that cross apps may, for now).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: ['^apps/(platform|cli)/', '^apps/[^/]+/test/'] },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'only-read-models-imports-typeorm',
      severity: 'error',
      from: { path: '^(libs|apps)/', pathNot: ['^libs/read-models/', '^apps/[^/]+/src/.*module\\.ts$', '\\.spec\\.ts$'] },
      to: { path: 'node_modules/typeorm/' },
    },
    {
      name: 'no-deep-lib-imports',
      comment: 'Import a lib through its public entry (@c360/x), never its internals.',
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/', pathNot: '\\.spec\\.ts$' },
      to: {
        path: '^libs/([^/]+)/src/.+',
        pathNot: ['^libs/$2/', '^libs/[^/]+/src/index\\.ts$', '^libs/[^/]+/src/testing/index\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: ['node_modules', 'dist', '\\.cache'] },
  },
};
