// Test clients for the gRPC health and reflection services, and a promise wrapper for unary calls.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import * as path from 'node:path';

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;

/** Calls a generated unary method as a promise; `onCall` receives the call (to cancel it). */
export function unary<Req, Res>(
  method: (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: Callback<Res>) => grpc.ClientUnaryCall,
  request: Req,
  options: Partial<grpc.CallOptions> = {},
  onCall?: (call: grpc.ClientUnaryCall) => void,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const call = method(request, new grpc.Metadata(), options, (error, response) => (error ? reject(error) : resolve(response)));
    onCall?.(call);
  });
}

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');

/** grpc.health.v1.Health/Check for a service name ('' for the server as a whole). */
export function healthCheck(address: string, service = ''): Promise<string> {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  return new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (arg: { service: string }) => encodeHealthRequest(arg.service),
      (bytes: Buffer) => decodeHealthStatus(bytes),
      { service },
      new grpc.Metadata(),
      { deadline: Date.now() + 2000 },
      (error: grpc.ServiceError | null, status?: string) => {
        client.close();
        if (error) reject(error);
        else resolve(status ?? 'UNKNOWN');
      },
    );
  });
}

/** Opens grpc.health.v1.Health/Watch and reports every status it streams. */
export function healthWatch(address: string, onStatus: (status: string) => void): () => void {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  const call = client.makeServerStreamRequest(
    '/grpc.health.v1.Health/Watch',
    (arg: { service: string }) => encodeHealthRequest(arg.service),
    (bytes: Buffer) => decodeHealthStatus(bytes),
    { service: '' },
  );
  call.on('data', onStatus);
  call.on('error', () => {});
  return () => {
    call.cancel();
    client.close();
  };
}

// HealthCheckRequest { string service = 1; } and HealthCheckResponse { ServingStatus status = 1; }.
function encodeHealthRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  return name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, name.length]), name]);
}
function decodeHealthStatus(bytes: Buffer): string {
  const code = bytes.length >= 2 && bytes[0] === 0x08 ? bytes[1]! : 0;
  return ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'][code] ?? 'UNKNOWN';
}

/** Service names listed by grpc.reflection.v1.ServerReflection, as grpcurl `list` shows them. */
export function listServicesByReflection(address: string): Promise<string[]> {
  const definition = protoLoader.loadSync(
    path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto'),
    { keepCase: false },
  );
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };
  const client = new loaded.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const stream = (
      client as unknown as { serverReflectionInfo: () => grpc.ClientDuplexStream<object, ReflectionReply> }
    ).serverReflectionInfo();
    stream.on('data', (reply: ReflectionReply) => {
      resolve((reply.listServicesResponse?.service ?? []).map((s) => s.name));
      stream.end();
      client.close();
    });
    stream.on('error', reject);
    stream.write({ listServices: '' });
  });
}

interface ReflectionReply {
  listServicesResponse?: { service: { name: string }[] };
}
