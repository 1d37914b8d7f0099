// The Prometheus alert rules (deploy/grafana/alerts.yml): each reads well, parses, selects only metrics its jobs
// expose with label values they take, is loaded by the compose stack's Prometheus, and, run by promtool on
// synthetic series, fires when it should and stays quiet otherwise.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { exposedFamiliesOfAStack, problemsWith } from '../harness/prometheus';

const ROOT = path.join(__dirname, '..');
const RULES_PATH = path.join(ROOT, 'deploy/grafana/alerts.yml');

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const rules = (parseYaml(fs.readFileSync(RULES_PATH, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

describe('Prometheus alert rules', () => {
  const exposed = exposedFamiliesOfAStack();

  it('say what is wrong, how urgent it is, and what to look at first', () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(['page', 'ticket']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description).toMatch(/\.$/);
      // The README's table of alerts lists it.
      expect(readme).toContain(`| \`${rule.alert}\``);
    }
  });

  it.each(rules.map((rule) => [rule.alert, rule] as const))('%s parses, and selects only what its jobs expose', (_name, rule) => {
    expect({ expr: rule.expr, problems: problemsWith(rule.expr, exposed()) }).toEqual({ expr: rule.expr, problems: [] });
  });

  it("are loaded by the compose stack's Prometheus", () => {
    const prometheus = parseYaml(fs.readFileSync(path.join(ROOT, 'deploy/grafana/prometheus.yml'), 'utf8')) as { rule_files: string[] };
    const compose = parseYaml(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { prometheus: { volumes: string[] } };
    };
    expect(prometheus.rule_files).toEqual(['alerts.yml']);
    // The config is mounted at /etc/prometheus/prometheus.yml, and relative rule files resolve beside it.
    expect(compose.services.prometheus.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './deploy/grafana/alerts.yml:/etc/prometheus/alerts.yml:ro',
      ]),
    );
  });

  (hasPromtool ? it : it.skip)('fire on synthetic series when they should, and stay quiet otherwise (promtool test rules)', () => {
    const byName = new Map(rules.map((rule) => [rule.alert, rule]));
    /** What promtool expects of a firing alert: its labels, and its annotations with the labels filled in. */
    const firing = (alert: string, labels: Record<string, string> = {}) => {
      const rule = byName.get(alert)!;
      const fill = (text: string) => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '');
      return {
        exp_labels: { ...labels, severity: rule.labels.severity },
        exp_annotations: { summary: fill(rule.annotations.summary), description: fill(rule.annotations.description) },
      };
    };
    const gatewayRequests = (statusCode: string, values: string) => ({
      series: `http_request_duration_seconds_count{job="gateway",route="/graphql",method="POST",status_code="${statusCode}"}`,
      values,
    });
    const latency = (buckets: Record<string, string>) =>
      Object.entries(buckets).map(([le, values]) => ({
        series: `http_request_duration_seconds_bucket{job="gateway",route="/graphql",method="POST",status_code="200",le="${le}"}`,
        values,
      }));
    const errors = (job: string, code: string, values: string) => ({ series: `graphql_errors_total{job="${job}",code="${code}"}`, values });
    const tests = [
      {
        input_series: [
          { series: 'up{job="math",instance="math:4001"}', values: '1 1 0 0 0 0' },
          { series: 'up{job="gateway",instance="gateway:4000"}', values: '1x5' },
        ],
        alert_rule_test: [
          { eval_time: '2m', alertname: 'ServiceDown', exp_alerts: [] },
          { eval_time: '4m', alertname: 'ServiceDown', exp_alerts: [firing('ServiceDown', { job: 'math', instance: 'math:4001' })] },
        ],
      },
      {
        // 5% of requests fail (5 of 100 a minute), then the same with 0.5%.
        input_series: [gatewayRequests('200', '0+95x20'), gatewayRequests('503', '0+5x20')],
        alert_rule_test: [
          { eval_time: '4m', alertname: 'GatewayServerErrors', exp_alerts: [] },
          { eval_time: '15m', alertname: 'GatewayServerErrors', exp_alerts: [firing('GatewayServerErrors')] },
        ],
      },
      {
        input_series: [gatewayRequests('200', '0+199x20'), gatewayRequests('503', '0+1x20')],
        alert_rule_test: [{ eval_time: '15m', alertname: 'GatewayServerErrors', exp_alerts: [] }],
      },
      {
        input_series: [errors('math', 'FACTORIAL_UNAVAILABLE', '0+1x10'), errors('math', 'BAD_USER_INPUT', '0+50x10')],
        alert_rule_test: [
          { eval_time: '8m', alertname: 'FactorialUnavailable', exp_alerts: [firing('FactorialUnavailable', { job: 'math' })] },
        ],
      },
      {
        input_series: [errors('primes', 'FACTORIAL_UNAVAILABLE', '0+1x10')],
        alert_rule_test: [
          { eval_time: '8m', alertname: 'FactorialUnavailable', exp_alerts: [firing('FactorialUnavailable', { job: 'primes' })] },
        ],
      },
      {
        input_series: [errors('math', 'BAD_USER_INPUT', '0+50x10')],
        alert_rule_test: [{ eval_time: '8m', alertname: 'FactorialUnavailable', exp_alerts: [] }],
      },
      {
        // A subgraph down for a while, then back: the page fires after 2 minutes, and clears.
        input_series: [errors('gateway', 'SUBGRAPH_UNAVAILABLE', '0+20x8 160x15')],
        alert_rule_test: [
          { eval_time: '1m', alertname: 'SubgraphUnavailable', exp_alerts: [] },
          { eval_time: '6m', alertname: 'SubgraphUnavailable', exp_alerts: [firing('SubgraphUnavailable')] },
          { eval_time: '20m', alertname: 'SubgraphUnavailable', exp_alerts: [] },
          { eval_time: '6m', alertname: 'InternalErrors', exp_alerts: [] },
        ],
      },
      {
        // One masked error at minute 3: reported until it leaves the 10-minute window.
        input_series: [errors('gateway', 'INTERNAL_SERVER_ERROR', '0 0 0 1x25'), errors('math', 'BAD_USER_INPUT', '0+50x25')],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'InternalErrors', exp_alerts: [firing('InternalErrors', { job: 'gateway' })] },
          { eval_time: '20m', alertname: 'InternalErrors', exp_alerts: [] },
        ],
      },
      {
        input_series: [
          {
            series: 'grpc_server_handled_total{job="factorial",grpc_code="RESOURCE_EXHAUSTED",grpc_method="BatchGetFactorials"}',
            values: '0+10x15',
          },
          { series: 'grpc_server_handled_total{job="factorial",grpc_code="OK",grpc_method="BatchGetFactorials"}', values: '0+900x15' },
        ],
        alert_rule_test: [
          { eval_time: '3m', alertname: 'FactorialSaturated', exp_alerts: [] },
          { eval_time: '12m', alertname: 'FactorialSaturated', exp_alerts: [firing('FactorialSaturated')] },
        ],
      },
      {
        input_series: [
          gatewayRequests('200', '0+95x25'),
          gatewayRequests('504', '0+5x25'),
          errors('gateway', 'DEADLINE_EXCEEDED', '0+5x25'),
        ],
        alert_rule_test: [
          { eval_time: '8m', alertname: 'RequestsOutOfTime', exp_alerts: [] },
          { eval_time: '20m', alertname: 'RequestsOutOfTime', exp_alerts: [firing('RequestsOutOfTime')] },
        ],
      },
      {
        // Most requests take 2.5 to 5 s.
        input_series: latency({ '0.1': '0+0x25', '2.5': '0+1x25', '5': '0+100x25', '+Inf': '0+100x25' }),
        alert_rule_test: [{ eval_time: '20m', alertname: 'GraphQLSlow', exp_alerts: [firing('GraphQLSlow')] }],
      },
      {
        input_series: latency({ '0.1': '0+100x25', '2.5': '0+100x25', '5': '0+100x25', '+Inf': '0+100x25' }),
        alert_rule_test: [{ eval_time: '20m', alertname: 'GraphQLSlow', exp_alerts: [] }],
      },
      {
        // math blocks its loop for 200 ms at every scrape; the gateway once, then never.
        input_series: [
          { series: 'eventloop_blocked_max_seconds{job="math",instance="math:4001"}', values: '0.2x20' },
          { series: 'eventloop_blocked_max_seconds{job="gateway",instance="gateway:4000"}', values: '0.3 0.01x20' },
        ],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'EventLoopBlocked', exp_alerts: [] },
          {
            eval_time: '12m',
            alertname: 'EventLoopBlocked',
            exp_alerts: [firing('EventLoopBlocked', { job: 'math', instance: 'math:4001' })],
          },
        ],
      },
      {
        // Redis gone for 15 minutes: its calls fail all along; then back, and the alert clears.
        input_series: [{ series: 'cache_errors_total{job="gateway",op="answers.get",reason="unavailable"}', values: '0+30x15 450x15' }],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'RedisFailing', exp_alerts: [] },
          { eval_time: '14m', alertname: 'RedisFailing', exp_alerts: [firing('RedisFailing', { job: 'gateway' })] },
          { eval_time: '29m', alertname: 'RedisFailing', exp_alerts: [] },
        ],
      },
      {
        // A blip: a few timeouts once.
        input_series: [{ series: 'cache_errors_total{job="gateway",op="quota",reason="timeout"}', values: '0 5 5x20' }],
        alert_rule_test: [{ eval_time: '15m', alertname: 'RedisFailing', exp_alerts: [] }],
      },
      {
        // A broken manifest deployed at minute 3, a good one at minute 10.
        input_series: [{ series: 'persisted_documents_manifest_ok{job="gateway",instance="gateway:9465"}', values: '1 1 1 0x6 1x10' }],
        alert_rule_test: [
          { eval_time: '2m', alertname: 'PersistedQueryManifestBroken', exp_alerts: [] },
          {
            eval_time: '6m',
            alertname: 'PersistedQueryManifestBroken',
            exp_alerts: [firing('PersistedQueryManifestBroken', { job: 'gateway', instance: 'gateway:9465' })],
          },
          { eval_time: '15m', alertname: 'PersistedQueryManifestBroken', exp_alerts: [] },
        ],
      },
    ].map((test) => ({ interval: '1m', ...test }));
    // Every alert is seen firing at least once.
    const fired = new Set(tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect([...fired].sort()).toEqual(rules.map((r) => r.alert).sort());

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-'));
    try {
      fs.copyFileSync(RULES_PATH, path.join(dir, 'alerts.yml'));
      fs.writeFileSync(path.join(dir, 'test.yml'), toYaml({ rule_files: ['alerts.yml'], evaluation_interval: '1m', tests }));
      const run = spawnSync('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
      expect({ status: run.status, output: run.stdout + run.stderr }).toMatchObject({ status: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  (hasPromtool ? it : it.skip)('are valid to promtool (promtool check rules)', () => {
    expect(execFileSync('promtool', ['check', 'rules', RULES_PATH], { encoding: 'utf8' })).toContain(
      `SUCCESS: ${rules.length} rules found`,
    );
  });
});
