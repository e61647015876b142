// HTTP traffic by service (text, images, recordings…): requests, latency and error replies,
// recorded by hooks on the root Fastify instance (plugins/metrics.ts). Labels come from the
// route's pattern, never the URL as sent, so a scanner's random paths cannot grow the series:
// requests no route matched count as route "unmatched".
import { Counter, Histogram, type Registry } from 'prom-client';

/** The service a route belongs to, for dashboards that split the server by what it does. */
export function serviceOf(route: string): string {
  if (route.startsWith('/api/text') || route === '/ws/text') return 'text';
  if (/^\/api\/(images|vae|gan)(\/|$)/.test(route)) return 'images';
  if (route.startsWith('/api/recordings')) return 'recordings';
  if (route.startsWith('/api/sensor-logger')) return 'sensor-logger';
  if (route === '/api/health' || route === '/metrics' || route === '/api/openapi.json') return 'operations';
  if (route.startsWith('/ws/')) return 'devices';
  if (route.startsWith('/api/')) return 'api'; // model cards, phone links and newer route groups
  return route === 'unmatched' ? 'unmatched' : 'client';
}

export class HttpMetrics {
  private readonly requests: Counter<'service' | 'route' | 'method' | 'status'>;
  private readonly duration: Histogram<'service' | 'route'>;
  private readonly errors: Counter<'service' | 'route' | 'code'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'sensorium_http_requests_total',
      help: 'HTTP requests answered, by service, route pattern, method and status',
      labelNames: ['service', 'route', 'method', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'sensorium_http_request_duration_seconds',
      help: 'Request received -> response finished (a streamed text generation: until its last token), by service and route pattern',
      labelNames: ['service', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.errors = new Counter({
      name: 'sensorium_http_errors_total',
      help: 'HTTP error replies (status >= 400) by service, route pattern and error code (the `error` of the reply)',
      labelNames: ['service', 'route', 'code'],
      registers,
    });
  }

  /** One finished response; `route` undefined when no route matched (404). */
  response(route: string | undefined, method: string, status: number, seconds: number, errorCode: string | undefined): void {
    const r = route ?? 'unmatched';
    const service = serviceOf(r);
    this.requests.inc({ service, route: r, method, status: String(status) });
    this.duration.observe({ service, route: r }, seconds);
    if (status >= 400) this.errors.inc({ service, route: r, code: errorCode ?? `http-${status}` });
  }
}

/** The `error` code of a JSON error reply's payload, when it is one (cheap: only short strings are parsed). */
export function errorCodeOf(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || payload.length > 4096 || !payload.startsWith('{')) return undefined;
  try {
    const code = (JSON.parse(payload) as { error?: unknown }).error;
    // Error codes are kebab-case words: anything else (a free-text field) would be an unbounded label.
    return typeof code === 'string' && /^[a-z0-9-]{1,40}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
