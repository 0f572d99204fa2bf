// Type-aware lint: floating promises and exhaustive switches are errors everywhere, tests included.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', 'coverage/**', 'artifacts/**', '**/*.cjs', '**/*.mjs', 'apps/cli/bin/**', 'apps/*/public/**', 'apps/console/dist/**', 'apps/console/.dist-*/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read process.env only in libs/config.' }],
    },
  },
  {
    files: ['libs/config/**', 'libs/testing/**', 'test/**', 'apps/*/test/**', 'bench/**', 'scripts/**', '**/*.spec.ts', 'apps/cli/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
