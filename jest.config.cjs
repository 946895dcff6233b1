// Test tiers (DESIGN.md §6). `make test` runs them in order; each runs alone with
//   npx jest --selectProjects unit|contract|integration|cluster
const common = {
  transform: {'\\.[cm]?[jt]s$': '<rootDir>/build/jest-transform.cjs'},
  // ESM-only dependencies (execa) must be compiled too; the transform skips CommonJS.
  transformIgnorePatterns: [],
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  testEnvironment: 'node',
  // unicorn-magic (used by execa) exports only an "import" condition.
  moduleNameMapper: {'^unicorn-magic$': '<rootDir>/node_modules/unicorn-magic/node.js'},
};
const project = (name, extra = {}) => ({
  ...common, displayName: name, testMatch: [`<rootDir>/test/${name}/**/*.test.ts`], ...extra,
});
module.exports = {
  projects: [project('unit'), project('contract'), project('integration'), project('cluster')],
};
