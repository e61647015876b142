// /metrics covers the text and image services (requests, latency, error replies by code) and
// follows Prometheus naming: counters end in _total, durations in _seconds, sizes in _bytes, and
// no series is NaN. A real server on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceOf } from '../../server/metrics/http-metrics.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
}, 60_000);
afterAll(() => srv?.close());

function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) out.set(line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1)));
  return out;
}

describe('/metrics', () => {
  it('counts text and image requests, their latency and their error replies by code', async () => {
    const get = (path: string) => fetch(`${srv.url}${path}`).then((r) => r.text());
    const post = (path: string, body: string) => fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.text());
    await get('/api/text/models');
    await post('/api/text/generate', '{"topK": -1}');
    await get('/api/images/kernels');
    await get('/api/images/kernels');
    await post('/api/images/convolve', '{"image": 1}');
    await get('/api/no-such-route');
    const text = await get('/metrics');
    const requests = samples(text, 'sensorium_http_requests_total');
    expect(requests.get('sensorium_http_requests_total{service="text",route="/api/text/models",method="GET",status="200"}')).toBe(1);
    expect(requests.get('sensorium_http_requests_total{service="text",route="/api/text/generate",method="POST",status="400"}')).toBe(1);
    expect(requests.get('sensorium_http_requests_total{service="images",route="/api/images/kernels",method="GET",status="200"}')).toBe(2);
    expect(requests.get('sensorium_http_requests_total{service="unmatched",route="unmatched",method="GET",status="404"}')).toBe(1);
    const errors = samples(text, 'sensorium_http_errors_total');
    expect(errors.get('sensorium_http_errors_total{service="text",route="/api/text/generate",code="invalid-request"}')).toBe(1);
    expect(errors.get('sensorium_http_errors_total{service="images",route="/api/images/convolve",code="missing-kernel"}')).toBe(1);
    expect(errors.get('sensorium_http_errors_total{service="unmatched",route="unmatched",code="not-found"}')).toBe(1);
    const latency = samples(text, 'sensorium_http_request_duration_seconds_count');
    expect(latency.get('sensorium_http_request_duration_seconds_count{service="images",route="/api/images/kernels"}')).toBe(2);
    expect(samples(text, 'sensorium_http_request_duration_seconds_sum').get('sensorium_http_request_duration_seconds_sum{service="text",route="/api/text/models"}')).toBeGreaterThan(0);
    // The unknown path itself is never a label.
    expect(text).not.toContain('no-such-route');
  });

  it('follows Prometheus naming and has no NaN', async () => {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name: name!, type: type! }));
    const ours = types.filter((t) => t.name.startsWith('sensorium_'));
    expect(ours.length).toBeGreaterThan(20);
    for (const { name, type } of ours) {
      if (type === 'counter') expect(name, name).toMatch(/_total$/);
      else expect(name, name).not.toMatch(/_total$/);
      if (/(duration|latency|wait|lag)/.test(name)) expect(name, name).toMatch(/_seconds$/);
      if (/(heap|memory|bytes)/.test(name)) expect(name, name).toMatch(/_bytes(_total)?$/);
    }
    expect(text).not.toMatch(/ nan$/im);
  });

  it('groups routes into services', () => {
    expect(
      ['/ws/text', '/api/text/generate', '/api/vae/sample', '/api/gan/interpolate', '/api/images/convolve', '/api/recordings/:id', '/api/models', '/recordings/', 'unmatched'].map(serviceOf),
    ).toEqual(['text', 'text', 'images', 'images', 'images', 'recordings', 'api', 'client', 'unmatched']);
  });
});
