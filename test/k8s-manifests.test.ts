// The Kubernetes manifests checked against the services' own settings: ports, probes, names, shutdown timing.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadGatewayConfig } from '../gateway/src/config';
import { loadFactorialConfig } from '../services/factorial/src/config';
import { loadMathConfig } from '../subgraphs/math/src/config';
import { loadPrimesConfig } from '../subgraphs/primes/src/config';

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
/** A Deployment's, or else a StatefulSet's, object. */
const workload = (name: string): K8sObject =>
  objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === name) ?? find('Deployment', name);
const container = (name: string): Container => at<Container>(workload(name).spec, 'template', 'spec', 'containers', 0);
const envOf = (c: Container): Record<string, string> => Object.fromEntries(c.env.map((e) => [e.name, e.value]));
const portNamed = (c: Container, name: string): number => c.ports.find((p) => p.name === name)!.containerPort;

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

/** The "restricted" Pod Security Standard, field by field (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
function restrictedViolations(pod: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const podContext = (pod.securityContext ?? {}) as Record<string, unknown>;
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[field]) problems.push(`${field} is set`);
  const volumes = (pod.volumes ?? []) as Record<string, unknown>[];
  const allowedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  for (const volume of volumes) {
    const kind = Object.keys(volume).find((key) => key !== 'name');
    if (!kind || !allowedVolumes.includes(kind)) problems.push(`volume ${String(volume.name)} is a ${kind}`);
  }
  const containers = [
    ...((pod.containers ?? []) as Record<string, unknown>[]),
    ...((pod.initContainers ?? []) as Record<string, unknown>[]),
  ];
  for (const c of containers) {
    const context = (c.securityContext ?? {}) as Record<string, unknown>;
    const where = `container ${String(c.name)}`;
    const effective = (field: string) => context[field] ?? podContext[field];
    if (context.privileged) problems.push(`${where} is privileged`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${where} does not set allowPrivilegeEscalation: false`);
    if (effective('runAsNonRoot') !== true) problems.push(`${where} does not run as non-root`);
    if (effective('runAsUser') === 0) problems.push(`${where} runs as uid 0`);
    const seccomp = (effective('seccompProfile') ?? {}) as { type?: string };
    if (seccomp.type !== 'RuntimeDefault' && seccomp.type !== 'Localhost')
      problems.push(`${where} has no RuntimeDefault or Localhost seccomp profile`);
    const capabilities = (context.capabilities ?? {}) as { drop?: string[]; add?: string[] };
    if (!capabilities.drop?.includes('ALL')) problems.push(`${where} does not drop ALL capabilities`);
    for (const added of capabilities.add ?? []) if (added !== 'NET_BIND_SERVICE') problems.push(`${where} adds ${added}`);
    for (const port of (c.ports ?? []) as { hostPort?: number }[]) if (port.hostPort) problems.push(`${where} uses a host port`);
  }
  return problems;
}

interface Policy {
  metadata: { name: string };
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: string[];
    ingress?: {
      from?: { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown }[];
      ports?: { port: string }[];
    }[];
  };
}

describe('deploy/k8s security', () => {
  const deployments = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet').map((o) => o.metadata.name);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as Policy[];
  const labelsOf = (name: string) => at<Record<string, string>>(workload(name).spec, 'template', 'metadata', 'labels');
  const selects = (selector: { matchLabels?: Record<string, string> } | undefined, name: string) =>
    Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labelsOf(name)[key] === value);

  it.each(['factorial', 'math', 'primes', 'gateway', 'redis'])('runs %s under the "restricted" Pod Security Standard', (name) => {
    expect(restrictedViolations(at(workload(name).spec, 'template', 'spec'))).toEqual([]);
  });

  it('catches what the profile forbids (a root container, an added capability, no seccomp profile)', () => {
    const pod = structuredClone(at<Record<string, unknown>>(find('Deployment', 'math').spec, 'template', 'spec'));
    (pod.securityContext as Record<string, unknown>).runAsNonRoot = false;
    delete (pod.securityContext as Record<string, unknown>).seccompProfile;
    ((pod.containers as Record<string, unknown>[])[0]!.securityContext as Record<string, unknown>).capabilities = {
      drop: ['ALL'],
      add: ['SYS_ADMIN'],
    };
    expect(restrictedViolations(pod)).toEqual([
      'container math does not run as non-root',
      'container math has no RuntimeDefault or Localhost seccomp profile',
      'container math adds SYS_ADMIN',
    ]);
  });

  it('enforces the profile on the namespace', () => {
    expect(at(find('Namespace', 'ncr'), 'metadata', 'labels', 'pod-security.kubernetes.io/enforce')).toBe('restricted');
  });

  it('denies all ingress by default, and each policy selects pods and ports that exist', () => {
    const deny = policies.find((p) => p.metadata.name === 'default-deny-ingress')!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    for (const policy of policies.filter((p) => p !== deny)) {
      const targets = deployments.filter((name) => selects(policy.spec.podSelector, name));
      expect([policy.metadata.name, targets]).toEqual([policy.metadata.name, [policy.metadata.name]]);
      const portNames = container(targets[0]!).ports.map((p) => p.name);
      for (const rule of policy.spec.ingress ?? []) {
        for (const port of rule.ports ?? []) expect(portNames).toContain(port.port);
        for (const peer of rule.from ?? []) {
          if (!peer.namespaceSelector) expect(deployments.filter((name) => selects(peer.podSelector, name)).length).toBeGreaterThan(0);
        }
      }
    }
  });

  /** Which pods of the namespace may open a connection to `target` on its port named `port` (['*'] for anyone). */
  const allowedFrom = (target: string, port: string): string[] => {
    const sources = new Set<string>();
    for (const policy of policies.filter((p) => selects(p.spec.podSelector, target))) {
      for (const rule of policy.spec.ingress ?? []) {
        if (rule.ports && !rule.ports.some((p) => p.port === port)) continue;
        if (!rule.from) sources.add('*');
        for (const peer of rule.from ?? []) {
          if (peer.namespaceSelector) sources.add('prometheus');
          else for (const name of deployments.filter((d) => selects(peer.podSelector, d))) sources.add(name);
        }
      }
    }
    return [...sources].sort();
  };

  it('lets anyone reach the gateway, only the gateway reach the subgraphs, only the subgraphs reach the factorial service', () => {
    expect(allowedFrom('gateway', 'http')).toEqual(['*']);
    expect(allowedFrom('gateway', 'metrics')).toEqual(['prometheus']);
    expect(allowedFrom('math', 'http')).toEqual(['gateway', 'prometheus']);
    expect(allowedFrom('primes', 'http')).toEqual(['gateway', 'prometheus']);
    expect(allowedFrom('factorial', 'grpc')).toEqual(['math', 'primes']);
    expect(allowedFrom('factorial', 'metrics')).toEqual(['prometheus']);
    expect(allowedFrom('redis', 'redis')).toEqual(['gateway']);
  });

  it('gives the gateway its Redis URL from the Secret that also holds the password Redis requires', () => {
    const gatewayEnv = (container('gateway').env as { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[]).find(
      (e) => e.name === 'REDIS_URL',
    );
    expect(gatewayEnv?.valueFrom?.secretKeyRef).toEqual({ name: 'redis', key: 'url' });
    const secret = find('Secret', 'redis') as unknown as { stringData: { password: string; url: string } };
    expect(new URL(secret.stringData.url).password).toBe(secret.stringData.password);
    expect(new URL(secret.stringData.url).host).toBe(`redis:${container('redis').ports[0]!.containerPort}`);
    expect(container('redis').command).toEqual(['redis-server']);
  });
});
