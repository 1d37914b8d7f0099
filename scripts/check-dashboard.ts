// npm run check:dashboard: runs every query of the Grafana dashboard against a real Prometheus scraping the real
// stack under traffic, and fails on a query that errors or returns nothing; that Prometheus also evaluates the
// alert rules (deploy/grafana/alerts.yml), and the check fails on a rule that errors, or fires on this healthy
// traffic. Needs a `prometheus` binary on PATH (Debian: apt-get install prometheus); not part of npm test.
// Loopback only; every loop is bounded.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startProcesses, freePort, type Processes } from '../harness/processes';

const ROOT = path.resolve(__dirname, '..');
const DASHBOARD = path.join(ROOT, 'deploy/grafana/dashboards/graphql-grpc-factorial.json');
const TRAFFIC_MS = 25_000;

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

async function traffic(processes: Processes, until: number): Promise<number> {
  const url = `${processes.gatewayUrl}/graphql`;
  const post = (query: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then((r) => r.text());
  let sent = 0;
  for (let i = 0; Date.now() < until && i < 100_000; i++) {
    const n = 50 + (i % 900);
    await Promise.all([
      post(`{ a: ncr(n: ${n}, r: ${n >> 1}) b: ncr(n: ${n + 1}, r: 3) }`),
      fetch(`${processes.gatewayUrl}/api/ncr/${n}/${i % n}`).then((r) => r.text()),
      fetch(`${processes.gatewayUrl}/api/ncr/100/50`).then((r) => r.text()),
      i % 10 === 0 ? post('{ ncr(n: 5, r: 7) }') : Promise.resolve(''),
      i % 50 === 0 ? post(`{ factorial(n: ${20_000 + i}) }`) : Promise.resolve(''),
    ]);
    sent += 3;
  }
  return sent;
}

async function query(base: string, expr: string): Promise<{ ok: boolean; series: number; detail: string }> {
  const promql = expr.replaceAll('$__rate_interval', '15s');
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: { value: [number, string] }[] } };
  if (body.status !== 'success') return { ok: false, series: 0, detail: body.error ?? 'query failed' };
  const values = (body.data?.result ?? []).map((r) => Number(r.value[1]));
  const finite = values.filter((v) => Number.isFinite(v));
  return {
    ok: finite.length > 0,
    series: values.length,
    detail: finite
      .slice(0, 3)
      .map((v) => v.toPrecision(3))
      .join(', '),
  };
}

async function main(): Promise<void> {
  if (spawnSync('prometheus', ['--version']).status !== 0) {
    console.error('check:dashboard needs a prometheus binary on PATH (Debian: apt-get install prometheus)');
    process.exit(2);
  }
  const processes = await startProcesses();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-'));
  let prometheus: ChildProcess | undefined;
  try {
    const metricsPort = new URL(processes.factorialMetricsUrl).port;
    const mathPort = new URL(processes.mathMetricsUrl).port;
    const gatewayPort = new URL(processes.gatewayMetricsUrl).port;
    // The committed scrape config, with the compose names swapped for this machine's loopback ports.
    const config = fs
      .readFileSync(path.join(ROOT, 'deploy/grafana/prometheus.yml'), 'utf8')
      .replace(/scrape_interval: \d+s/, 'scrape_interval: 1s')
      .replace(
        /dns_sd_configs:\n\s+- names: \['factorial'\]\n\s+type: A\n\s+port: 9464\n\s+refresh_interval: 10s/,
        `static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']`,
      )
      .replace("'math:4001'", `'127.0.0.1:${mathPort}'`)
      .replace("'primes:4002'", `'127.0.0.1:${new URL(processes.primesMetricsUrl).port}'`)
      .replace("'gateway:9465'", `'127.0.0.1:${gatewayPort}'`);
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
    // Its rule_files name alerts.yml beside it.
    fs.copyFileSync(path.join(ROOT, 'deploy/grafana/alerts.yml'), path.join(dir, 'alerts.yml'));
    const promPort = await freePort();
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    const base = `http://127.0.0.1:${promPort}`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${base}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sent = await traffic(processes, Date.now() + TRAFFIC_MS);
    console.log(`sent ${sent} requests over ${TRAFFIC_MS / 1000} s; querying Prometheus`);

    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
    let failed = 0;
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      for (const { expr } of panel.targets ?? []) {
        const result = await query(base, expr);
        if (!result.ok) failed++;
        console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${panel.title}: ${result.series} series [${result.detail}]\n     ${expr}`);
      }
    }
    console.log(failed === 0 ? 'every dashboard query returned data' : `${failed} queries returned no data`);

    const rules = (await (await fetch(`${base}/api/v1/rules?type=alert`)).json()) as {
      data: { groups: { rules: { name: string; health: string; state: string; lastError?: string }[] }[] };
    };
    const alerts = rules.data.groups.flatMap((g) => g.rules);
    const bad = alerts.filter((rule) => rule.health !== 'ok' || rule.state === 'firing');
    for (const rule of alerts)
      console.log(
        `${bad.includes(rule) ? 'FAIL' : 'ok  '} alert ${rule.name}: ${rule.health}, ${rule.state}${rule.lastError ? ` (${rule.lastError})` : ''}`,
      );
    const rulesOk = alerts.length > 0 && bad.length === 0;
    console.log(rulesOk ? `${alerts.length} alert rules evaluate, none firing` : 'an alert rule errors, fires, or none loaded');
    process.exitCode = failed === 0 && rulesOk ? 0 : 1;
  } finally {
    prometheus?.kill('SIGTERM');
    await processes.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
