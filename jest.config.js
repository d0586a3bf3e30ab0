/** @type {import('jest').Config} */
const transform = {
  // Type-checking is `npm run typecheck`'s job; tests only transpile.
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
};
const moduleNameMapper = { '^nestjs-verifynow$': '<rootDir>/lib/index.ts' };

module.exports = {
  globalSetup: '<rootDir>/test/setup/redis.global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/redis.global-teardown.ts',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/lib'],
      testMatch: ['**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform,
      moduleNameMapper,
    },
  ],
};
