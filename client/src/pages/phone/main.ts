// Phone page: press Start and this phone streams its accelerometer to /ws/device (hello with
// units m/s², source 'phone'; a samples frame every 200 ms) and shows what the server thinks it
// is doing. `?encoding=json` switches frames from msgpack to JSON (debugging); `?id=NAME` sets
// the device id. A dropped link reconnects and resumes the server's session (stream-session.ts):
// samples read meanwhile are sent on, and missed predictions come back. `?servers=wss://a:8080,
// wss://b:8080` lists gateways: a dropped link goes on at the next one (net/servers.ts).
import type { CalibrationStatusMessage } from '../../../../protocol/calibration-messages.js';
import { STANDARD_GRAVITY, type ErrorMessage, type PredictionMessage, type WelcomeMessage } from '../../../../protocol/sensor-messages.js';
import { AccelChart } from '../../charts/accel-chart.js';
import { FrameScheduler } from '../../charts/frame-scheduler.js';
import { ProbabilityChart } from '../../charts/probability-chart.js';
import { SignalRing } from '../../charts/signal-ring.js';
import { pageServers } from '../../net/servers.js';
import { messageType, ServerSocket } from '../../net/socket.js';
import { activityColor } from '../../shared/activity-colors.js';
import { errorMessage, requireElement, setVisible, showNotice } from '../../shared/dom.js';
import { mountPageShell } from '../../shared/page-shell.js';
import { ActivityLabelPicker } from './activity-label-picker.js';
import { CalibrationPanel } from './calibration-panel.js';
import { isValidDeviceId, stableDeviceId } from './device-id.js';
import { MotionSource, motionSupport, requestMotionPermission } from './motion-source.js';
import './phone.css';
import { PlacementPicker } from './placement-picker.js';
import { SampleBatcher } from './sample-batcher.js';
import { StreamSession } from './stream-session.js';
import { ScreenWakeLock } from './wake-lock.js';

const FRAME_INTERVAL_MS = 200;
/** No motion event this long after Start: the device has no usable accelerometer. */
const NO_DATA_TIMEOUT_MS = 3000;
/**
 * A reconnect refused as `id-in-use` usually means the server has not yet noticed that the old
 * link died (its heartbeat cuts a dead socket within two 30-s pings): retry for this long.
 */
const STALE_CONNECTION_RETRY_MS = 75_000;
/** How long "reconnected" notices stay up. */
const INFO_NOTICE_MS = 10_000;

const shell = mountPageShell('phone');
const params = new URLSearchParams(location.search);
const encoding = params.get('encoding') === 'json' ? 'json' : 'msgpack';
const requestedId = params.get('id');
const deviceId = requestedId && isValidDeviceId(requestedId) ? requestedId : stableDeviceId();
const servers = pageServers();

const startButton = requireElement<HTMLButtonElement>('#start');
const stopButton = requireElement<HTMLButtonElement>('#stop');
const support = requireElement('#support-notice');
const notice = requireElement('#phone-notice');
const labelEl = requireElement('#current-label');
const detailEl = requireElement('#prediction-detail');
const counters = requireElement('#counters');
const results = requireElement('#results');
const sourceEl = requireElement('#model-source');
const placement = new PlacementPicker(requireElement('#placement'), () => {
  if (socket.isOpen) showInfo('The new placement applies from the next Start.');
});
// `?teach=SECONDS` shortens each calibration recording (tests, demos); 20 s otherwise.
const teachSeconds = Number(params.get('teach'));
const calibration = new CalibrationPanel(
  requireElement('#calibration'),
  { send: (action) => welcome !== undefined && socket.isOpen && socket.send({ type: 'calibration', action }) },
  Number.isInteger(teachSeconds) && teachSeconds >= 3 && teachSeconds <= 60 ? teachSeconds : undefined,
);
requireElement('#device-id').textContent = deviceId;
const doing = new ActivityLabelPicker(requireElement('#doing'));

const frames = new FrameScheduler();
const signal = new SignalRing(600);
let accelChart: AccelChart | undefined;
let probChart: ProbabilityChart | undefined;

const batcher = new SampleBatcher();
const motion = new MotionSource((s) => {
  batcher.add(s);
  signal.push([s.t], [s.x / STANDARD_GRAVITY], [s.y / STANDARD_GRAVITY], [s.z / STANDARD_GRAVITY]);
});
const wakeLock = new ScreenWakeLock();
const stream = new StreamSession();
let welcome: WelcomeMessage | undefined;
let flushTimer: ReturnType<typeof setInterval> | undefined;
let noDataTimer: ReturnType<typeof setTimeout> | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
/** Since when reconnects have been refused as `id-in-use`, and how often. */
let refusedSince: number | undefined;
let refusals = 0;
let framesSent = 0;
let predictions = 0;

const socket = new ServerSocket(
  '/ws/device',
  {
    onOpen: (s) => {
      welcome = undefined;
      batcher.restartSeq(); // keeps the samples read while offline, for a resumed session
      s.send(stream.hello({ deviceId, units: 'm/s2', source: 'phone', description: describeBrowser(), placement: placement.placement, ...(doing.label ? { hasLabels: true } : {}) }, motion.rateHz));
    },
    onState: (state, text) => shell.setConnection(state, `server: ${text}`),
    onDecodeError: (error) => showNotice(notice, `Unreadable message from the server: ${error}`, 'error'),
    onMessage: (message) => {
      switch (messageType(message)) {
        case 'welcome':
          onWelcome(message as WelcomeMessage);
          break;
        case 'prediction':
          onPrediction(message as PredictionMessage);
          break;
        case 'calibration-status':
          calibration.onStatus(message as CalibrationStatusMessage);
          break;
        case 'error': {
          const err = message as ErrorMessage;
          if (err.code === 'id-in-use') {
            if (stream.isReconnect && Date.now() - (refusedSince ??= Date.now()) < STALE_CONNECTION_RETRY_MS) {
              retryAfterRefusal();
              break;
            }
            // Another tab or device streams under this id: retrying would only be refused again.
            stop();
            showNotice(notice, `${err.message}. Close the other tab or device, or open this page with ?id=another-name.`, 'error');
            break;
          }
          showNotice(notice, `Server: ${err.message} (${err.code})`, err.code === 'overloaded' ? 'warn' : 'error');
          break;
        }
        default:
          break;
      }
    },
  },
  { encoding, servers: servers.servers },
);
if (servers.problem) showNotice(notice, servers.problem, 'warn');

function onWelcome(message: WelcomeMessage): void {
  welcome = message;
  refusedSince = undefined;
  refusals = 0;
  const kind = stream.welcomed(message);
  batcher.setMaxSamplesPerFrame(message.limits.maxSamplesPerFrame);
  if (!probChart) probChart = new ProbabilityChart(requireElement<HTMLCanvasElement>('#probs canvas'), message.classes);
  calibration.setClasses(message.classes);
  doing.setClasses(message.classes);
  calibration.setConnected(true);
  if (kind === 'resumed') {
    // The samples buffered while offline fill the gap; the server re-sends what we missed.
    showInfo("Reconnected: the server resumed this phone's session, so no window was lost; predictions made while offline are re-sent.");
    return;
  }
  batcher.reset(); // a new session starts from now
  const firstAfter = `the first activity appears after ${Math.round((message.windowSize / message.rateHz) * 10) / 10} s of data`;
  if (kind === 'restarted') showInfo(`Reconnected as a new session (the server had already ended the previous one); ${firstAfter}.`);
  else showNotice(notice, '');
  detailEl.textContent = `Connected (${message.backend}); ${firstAfter}.`;
}

/** A passing note in the notice area (cleared after a while unless something replaced it). */
function showInfo(text: string): void {
  showNotice(notice, text, 'info');
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    if (notice.textContent === text) showNotice(notice, '');
  }, INFO_NOTICE_MS);
}

/** Our reconnect was refused because the server still holds the dead link: try again later. */
function retryAfterRefusal(): void {
  socket.stop();
  const delay = Math.min(10_000, 1000 * 2 ** refusals++);
  showNotice(notice, `The server still holds this phone's previous connection (it notices a dropped link within a minute). Trying again in ${Math.round(delay / 1000)} s…`, 'warn');
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => socket.start(), delay);
}

function onPrediction(message: PredictionMessage): void {
  if (!stream.accept(message)) return; // already shown before the link dropped
  predictions++;
  labelEl.textContent = message.label;
  labelEl.dataset.label = message.label;
  labelEl.style.borderColor = activityColor(message.label);
  const top = Math.max(...message.probs);
  detailEl.textContent = `${Math.round(top * 100)}% confident · server latency ${Math.round(message.latencyMs)} ms`;
  probChart?.update(message.probs);
  const source = message.source ?? 'shared';
  sourceEl.dataset.source = source;
  sourceEl.textContent = source === 'personal' ? 'your personal model' : 'shared model';
}

function flush(): void {
  // Only stream once welcomed; before that the server would answer 'not-hello'.
  if (welcome && socket.isOpen) {
    // A slow link: keep at most ~1 s queued in the browser rather than piling up.
    if (socket.bufferedAmount < 64 * 1024) {
      const frame = batcher.takeFrame();
      // Ground truth (the protocol's labels): the activity being taught, else what "I'm doing" says.
      const label = calibration.label ?? doing.label;
      if (frame && label) frame.labels = (frame.t as number[]).map(() => label);
      if (frame && socket.send(frame)) framesSent++;
    }
  }
  counters.textContent = `${motion.samples} samples read (${motion.rateHz} Hz) · ${framesSent} frames sent · ${predictions} predictions${
    stream.resumes > 0 ? ` · resumed ${stream.resumes}×` : ''
  }${batcher.dropped > 0 ? ` · ${batcher.dropped} dropped while offline` : ''}`;
  if (accelChart && signal.size > 0) frames.request(renderSignal);
}

const renderSignal = () => accelChart?.render(signal);

async function start(): Promise<void> {
  // iOS: the permission prompt must come straight from the click, before anything else.
  let permission: Awaited<ReturnType<typeof requestMotionPermission>>;
  try {
    permission = await requestMotionPermission();
  } catch (err) {
    showNotice(notice, `Could not ask for motion permission: ${errorMessage(err)}`, 'error');
    return;
  }
  if (permission === 'denied') {
    showNotice(notice, 'Motion access was denied. Allow "Motion & Orientation Access" for this site in the browser settings, then reload.', 'error');
    return;
  }
  startButton.disabled = true;
  stopButton.disabled = false;
  setVisible(results, true);
  accelChart ??= new AccelChart(requireElement<HTMLCanvasElement>('#signal canvas'), { windowSeconds: 10, maxPoints: 250 });
  labelEl.textContent = 'starting…';
  motion.start();
  socket.start();
  flushTimer = setInterval(flush, FRAME_INTERVAL_MS);
  void wakeLock.acquire();
  noDataTimer = setTimeout(() => {
    if (motion.samples === 0) {
      showNotice(notice, 'No accelerometer data yet. This device may have no motion sensor (most laptops and desktops do not), or the browser blocks it.', 'warn');
    }
  }, NO_DATA_TIMEOUT_MS);
}

function stop(): void {
  motion.stop();
  socket.stop();
  stream.end();
  refusedSince = undefined;
  refusals = 0;
  clearInterval(flushTimer);
  clearTimeout(noDataTimer);
  clearTimeout(retryTimer);
  void wakeLock.release();
  welcome = undefined;
  calibration.setConnected(false);
  startButton.disabled = false;
  stopButton.disabled = true;
  labelEl.textContent = 'stopped';
  startButton.focus();
}

function describeBrowser(): string {
  const ua = navigator.userAgent;
  const platform = /iPhone|iPad|Android|Windows|Mac OS X|Linux/.exec(ua)?.[0] ?? 'unknown device';
  const browser = /(Firefox|Edg|Chrome|Safari)\/[\d.]+/.exec(ua)?.[0] ?? 'browser';
  return `${platform}, ${browser}`.slice(0, 120);
}

const supported = motionSupport();
if (!supported.ok) {
  showNotice(support, supported.message, 'error');
  startButton.disabled = true;
} else {
  startButton.addEventListener('click', () => void start());
  stopButton.addEventListener('click', stop);
}
