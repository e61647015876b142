// The file operations recordings need, behind one small interface so that tests can put a
// failing or stalled disk under a real server (ENOSPC, EIO, slow writes) without root or a
// full filesystem. NODE_RECORDING_FILES is the real one.
import { mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface RecordingFile {
  append(text: string): Promise<void>;
  /** Makes what was appended durable (fdatasync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface RecordingFiles {
  /** Creates a new file (never someone else's: fails if it exists), making its folder first. */
  create(path: string): Promise<RecordingFile>;
  remove(path: string): Promise<void>;
}

export const NODE_RECORDING_FILES: RecordingFiles = {
  async create(path) {
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(path, 'wx');
    return {
      append: (text) => fh.appendFile(text, 'utf8'),
      sync: () => fh.datasync(),
      close: () => fh.close(),
    };
  },
  remove: (path) => unlink(path),
};
