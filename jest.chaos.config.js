// Jest for `npm run test:chaos`: the chaos suite alone (it is not part of `npm test`).
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/chaos'], testPathIgnorePatterns: ['/node_modules/'], testTimeout: 120000 };
