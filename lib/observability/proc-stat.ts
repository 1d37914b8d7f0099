// CPU time from Linux's /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat (stat(5)), for a process or one thread.

/** The kernel reports CPU time in clock ticks of 1/USER_HZ s; USER_HZ is 100 on every Linux architecture Node runs on. */
const MS_PER_TICK = 10;

/** User plus system CPU time (ms) in the text of a stat file; NaN if the text is not one. */
export function cpuMsFromStat(stat: string): number {
  // The command name, in parentheses, may hold spaces and ')': fields are counted from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), utime and stime, are the 12th and 13th after the ')'.
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}
