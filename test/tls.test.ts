// TLS and mutual TLS between the math subgraph and the factorial service, with certificates made at test time.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { Representation } from '../generated/proto/factorial/v1/factorial';
import { ConfigError } from '../lib/config';
import { clientCredentials } from '../lib/grpc';
import { createFactorialClient } from '../services/factorial/client';
import { loadFactorialConfig } from '../services/factorial/src/config';
import { createFactorialServer } from '../services/factorial/src/server';
import { loadMathConfig } from '../subgraphs/math/src/config';
import { unary } from '../harness/grpc';
import { graphql, startStack } from '../harness/stack';

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files in a fresh folder. */
function makeCertificates(): { dir: string; read: (name: string) => Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-test-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test-ca', '-days', '1');
  for (const [name, extensions] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    fs.writeFileSync(path.join(dir, `${name}.ext`), `${extensions}\n`);
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
  return { dir, read: (name) => fs.readFileSync(path.join(dir, name)) };
}

const certs = makeCertificates();
afterAll(() => fs.rmSync(certs.dir, { recursive: true, force: true }));

const getFactorial = async (address: string, credentials: Parameters<typeof createFactorialClient>[1]) => {
  const client = createFactorialClient(address, credentials);
  try {
    return await unary(
      client.getFactorial.bind(client),
      { n: 10, representation: Representation.REPRESENTATION_VALUE },
      { deadline: Date.now() + 3000 },
    );
  } finally {
    client.close();
  }
};

describe('TLS', () => {
  it('serves a client that trusts the CA, and not a plaintext client', async () => {
    const server = createFactorialServer({ tls: { cert: certs.read('server.crt'), key: certs.read('server.key') } });
    const address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
    try {
      const reply = await getFactorial(address, { credentials: clientCredentials({ ca: certs.read('ca.crt') }) });
      expect(reply.value).toEqual(Buffer.from([0x37, 0x5f, 0x00]));
      const plaintext = await getFactorial(address, {}).catch((e: ServiceError) => e);
      expect((plaintext as ServiceError).code).toBe(status.UNAVAILABLE);
    } finally {
      await server.shutdown(0);
    }
  });
});

describe('mutual TLS', () => {
  it('serves a client with a certificate from the client CA, and refuses one without', async () => {
    const server = createFactorialServer({
      tls: { cert: certs.read('server.crt'), key: certs.read('server.key'), clientCa: certs.read('ca.crt') },
    });
    const address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
    try {
      const withCert = await getFactorial(address, {
        credentials: clientCredentials({ ca: certs.read('ca.crt'), cert: certs.read('client.crt'), key: certs.read('client.key') }),
      });
      expect(withCert.n).toBe(10);
      const withoutCert = await getFactorial(address, { credentials: clientCredentials({ ca: certs.read('ca.crt') }) }).catch(
        (e: ServiceError) => e,
      );
      expect((withoutCert as ServiceError).code).toBe(status.UNAVAILABLE);
    } finally {
      await server.shutdown(0);
    }
  });

  it("carries the subgraph's calls, with the settings read from files", async () => {
    const file = (name: string) => path.join(certs.dir, name);
    const factorialConfig = loadFactorialConfig({
      FACTORIAL_TLS_CERT: file('server.crt'),
      FACTORIAL_TLS_KEY: file('server.key'),
      FACTORIAL_TLS_CLIENT_CA: file('ca.crt'),
    });
    const mathConfig = loadMathConfig({
      FACTORIAL_TLS_CA: file('ca.crt'),
      FACTORIAL_TLS_CLIENT_CERT: file('client.crt'),
      FACTORIAL_TLS_CLIENT_KEY: file('client.key'),
    });
    const stack = await startStack({ factorial: { tls: factorialConfig.tls }, clientTls: mathConfig.factorial.tls });
    try {
      expect((await graphql(stack.mathUrl, '{ ncr(n: 52, r: 5) }')).data).toEqual({ ncr: '2598960' });
    } finally {
      await stack.stop();
    }
  });
});

describe('TLS settings', () => {
  it('say what is wrong when a file cannot be read or a pair is incomplete', () => {
    expect(() => loadFactorialConfig({ FACTORIAL_TLS_CERT: '/nonexistent.pem', FACTORIAL_TLS_KEY: '/nonexistent.key' })).toThrow(
      'FACTORIAL_TLS_CERT must name a readable PEM file, but "/nonexistent.pem" cannot be read (ENOENT)',
    );
    expect(() => loadFactorialConfig({ FACTORIAL_TLS_CERT: path.join(certs.dir, 'server.crt') })).toThrow(
      new ConfigError('FACTORIAL_TLS_CERT and FACTORIAL_TLS_KEY must be set together'),
    );
    expect(() =>
      loadMathConfig({
        FACTORIAL_TLS_CLIENT_CERT: path.join(certs.dir, 'client.crt'),
        FACTORIAL_TLS_CLIENT_KEY: path.join(certs.dir, 'client.key'),
      }),
    ).toThrow('FACTORIAL_TLS_CLIENT_CERT and FACTORIAL_TLS_CLIENT_KEY need FACTORIAL_TLS_CA');
  });
});
