// The Grafana dashboard and the Prometheus scrape config checked against what the services really expose:
// every panel's query parses and selects metrics the jobs it names expose, and the scrape targets are the compose
// services' ports.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadGatewayConfig } from '../gateway/src/config';
import { loadFactorialConfig } from '../services/factorial/src/config';
import { loadMathConfig } from '../subgraphs/math/src/config';
import { loadPrimesConfig } from '../subgraphs/primes/src/config';
import { exposedFamiliesOfAStack, JOBS, problemsWith } from '../harness/prometheus';

const ROOT = path.join(__dirname, '..');
const DASHBOARD_PATH = path.join(ROOT, 'deploy/grafana/dashboards/graphql-grpc-factorial.json');

interface Panel {
  type: string;
  title: string;
  description?: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(fs.readFileSync(DASHBOARD_PATH, 'utf8')) as { uid: string; panels: Panel[] };
const panels = dashboard.panels.filter((panel) => panel.type !== 'row');

describe('Grafana dashboard', () => {
  const exposed = exposedFamiliesOfAStack();

  it('has panels that each say what question they answer', () => {
    expect(panels.length).toBeGreaterThanOrEqual(12);
    for (const panel of panels) {
      expect(panel.description).toMatch(/\?/);
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });

  it.each(panels.map((panel) => [panel.title, panel] as const))('"%s" parses, and queries only what its jobs expose', (_title, panel) => {
    for (const { expr } of panel.targets!) expect({ expr, problems: problemsWith(expr, exposed()) }).toEqual({ expr, problems: [] });
  });

  it('covers what an operator needs: rates, errors by code, latency, batching, caches, pools, event-loop delay', () => {
    const all = panels.flatMap((panel) => panel.targets!.map((t) => t.expr)).join('\n');
    for (const metric of [
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'graphql_errors_total',
      'grpc_client_handled_total',
      'grpc_server_handled_total',
      'grpc_client_handling_seconds_bucket',
      'grpc_server_handling_seconds_bucket',
      'factorial_batch_size_sum',
      'math_operations_total',
      'primes_operations_total',
      'factorial_cache_lookups_total',
      'cache_lookups_total',
      'response_cache_bytes',
      'factorial_worker_pool_tasks',
      'math_worker_pool_tasks',
      'primes_worker_pool_tasks',
      'admission_bytes',
      'admission_waiting',
      'nodejs_eventloop_lag_p99_seconds',
      'eventloop_blocked_max_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(all).toContain(metric);
    }
  });
});

describe('Prometheus scrape config and the observability profile', () => {
  const prometheus = parseYaml(fs.readFileSync(path.join(ROOT, 'deploy/grafana/prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }[];
  };
  const compose = parseYaml(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { profiles?: string[]; volumes?: string[]; environment?: Record<string, string> }>;
  };

  it('scrapes each service under its own job name, at the port it serves /metrics on', () => {
    const targets = Object.fromEntries(
      prometheus.scrape_configs.map((c) => [
        c.job_name,
        c.static_configs?.[0]?.targets[0] ?? `${c.dns_sd_configs![0]!.names[0]}:${c.dns_sd_configs![0]!.port}`,
      ]),
    );
    expect(targets).toEqual({
      factorial: `factorial:${loadFactorialConfig({}).metricsPort}`,
      math: `math:${loadMathConfig({}).port}`,
      primes: `primes:${loadPrimesConfig({}).port}`,
      gateway: `gateway:${loadGatewayConfig({}).metricsPort}`,
    });
    // Every job is a compose service, so the names resolve on the compose network.
    for (const job of JOBS) expect(compose.services[job]).toBeDefined();
  });

  it('adds Prometheus, Grafana and Jaeger under the observability profile, mounting files that exist', () => {
    for (const name of ['prometheus', 'grafana', 'jaeger']) expect(compose.services[name]?.profiles).toEqual(['observability']);
    for (const name of ['prometheus', 'grafana']) {
      for (const volume of compose.services[name]!.volumes!) expect(fs.existsSync(path.join(ROOT, volume.split(':')[0]!))).toBe(true);
    }
    // Grafana loads dashboards from where compose mounts them.
    const provider = parseYaml(fs.readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/dashboards/dashboards.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    expect(compose.services.grafana!.volumes).toContain(`./deploy/grafana/dashboards:${provider.providers[0]!.options.path}:ro`);
    // Tracing stays off unless an endpoint is passed in.
    for (const job of JOBS)
      expect(compose.services[job]!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('${OTEL_EXPORTER_OTLP_ENDPOINT:-}');
  });
});
