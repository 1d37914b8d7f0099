// Jest for `npm run test:fuzz`: the fuzz suite alone, after the others (part of `npm test`). It watches the event
// loop for stalls, and on a 2-core machine other test files' processes would stall it by taking the CPU.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/fuzz'], testPathIgnorePatterns: ['/node_modules/'] };
