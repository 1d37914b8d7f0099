// Container health check: exits 0 when the service named by SERVICE answers its health endpoint, else 1.

const ports = {
  factorial: process.env.FACTORIAL_METRICS_PORT || '9464',
  math: process.env.MATH_PORT || '4001',
  primes: process.env.PRIMES_PORT || '4002',
  gateway: process.env.GATEWAY_PORT || '4000',
};
const paths = { factorial: '/health', math: '/health', primes: '/health', gateway: '/ready' };
const service = (process.env.SERVICE ?? '') as keyof typeof ports;

if (!(service in ports)) {
  console.error(`SERVICE must be one of ${Object.keys(ports).join(', ')}, but got: ${JSON.stringify(process.env.SERVICE)}`);
  process.exit(1);
}
fetch(`http://127.0.0.1:${ports[service]}${paths[service]}`, { signal: AbortSignal.timeout(2000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
