// Dashboard page: subscribes to every device on /ws/dashboard, lists them, and shows the
// selected one in detail. Messages only update buffers; drawing happens once per animation
// frame (FrameScheduler), and only for what changed. `?servers=wss://a:8080,wss://b:8080` lists
// gateways: when one goes away the page reconnects to the next and subscribes again there.
import type { DeviceInfo, PredictionMessage, ServerStatsMessage, SignalMessage } from '../../../../protocol/sensor-messages.js';
import { FrameScheduler } from '../../charts/frame-scheduler.js';
import { pageServers } from '../../net/servers.js';
import { messageType, ServerSocket } from '../../net/socket.js';
import { errorMessage, requireElement, showNotice } from '../../shared/dom.js';
import { mountPageShell } from '../../shared/page-shell.js';
import './dashboard.css';
import { DeviceDetail } from './device-detail.js';
import { DeviceStore } from './device-store.js';
import { DeviceTable } from './device-table.js';
import { fetchHealth, ServerPanel } from './server-panel.js';
import { showConnectPhonePanel } from './connect-phone-panel.js';

const shell = mountPageShell('dashboard');
const notice = requireElement('#dashboard-notice');
const healthNotice = requireElement('#health-notice');
const store = new DeviceStore();
const frames = new FrameScheduler();
const serverPanel = new ServerPanel(requireElement('#server-panel'));
const detail = new DeviceDetail(requireElement('#device-detail'), store.classes);
const table = new DeviceTable(requireElement('#device-table tbody'), requireElement('#no-devices'), select);

let selected: string | undefined = decodeURIComponent(new URLSearchParams(location.hash.slice(1)).get('device') ?? '') || undefined;

function select(id: string): void {
  selected = id;
  history.replaceState(null, '', `#device=${encodeURIComponent(id)}`);
  renderSelection();
}

function renderSelection(): void {
  const state = selected === undefined ? undefined : store.devices.get(selected);
  table.render(store.devices, selected);
  detail.showDevice(selected, state);
  detail.renderAll(state);
}

const renderTable = () => table.render(store.devices, selected);
const renderSignal = () => {
  const state = selected === undefined ? undefined : store.devices.get(selected);
  if (state) detail.renderSignal(state);
};
const renderPrediction = () => {
  const state = selected === undefined ? undefined : store.devices.get(selected);
  if (state) detail.renderPrediction(state);
};

function onDevices(devices: DeviceInfo[]): void {
  store.setDevices(devices, selected);
  // Watch the first device when nothing (or a vanished device) is selected.
  if ((selected === undefined || !store.devices.has(selected)) && devices.length > 0) selected = devices[0]!.deviceId;
  frames.request(renderSelection);
}

const servers = pageServers();
const socket = new ServerSocket(
  '/ws/dashboard',
  {
    // Every (re)connection, to whichever gateway, subscribes afresh.
    onOpen: (s) => s.send({ type: 'subscribe', devices: '*' }),
    onState: (state, detailText) => {
      shell.setConnection(state, `server: ${detailText}`);
      if (state === 'open') showNotice(notice, '');
      else if (state === 'closed') showNotice(notice, `Lost the connection to the server (${detailText}).`, 'warn');
    },
    onDecodeError: (error) => showNotice(notice, `Unreadable message from the server: ${error}`, 'error'),
    onMessage: (message) => {
      switch (messageType(message)) {
        case 'devices':
          onDevices((message as { devices: DeviceInfo[] }).devices);
          break;
        case 'signal': {
          const state = store.addSignal(message as SignalMessage);
          if (state && (message as SignalMessage).deviceId === selected) frames.request(renderSignal);
          break;
        }
        case 'prediction': {
          const state = store.addPrediction(message as PredictionMessage);
          if (!state) break;
          frames.request(renderTable);
          if ((message as PredictionMessage).deviceId === selected) frames.request(renderPrediction);
          break;
        }
        case 'stats':
          serverPanel.showStats(message as ServerStatsMessage);
          break;
        case 'error': {
          const { code, message: text } = message as { code: string; message: string };
          showNotice(notice, `Server error (${code}): ${text}`, 'error');
          break;
        }
        default:
          break; // newer server messages this page does not know yet
      }
    },
  },
  { servers: servers.servers },
);
socket.start();
if (servers.problem) showNotice(healthNotice, servers.problem, 'warn');

fetchHealth()
  .then((health) => {
    const warnings = serverPanel.showHealth(health);
    if (health.status === 'degraded') showNotice(healthNotice, `Server not ready: ${health.problems?.join(' · ') ?? 'see /api/health'}`, 'error');
    else if (warnings.length > 0) showNotice(healthNotice, warnings.join(' · '), 'warn');
  })
  .catch((err: unknown) => showNotice(notice, `Server health check failed: ${errorMessage(err)}`, 'warn'));

// Off loopback: the phone page's LAN URL(s) as QR codes.
void showConnectPhonePanel(requireElement('#connect-phone'));

setInterval(() => serverPanel.tick(), 1000);
renderSelection();
