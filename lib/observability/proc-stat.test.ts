import * as fs from 'node:fs';
import { cpuMsFromStat } from './proc-stat';

it("reads utime + stime from a stat line, whatever the command's name holds", () => {
  // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const rest = 'S 1 1 1 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 1 0 42';
  expect(cpuMsFromStat(`123 (node) ${rest}`)).toBe(420);
  expect(cpuMsFromStat(`123 (a) b (c) ${rest}`)).toBe(420);
  expect(cpuMsFromStat('not a stat line')).toBeNaN();
});

(process.platform === 'linux' ? it : it.skip)("reads this process's own stat file", () => {
  expect(cpuMsFromStat(fs.readFileSync('/proc/self/stat', 'utf8'))).toBeGreaterThanOrEqual(0);
});
