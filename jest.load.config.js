// Jest for `npm run test:load`: the load test alone (it is not part of `npm test`).
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/load'], testPathIgnorePatterns: ['/node_modules/'], testTimeout: 300000 };
