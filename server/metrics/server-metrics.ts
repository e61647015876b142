// Prometheus metrics of one server (its own prom-client Registry, so several servers in one
// process — tests — don't mix): connections, frames, samples, predictions and errors (counters),
// inference batching and latency (histograms), queue depth, TensorFlow.js memory, recordings,
// and prom-client's process metrics (RSS, heap, event-loop lag), plus the live heap after the
// last full GC (a leak's signal: heap_used is a sawtooth of garbage). Counters are incremented
// as things happen; gauges are read when /metrics is scraped.
import * as tf from '@tensorflow/tfjs';
import { threadMemory, type ThreadMemory } from '../../models/runtime/thread-memory.js';
import { HttpMetrics } from './http-metrics.js';
import { LiveHeap } from './live-heap.js';
import { setOrOmit } from './set-or-omit.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../../protocol/sensor-messages.js';
import type { TextErrorCode } from '../../protocol/text-messages.js';
import type { StatsObserver } from '../stats/server-stats.js';
import type { RefusalReason } from '../ws/upgrade-router.js';

/** What the gauges read at scrape time. */
export interface MetricSources {
  connections(): Record<string, number>;
  devices(): number;
  detachedSessions(): number;
  queueDepth(): number;
  dashboardMessagesDropped(): number;
  recordingsActive(): number;
  /**
   * TensorFlow.js memory of the inference worker, when the HAR model runs in one (its tensors are
   * not in this thread's tf.memory()); undefined when it runs in this thread.
   */
  inferenceTfMemory?(): Promise<ThreadMemory> | undefined;
  /** TensorFlow.js memory of the text models' step worker (server/text/worker-stepper.ts); undefined without a text service. */
  textTfMemory?(): Promise<ThreadMemory> | undefined;
}

const MS = 1000;

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly frames = new Counter({ name: 'sensorium_frames_total', help: 'Device sample frames accepted for processing', registers: [this.registry] });
  private readonly samples = new Counter({ name: 'sensorium_samples_total', help: 'Samples in accepted device frames', registers: [this.registry] });
  private readonly predictions = new Counter({ name: 'sensorium_predictions_total', help: 'Predictions sent', registers: [this.registry] });
  private readonly errors = new Counter({
    name: 'sensorium_errors_total',
    help: 'Error replies by code (counted even when rate limiting kept them from being sent)',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly textErrors = new Counter({
    name: 'sensorium_text_errors_total',
    help: '/ws/text errors by code (counted even when rate limiting kept them from being sent)',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly refused = new Counter({ name: 'sensorium_connections_refused_total', help: 'WebSocket upgrades refused, by reason', labelNames: ['reason'], registers: [this.registry] });
  private readonly opened = new Counter({ name: 'sensorium_connections_opened_total', help: 'WebSocket connections accepted, by endpoint', labelNames: ['endpoint'], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: 'sensorium_prediction_latency_seconds',
    help: 'Last sample of a window received -> its prediction sent',
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({ name: 'sensorium_inference_batch_size', help: 'Windows per model call', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [this.registry] });
  private readonly queueWait = new Histogram({
    name: 'sensorium_inference_queue_wait_seconds',
    help: 'Time a window waited in the batching queue',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [this.registry],
  });
  private readonly inference = new Histogram({
    name: 'sensorium_inference_duration_seconds',
    help: 'Duration of one batched model call',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  private readonly liveHeap = new LiveHeap();
  /** HTTP requests, latency and error replies by service (text, images…); fed by plugins/metrics.ts. */
  readonly http = new HttpMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    const live = this.liveHeap;
    new Gauge({
      name: 'sensorium_heap_live_bytes',
      help: 'Old-generation heap in use right after the latest full (mark-compact) GC: what survives, without the garbage in nodejs_heap_size_used_bytes (absent before the first full GC)',
      registers: [this.registry],
      collect() {
        setOrOmit(this, live.bytes);
      },
    });
  }

  /** Feeds ServerStats events into the counters and the latency histogram. */
  readonly statsObserver: StatsObserver = {
    frame: (samples) => {
      this.frames.inc();
      this.samples.inc(samples);
    },
    prediction: (latencyMs) => {
      this.predictions.inc();
      this.latency.observe(latencyMs / MS);
    },
    error: (code: ErrorCode) => this.errors.inc({ code }),
  };

  /** DynamicBatcher's onBatch hook. */
  readonly onBatch = (b: { size: number; waitsMs: readonly number[]; runMs: number; failed: boolean }): void => {
    this.batchSize.observe(b.size);
    for (const w of b.waitsMs) this.queueWait.observe(w / MS);
    this.inference.observe({ outcome: b.failed ? 'failed' : 'ok' }, b.runMs / MS);
  };

  textError(code: TextErrorCode): void {
    this.textErrors.inc({ code });
  }

  refusedConnection(reason: RefusalReason): void {
    this.refused.inc({ reason });
  }

  openedConnection(endpoint: string): void {
    this.opened.inc({ endpoint });
  }

  /** Gauges read from the server's state at scrape time. */
  watch(src: MetricSources): void {
    const r = [this.registry];
    new Gauge({
      name: 'sensorium_connections',
      help: 'Open WebSocket connections by endpoint',
      labelNames: ['endpoint'],
      registers: r,
      collect() {
        this.reset();
        for (const [endpoint, n] of Object.entries(src.connections())) this.set({ endpoint }, n);
      },
    });
    gauge(r, 'sensorium_devices', 'Devices in the device list (WebSocket and Sensor Logger)', src.devices);
    gauge(r, 'sensorium_devices_detached', 'Device sessions waiting for their device to reconnect', src.detachedSessions);
    gauge(r, 'sensorium_inference_queue_depth', 'Windows waiting for inference', src.queueDepth);
    gauge(r, 'sensorium_recordings_active', 'Recording files open', src.recordingsActive);
    gauge(
      r,
      'sensorium_tf_tensors',
      "TensorFlow.js tensors alive in the main thread (the HAR model's when it runs here, else in sensorium_inference_tf_tensors; the text and image models run in worker threads of their own)",
      () => tf.memory().numTensors,
    );
    gauge(r, 'sensorium_tf_bytes', 'Bytes held by TensorFlow.js tensors in the main thread', () => tf.memory().numBytes);
    const worker = (read: MetricSources['inferenceTfMemory'], pick: 'numTensors' | 'numBytes') =>
      async function collect(this: Gauge) {
        const m = await read?.()?.catch(() => undefined);
        setOrOmit(this, m?.[pick]);
      };
    // One question to each worker per scrape: its four gauges share the answer in flight.
    const inference = sharedWhilePending(() => src.inferenceTfMemory?.());
    const text = sharedWhilePending(() => src.textTfMemory?.());
    new Gauge({
      name: 'sensorium_inference_tf_tensors',
      help: "The inference worker's TensorFlow.js tensors alive (absent when the model runs in the main thread or the worker does not answer)",
      registers: r,
      collect: worker(inference, 'numTensors'),
    });
    new Gauge({ name: 'sensorium_inference_tf_bytes', help: "Bytes held by the inference worker's TensorFlow.js tensors", registers: r, collect: worker(inference, 'numBytes') });
    new Gauge({
      name: 'sensorium_text_tf_tensors',
      help: "The text models' step worker's TensorFlow.js tensors alive (0 before a text model is loaded; absent when the worker does not answer)",
      registers: r,
      collect: worker(text, 'numTensors'),
    });
    new Gauge({ name: 'sensorium_text_tf_bytes', help: "Bytes held by the text models' step worker's TensorFlow.js tensors", registers: r, collect: worker(text, 'numBytes') });
    // Where the RSS is, thread by thread (each thread's V8 heap and WASM memory; malloc's share is the rest).
    const threads = async () => {
      const [inferenceMem, textMem] = await Promise.all([inference()?.catch(() => undefined), text()?.catch(() => undefined)]);
      return { main: threadMemory(), inference: inferenceMem, text: textMem };
    };
    const perThread = (pick: 'heapTotalBytes' | 'wasmBytes') =>
      async function collect(this: Gauge) {
        this.reset();
        for (const [thread, m] of Object.entries(await threads())) if (m) this.set({ thread }, m[pick]);
      };
    new Gauge({
      name: 'sensorium_thread_heap_bytes',
      help: 'V8 heap reserved by each thread: main, inference (the HAR worker, when there is one), text (the step worker)',
      labelNames: ['thread'],
      registers: r,
      collect: perThread('heapTotalBytes'),
    });
    new Gauge({
      name: 'sensorium_thread_wasm_bytes',
      help: "Each thread's WASM backend memory (it only grows: the largest batch run, plus the allocator's slack); 0 on other backends",
      labelNames: ['thread'],
      registers: r,
      collect: perThread('wasmBytes'),
    });
    new Counter({
      name: 'sensorium_dashboard_messages_dropped_total',
      help: 'Messages not sent to dashboards that read too slowly',
      registers: r,
      collect() {
        this.reset();
        this.inc(src.dashboardMessagesDropped());
      },
    });
  }

  /** The exposition text, without NaN samples (prom-client's event-loop mean and stddev before any sample): absent, not NaN. */
  async text(): Promise<string> {
    return (await this.registry.metrics()).replace(/^[^#\n][^\n]* nan\n/gim, '');
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.liveHeap.close();
    this.registry.clear();
  }
}

function gauge(registers: Registry[], name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}

/** `read`, but a call while an earlier one is still pending gets that one's promise. */
function sharedWhilePending<T>(read: () => Promise<T> | undefined): () => Promise<T> | undefined {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending) return pending;
    const p = read();
    if (!p) return undefined;
    pending = p;
    const clear = () => {
      if (pending === p) pending = undefined;
    };
    p.then(clear, clear);
    return p;
  };
}
