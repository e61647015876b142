// Keeps the screen on while streaming: phones stop motion events when the screen turns off.
// Best effort — browsers without the Wake Lock API simply do not get it.

interface WakeLockSentinelLike {
  release(): Promise<void>;
}

export class ScreenWakeLock {
  private sentinel: WakeLockSentinelLike | undefined;
  private wanted = false;

  async acquire(): Promise<boolean> {
    this.wanted = true;
    document.addEventListener('visibilitychange', this.reacquire);
    return this.request();
  }

  async release(): Promise<void> {
    this.wanted = false;
    document.removeEventListener('visibilitychange', this.reacquire);
    const s = this.sentinel;
    this.sentinel = undefined;
    await s?.release().catch(() => undefined);
  }

  private async request(): Promise<boolean> {
    const wakeLock = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<WakeLockSentinelLike> } }).wakeLock;
    if (!wakeLock) return false;
    try {
      this.sentinel = await wakeLock.request('screen');
      return true;
    } catch {
      return false; // e.g. battery saver, or page not visible
    }
  }

  // The lock is dropped when the page is hidden; take it again when it comes back.
  private readonly reacquire = (): void => {
    if (this.wanted && document.visibilityState === 'visible') void this.request();
  };
}
