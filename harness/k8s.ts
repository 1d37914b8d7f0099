// The Kubernetes manifests (deploy/k8s, as kustomization.yaml lists them), parsed, for the manifests' tests.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export const DIR = path.join(__dirname, '../deploy/k8s');

export interface Container {
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
export type K8sObject = { kind: string; metadata: { name: string }; spec: unknown };

/** The value at a path inside a parsed manifest (undefined when any step is missing). */
export function at<T = unknown>(value: unknown, ...keys: (string | number)[]): T {
  let current = value;
  for (const key of keys)
    current = current === null || typeof current !== 'object' ? undefined : (current as Record<string | number, unknown>)[key];
  return current as T;
}

export const kustomization = parseYaml(fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
  images: { name: string }[];
};
export const objects: K8sObject[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as K8sObject;
  }),
);
export const find = (kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
};
/** A Deployment's, or else a StatefulSet's, object. */
export const workload = (name: string): K8sObject =>
  objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === name) ?? find('Deployment', name);
export const container = (name: string): Container => at<Container>(workload(name).spec, 'template', 'spec', 'containers', 0);
export const envOf = (c: Container): Record<string, string> => Object.fromEntries(c.env.map((e) => [e.name, e.value]));
export const portNamed = (c: Container, name: string): number => c.ports.find((p) => p.name === name)!.containerPort;
