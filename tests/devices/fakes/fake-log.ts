// A Log (server/log.ts) that keeps what it is told, so tests can check what was logged.
import type { Log } from '../../../server/log.js';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

export class FakeLog implements Log {
  readonly entries: LogEntry[] = [];

  info(obj: object, msg: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }

  warn(obj: object, msg: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }

  error(obj: object, msg: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }

  errors(): LogEntry[] {
    return this.entries.filter((e) => e.level === 'error');
  }
}
