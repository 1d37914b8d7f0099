// The Kubernetes manifests checked against the services' own settings: ports, probes, names, shutdown timing.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGatewayConfig } from '../gateway/src/config';
import { loadFactorialConfig } from '../services/factorial/src/config';
import { loadMathConfig } from '../subgraphs/math/src/config';
import { loadPrimesConfig } from '../subgraphs/primes/src/config';
import { at, container, DIR, envOf, find, kustomization, portNamed, type Container } from '../harness/k8s';

describe('deploy/k8s', () => {
  it('mounts the persisted query manifest read-only from a ConfigMap made of the committed manifest, at the path the gateway reads', () => {
    const c = container('gateway') as Container & { volumeMounts: { name: string; mountPath: string; readOnly: boolean }[] };
    const file = envOf(c).PERSISTED_DOCUMENTS_FILE!;
    const mount = c.volumeMounts.find((m) => file.startsWith(`${m.mountPath}/`))!;
    expect(mount.readOnly).toBe(true);
    const volume = at<{ name: string; configMap: { name: string } }[]>(
      find('Deployment', 'gateway').spec,
      'template',
      'spec',
      'volumes',
    ).find((v) => v.name === mount.name)!;
    const generator = (kustomization as unknown as { configMapGenerator: { name: string; files: string[] }[] }).configMapGenerator.find(
      (g) => g.name === volume.configMap.name,
    )!;
    const [key, source] = generator.files[0]!.split('=');
    expect(`${mount.mountPath}/${key}`).toBe(file);
    expect(fs.existsSync(path.join(DIR, source!))).toBe(true);
    expect(loadGatewayConfig(envOf(c)).persistedDocuments.mode).toBe('off');
  });

  it('scales the gateway with an autoscaler too', () => {
    expect(at(find('HorizontalPodAutoscaler', 'gateway').spec, 'scaleTargetRef')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'gateway',
    });
  });

  it('lists a Deployment, a Service and a PodDisruptionBudget for each service, and an autoscaler for the factorial service', () => {
    for (const name of ['factorial', 'math', 'primes', 'gateway']) {
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

  it.each([
    ['math', loadMathConfig],
    ['primes', loadPrimesConfig],
  ] as const)(
    'points the %s subgraph at every factorial pod (dns:///, the headless Service and its port) and probes its /health',
    (name, load) => {
      const c = container(name);
      const config = load(envOf(c));
      const grpcPort = at<{ name: string; port: number }[]>(find('Service', 'factorial').spec, 'ports').find(
        (p) => p.name === 'grpc',
      )?.port;
      expect(config.factorial.address).toBe(`dns:///factorial:${grpcPort}`);
      expect(portNamed(c, 'http')).toBe(config.port);
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    },
  );

  it('points the gateway at the math and primes Services, and probes /ready for readiness and /health for liveness', () => {
    const c = container('gateway');
    const config = loadGatewayConfig(envOf(c));
    for (const subgraph of ['math', 'primes'] as const) {
      const port = at<number>(find('Service', subgraph).spec, 'ports', 0, 'port');
      expect(config.subgraphs[subgraph]).toBe(`http://${subgraph}:${port}/graphql`);
    }
    expect(portNamed(c, 'http')).toBe(config.port);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
  });

  it("tells Prometheus's pod discovery where each pod serves /metrics", () => {
    const metricsPorts = {
      factorial: loadFactorialConfig(envOf(container('factorial'))).metricsPort,
      math: loadMathConfig(envOf(container('math'))).port,
      primes: loadPrimesConfig(envOf(container('primes'))).port,
      gateway: loadGatewayConfig(envOf(container('gateway'))).metricsPort,
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
    const loaders = { factorial: loadFactorialConfig, math: loadMathConfig, primes: loadPrimesConfig, gateway: loadGatewayConfig };
    for (const [name, load] of Object.entries(loaders)) {
      const config = load(envOf(container(name)));
      const podGraceSeconds = at<number>(find('Deployment', name).spec, 'template', 'spec', 'terminationGracePeriodSeconds');
      expect(podGraceSeconds * 1000).toBeGreaterThan(config.shutdown.graceMs);
      expect(config.shutdown.delayMs).toBeLessThan(config.shutdown.graceMs);
    }
  });

  it("serves the gateway's metrics on a port of their own, which its public Service does not publish", () => {
    const c = container('gateway');
    const config = loadGatewayConfig(envOf(c));
    expect(portNamed(c, 'metrics')).toBe(config.metricsPort);
    expect(config.metricsPort).not.toBe(config.port);
    const published = at<{ targetPort: string }[]>(find('Service', 'gateway').spec, 'ports').map((p) => p.targetPort);
    expect(published).toEqual(['http']);
  });
});
