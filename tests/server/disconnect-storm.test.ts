// Hundreds of sockets opening and dropping in every way (before the handshake ends, before and
// after hello, mid-stream, with garbage, cleanly and abruptly) while a neighbour streams: the
// neighbour keeps getting every prediction, and afterwards nothing is left behind (devices,
// sessions, connections, tensors).
import { connect } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { WebSocket } from 'ws';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ reconnectGraceMs: 300, maxDevices: 1000 });
});
afterAll(() => srv?.close());

const STORM = 400;

/** One short-lived client; `kind` picks how it ends. */
async function stormClient(url: string, kind: number, i: number): Promise<void> {
  if (kind === 0) {
    // Half an HTTP upgrade, then gone.
    const { hostname, port } = new URL(url.replace(/^ws/, 'http'));
    await new Promise<void>((resolve) => {
      const s = connect(Number(port), hostname, () => {
        s.write('GET /ws/device HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
        setTimeout(() => s.destroy(), 5);
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    return;
  }
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  await new Promise<void>((resolve) => {
    ws.on('close', () => resolve());
    ws.on('unexpected-response', () => resolve());
    ws.on('open', () => {
      const id = `storm-${i}`;
      if (kind === 1) return ws.terminate();
      ws.send(JSON.stringify({ type: 'hello', deviceId: id, rateHz: 50, units: 'g' }));
      if (kind === 2) return setTimeout(() => ws.terminate(), 2);
      const t = Array.from({ length: 200 }, (_, k) => 1000 + k * 20);
      const zeros = t.map(() => 0);
      ws.send(JSON.stringify({ type: 'samples', seq: 0, t, x: zeros, y: zeros, z: t.map(() => 1) }));
      if (kind === 3) return setTimeout(() => ws.close(), 10);
      ws.send(Buffer.from([0xc1, 0xc1, 0xc1])); // garbage
      if (kind === 4) return setTimeout(() => ws.terminate(), 10);
      ws.close(CloseCode.normal);
    });
  });
}

describe('disconnect storms', () => {
  it('leave the neighbours streaming and nothing behind', async () => {
    const neighbour = await TestClient.connect(srv.wsUrl('/ws/device'));
    neighbour.send({ type: 'hello', deviceId: 'neighbour', rateHz: 50, units: 'g' });
    await neighbour.count('welcome', 1);
    const frames = toFrames(labelledRecording([['walking', 30]]), 50, false);
    // Warm up so that tensors allocated once (kernels, weights) are in place before counting.
    for (const f of frames.slice(0, 4)) neighbour.send(f);
    await neighbour.count('prediction', 2);
    const tensorsBefore = tf.memory().numTensors;

    let sent = 4;
    const streaming = (async () => {
      for (; sent < frames.length; sent++) {
        neighbour.send(frames[sent]);
        await sleep(20);
      }
    })();
    const url = srv.wsUrl('/ws/device');
    for (let from = 0; from < STORM; from += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => stormClient(url, (from + k) % 6, from + k)));
    }
    await streaming;
    const windows = Math.floor((frames.length * 50 - 128) / 64) + 1;
    await neighbour.count('prediction', windows);
    expect(neighbour.of('error')).toEqual([]);

    await sleep(600); // > reconnectGraceMs: abandoned sessions end
    const health = await fetch(`${srv.url}/api/health`).then((r) => r.json());
    expect(health.devicesConnected).toBe(1);
    expect(srv.server.parts.sessions.size).toBe(1);
    expect(srv.server.router.connections()['/ws/device']).toBe(1);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    await neighbour.close();
  }, 60_000);
});
