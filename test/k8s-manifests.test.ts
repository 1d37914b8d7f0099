// The Kubernetes manifests checked against the services' own settings: ports, probes, names, shutdown timing.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadGatewayConfig } from '../gateway/src/config';
import { loadFactorialConfig } from '../services/factorial/src/config';
import { loadMathConfig } from '../subgraphs/math/src/config';

const DIR = path.join(__dirname, '../deploy/k8s');

interface Container {
  name: string;
  image: string;
  command: string[];
  env: { name: string; value: string }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface Probe {
  grpc?: { port: number };
  httpGet?: { path: string; port: string };
}
type K8sObject = { kind: string; metadata: { name: string }; spec: unknown };

/** The value at a path inside a parsed manifest (undefined when any step is missing). */
function at<T = unknown>(value: unknown, ...keys: (string | number)[]): T {
  let current = value;
  for (const key of keys)
    current = current === null || typeof current !== 'object' ? undefined : (current as Record<string | number, unknown>)[key];
  return current as T;
}

const kustomization = parseYaml(fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
  images: { name: string }[];
};
const objects: K8sObject[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as K8sObject;
  }),
);
const find = (kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
};
const container = (name: string): Container => at<Container>(find('Deployment', name).spec, 'template', 'spec', 'containers', 0);
const envOf = (c: Container): Record<string, string> => Object.fromEntries(c.env.map((e) => [e.name, e.value]));
const portNamed = (c: Container, name: string): number => c.ports.find((p) => p.name === name)!.containerPort;

describe('deploy/k8s', () => {
  it('lists a Deployment, a Service and a PodDisruptionBudget for each service, and an autoscaler for the factorial service', () => {
    for (const name of ['factorial', 'math', 'gateway']) {
      const labels = at(find('Deployment', name).spec, 'template', 'metadata', 'labels');
      expect(labels).toEqual({ app: name });
      expect(at(find('Deployment', name).spec, 'selector', 'matchLabels')).toEqual(labels);
      expect(at(find('Service', name).spec, 'selector')).toEqual(labels);
      expect(at(find('PodDisruptionBudget', name).spec, 'selector', 'matchLabels')).toEqual(labels);
      expect(container(name).image).toBe(kustomization.images[0]!.name);
      expect(container(name).resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container(name).resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    }
    expect(at(find('HorizontalPodAutoscaler', 'factorial').spec, 'scaleTargetRef')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'factorial',
    });
  });

  it('probes the factorial service over gRPC on the port its settings bind, behind a headless Service', () => {
    const c = container('factorial');
    const config = loadFactorialConfig(envOf(c));
    expect(c.command).toEqual(['node', 'dist/services/factorial/src/main.js']);
    expect(config.host).toBe('0.0.0.0');
    expect(portNamed(c, 'grpc')).toBe(config.port);
    expect(portNamed(c, 'metrics')).toBe(config.metricsPort);
    expect(c.readinessProbe.grpc?.port).toBe(config.port);
    expect(c.livenessProbe.grpc?.port).toBe(config.port);
    expect(at(find('Service', 'factorial').spec, 'clusterIP')).toBe('None');
  });

  it('points the subgraph at every factorial pod (dns:///, the headless Service and its port) and probes its /health', () => {
    const c = container('math');
    const config = loadMathConfig(envOf(c));
    const grpcPort = at<{ name: string; port: number }[]>(find('Service', 'factorial').spec, 'ports').find((p) => p.name === 'grpc')?.port;
    expect(config.factorial.address).toBe(`dns:///factorial:${grpcPort}`);
    expect(portNamed(c, 'http')).toBe(config.port);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
  });

  it('points the gateway at the math Service, and probes /ready for readiness and /health for liveness', () => {
    const c = container('gateway');
    const config = loadGatewayConfig(envOf(c));
    const mathPort = at<number>(find('Service', 'math').spec, 'ports', 0, 'port');
    expect(config.subgraphs.math).toBe(`http://math:${mathPort}/graphql`);
    expect(portNamed(c, 'http')).toBe(config.port);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
  });

  it("tells Prometheus's pod discovery where each pod serves /metrics", () => {
    const metricsPorts = {
      factorial: loadFactorialConfig(envOf(container('factorial'))).metricsPort,
      math: loadMathConfig(envOf(container('math'))).port,
      gateway: loadGatewayConfig(envOf(container('gateway'))).port,
    };
    for (const [name, port] of Object.entries(metricsPorts)) {
      expect(at(find('Deployment', name).spec, 'template', 'metadata', 'annotations')).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port),
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it('gives each pod a termination grace period longer than its own shutdown grace', () => {
    const loaders = { factorial: loadFactorialConfig, math: loadMathConfig, gateway: loadGatewayConfig };
    for (const [name, load] of Object.entries(loaders)) {
      const config = load(envOf(container(name)));
      const podGraceSeconds = at<number>(find('Deployment', name).spec, 'template', 'spec', 'terminationGracePeriodSeconds');
      expect(podGraceSeconds * 1000).toBeGreaterThan(config.shutdown.graceMs);
      expect(config.shutdown.delayMs).toBeLessThan(config.shutdown.graceMs);
    }
  });
});
