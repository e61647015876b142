// Plain 2-D number matrices (rows of equal length) for the convolution playground: no tensors,
// so integer inputs give exact integer results.

export type Matrix = number[][];

export class MatrixError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatrixError';
  }
}

/** Checks that `m` is a non-empty rectangular matrix of finite numbers; returns [rows, cols]. */
export function checkMatrix(m: unknown, what: string): [number, number] {
  if (!Array.isArray(m) || m.length === 0) throw new MatrixError(`${what} must be a non-empty array of rows`);
  const cols = Array.isArray(m[0]) ? m[0].length : -1;
  if (cols <= 0) throw new MatrixError(`${what} row 0 must be a non-empty array of numbers`);
  m.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new MatrixError(`${what} must be rectangular: row ${r} has ${Array.isArray(row) ? row.length : 'no'} entries, row 0 has ${cols}`);
    }
    row.forEach((v, c) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new MatrixError(`${what}[${r}][${c}] is not a finite number`);
    });
  });
  return [m.length, cols];
}

export function isIntegerMatrix(m: Matrix): boolean {
  return m.every((row) => row.every(Number.isInteger));
}

/** The matrix turned by 180 degrees (what true convolution does to the kernel). */
export function rotate180(m: Matrix): Matrix {
  return m.map((row) => [...row].reverse()).reverse();
}

export function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}
