// A stable device id per browser (kept in localStorage), so the dashboard shows the same phone
// under the same name across reloads. Matches the protocol's [A-Za-z0-9._:-]{1,64}.

const KEY = 'sensorium.deviceId';

export function stableDeviceId(storage: Storage | undefined = safeStorage()): string {
  const existing = storage?.getItem(KEY);
  if (existing && /^[A-Za-z0-9._:-]{1,64}$/.test(existing)) return existing;
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  const id = `phone-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  storage?.setItem(KEY, id);
  return id;
}

export function isValidDeviceId(id: string): boolean {
  return /^[A-Za-z0-9._:-]{1,64}$/.test(id);
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // private mode or storage disabled
  }
}
