// A real redis-server (Debian's package) on a free loopback port, for the fleet's tests and benchmarks: started with a
// password and no persistence, paused and resumed (SIGSTOP, SIGCONT), killed and started again on the same port, and
// driven with redis-cli. Never a mock.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { killOnExit } from './children';
import { freePort } from './processes';

/** Where Debian's redis-server package puts its programs. */
export const REDIS_SERVER = '/usr/bin/redis-server';
export const redisInstalled = (): boolean => existsSync(REDIS_SERVER);

export interface RedisServer {
  readonly port: number;
  readonly password: string;
  /** redis://:<password>@127.0.0.1:<port> */
  readonly url: string;
  /** redis-cli's answer to a command (`['FLUSHALL']`, `['CONFIG', 'SET', 'maxmemory', '1mb']`). */
  cli(...args: string[]): string;
  pause(): void;
  resume(): void;
  /** SIGKILLs it; `start` brings it back on the same port, empty. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(password = 'fleet-test-password'): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const listening = async (): Promise<void> => {
    const until = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
        socket.on('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > until) throw new Error(`redis-server did not listen on ${port}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const server: RedisServer = {
    port,
    password,
    url: `redis://:${password}@127.0.0.1:${port}`,
    cli: (...args) =>
      spawnSync('redis-cli', ['-p', String(port), '-a', password, '--no-auth-warning', ...args], {
        encoding: 'utf8',
        timeout: 5_000,
      }).stdout.trim(),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async kill() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
    async start() {
      child = spawn(
        REDIS_SERVER,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--requirepass',
          password,
          '--save',
          '',
          '--appendonly',
          'no',
          '--loglevel',
          'warning',
        ],
        { stdio: 'ignore' },
      );
      killOnExit(child);
      await listening();
    },
    async stop() {
      await server.kill();
    },
  };
  await server.start();
  return server;
}
