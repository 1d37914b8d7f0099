// Reading a process's /metrics as tests and benchmarks do: one series' value, over HTTP.

/**
 * The value of the series `name` on a /metrics page, summed over the series whose text contains `labels` (say
 * `grpc_method="BatchGetFactorials"`); 0 when none does.
 */
export async function scrape(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
