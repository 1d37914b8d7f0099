// The harness starts a service only once the process it launched listens on its port: a port picked free may be
// taken by another test's server first, which would then answer the new service's health checks.

import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { freePort, listensOn } from '../harness/processes';

const listen = async (): Promise<net.Server> => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

describe('listensOn', () => {
  it('says which process listens on a port: this one, another, or none', async () => {
    const server = await listen();
    const port = portOf(server);
    expect(listensOn(process.pid, port)).toBe(true);
    expect(listensOn(process.pid, await freePort())).toBe(false);

    const child = spawn(process.execPath, [
      '-e',
      "require('net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port) })",
    ]);
    const childPort = await new Promise<number>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
    );
    try {
      expect(listensOn(child.pid, childPort)).toBe(true);
      expect(listensOn(process.pid, childPort)).toBe(false);
      expect(listensOn(child.pid, port)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      server.close();
    }
    // A process that is gone listens nowhere.
    await new Promise((resolve) => child.once('exit', resolve));
    expect(listensOn(child.pid, childPort)).toBe(false);
  });
});
