// Turning tracing on: the span pipeline (sampler, batch processor, OTLP or console exporter) from the standard
// OTEL_* settings. Off unless an OTLP endpoint or an exporter is named; the exporters load only when used.

import * as fs from 'node:fs';
import { diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ConfigError, readChoice, readInt, readString } from '../../config';
import type { Logger } from '../logger';
import { projectPath } from '../../config';
import { enableRecording, installPropagator } from './spans';

type Env = Readonly<Record<string, string | undefined>>;

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export interface TracingSettings {
  /** 'none' records nothing. */
  readonly exporter: 'otlp' | 'console' | 'none';
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly serviceName: string;
  readonly sampler: (typeof SAMPLERS)[number];
  readonly samplerRatio: number;
  /** Batch span processor: delay between exports, queue and batch sizes, export timeout. */
  readonly scheduleDelayMs: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly exportTimeoutMs: number;
}

/**
 * Reads the standard settings: OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER (otlp, console, none; default otlp
 * when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, else none),
 * OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL (http/protobuf or http/json), OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER
 * and its _ARG, OTEL_BSP_*. The exporter itself reads the endpoint, headers and timeout settings.
 */
export function readTracingSettings(env: Env, defaultServiceName: string): TracingSettings {
  const disabled = readChoice(env, 'OTEL_SDK_DISABLED', 'false', ['true', 'false'] as const) === 'true';
  const endpoint = readString(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', readString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ''));
  const exporter = readChoice(env, 'OTEL_TRACES_EXPORTER', endpoint ? 'otlp' : 'none', ['otlp', 'console', 'none'] as const);
  const protocol = readString(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', readString(env, 'OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf'));
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new ConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not bundled), but got: ${JSON.stringify(protocol)}`,
    );
  }
  const ratioText = readString(env, 'OTEL_TRACES_SAMPLER_ARG', '1');
  const samplerRatio = Number(ratioText);
  if (!/^\d*\.?\d+$/.test(ratioText) || samplerRatio > 1) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, but got: ${JSON.stringify(ratioText)}`);
  }
  return Object.freeze({
    exporter: disabled ? 'none' : exporter,
    protocol,
    serviceName: readString(env, 'OTEL_SERVICE_NAME', defaultServiceName),
    sampler: readChoice(env, 'OTEL_TRACES_SAMPLER', 'parentbased_always_on', SAMPLERS),
    samplerRatio,
    scheduleDelayMs: readInt(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, { min: 0, max: 600_000 }),
    maxQueueSize: readInt(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, { min: 1, max: 1_000_000 }),
    maxExportBatchSize: readInt(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, { min: 1, max: 1_000_000 }),
    exportTimeoutMs: readInt(env, 'OTEL_BSP_EXPORT_TIMEOUT', 30_000, { min: 1, max: 600_000 }),
  });
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is buffered, then stops (call last on shutdown). */
  shutdown(): Promise<void>;
}

/** Starts recording spans as `settings` say, or does nothing when the exporter is 'none'. */
export async function startTracing(settings: TracingSettings, logger: Logger): Promise<Tracing> {
  installPropagator();
  if (settings.exporter === 'none') return { enabled: false, shutdown: async () => {} };
  // The SDK's own complaints (an export that failed, spans dropped from a full queue) go to the log as warnings.
  const complain = (message: string, ...args: unknown[]): void => logger.warn({ detail: args.map(String) }, `tracing: ${message}`);
  diag.setLogger({ error: complain, warn: complain, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  // OTEL_RESOURCE_ATTRIBUTES, settled before the first span reads them.
  const detected = detectResources({ detectors: [envDetector] });
  await detected.waitForAsyncAttributes?.();
  const resource = defaultResource()
    .merge(detected)
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: projectVersion() }));
  const provider = new TracerProvider({
    resource,
    sampler: samplerOf(settings),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: exporterOf(settings),
        scheduledDelayMillis: settings.scheduleDelayMs,
        maxQueueSize: settings.maxQueueSize,
        maxExportBatchSize: settings.maxExportBatchSize,
        exportTimeoutMillis: settings.exportTimeoutMs,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  enableRecording();
  logger.info({ exporter: settings.exporter, protocol: settings.protocol, sampler: settings.sampler }, 'tracing on');
  return {
    enabled: true,
    async shutdown() {
      await provider.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'exporting the last spans failed'));
    },
  };
}

function samplerOf(settings: TracingSettings): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function exporterOf(settings: TracingSettings): SpanExporter {
  if (settings.exporter === 'console') return new ConsoleSpanExporter();
  // Loaded here so that a process with tracing off never loads an exporter.
  if (settings.protocol === 'http/json') {
    const { OTLPTraceExporter } =
      require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}

function projectVersion(): string {
  return (JSON.parse(fs.readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
}
