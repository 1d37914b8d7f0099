// Tracing settings: off by default, on with an endpoint or a named exporter, bad values refused by name.

import { ConfigError } from '../../config';
import { readTracingSettings } from './sdk';

describe('readTracingSettings', () => {
  it('is off with no settings, and names the service by default', () => {
    expect(readTracingSettings({}, 'math')).toMatchObject({ exporter: 'none', serviceName: 'math', sampler: 'parentbased_always_on' });
  });

  it('turns OTLP on when an endpoint is set (all signals or traces only), over http/protobuf unless told otherwise', () => {
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'math')).toMatchObject({
      exporter: 'otlp',
      protocol: 'http/protobuf',
    });
    expect(
      readTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'm'),
    ).toMatchObject({ exporter: 'otlp', protocol: 'http/json' });
  });

  it('lets OTEL_TRACES_EXPORTER and OTEL_SDK_DISABLED decide over an endpoint', () => {
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'console' }, 'm').exporter).toBe('console');
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, 'm').exporter).toBe('none');
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }, 'm').exporter).toBe('none');
  });

  it('reads the service name, sampler and batch settings', () => {
    const settings = readTracingSettings(
      {
        OTEL_SERVICE_NAME: 'math-eu',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      'math',
    );
    expect(settings).toMatchObject({
      serviceName: 'math-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      scheduleDelayMs: 200,
    });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER must be one of otlp, console, none, but got: "zipkin"'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not bundled)'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, but got: "1.5"'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER must be one of'],
    [{ OTEL_BSP_SCHEDULE_DELAY: '-1' }, 'OTEL_BSP_SCHEDULE_DELAY must be an integer from 0'],
  ])('refuses %j with a message naming the setting', (env, message) => {
    expect(() => readTracingSettings(env, 'm')).toThrow(ConfigError);
    expect(() => readTracingSettings(env, 'm')).toThrow(message);
  });
});
