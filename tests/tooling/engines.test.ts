// package.json's engines.node and the installed packages' own engines.node agree: every package
// in package-lock.json accepts every Node the project claims (otherwise `npm ci` prints
// EBADENGINE on some of them, and the dependency may really need a newer Node).
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { findEngineMismatches, type Lockfile } from '../../scripts/check-engines.js';

const root = new URL('../../', import.meta.url);
const project = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as Lockfile;

describe('Node engines', () => {
  it('every locked package accepts every Node version package.json claims, this one among them', () => {
    expect(findEngineMismatches(lock, project.engines.node)).toEqual([]);
    expect((lock.packages['']!.engines as { node: string }).node).toBe(project.engines.node); // the lock is current
    expect(semver.satisfies(process.version, project.engines.node)).toBe(true);
  });

  it('finds a package that leaves out part of the claimed range', () => {
    const fake: Lockfile = {
      packages: {
        '': { version: '0.1.0', engines: { node: '>=20' } },
        'node_modules/old-style': { version: '1.0.0', engines: ['node >= 0.4'] },
        'node_modules/fine': { version: '1.0.0', engines: { node: '18 || 20 || >=22' } },
        'node_modules/needs-22': { version: '3.0.0', engines: { node: '>= 22.x' } },
        'node_modules/a/node_modules/late-20': { version: '2.0.0', engines: { node: '^20.20.0 || >=22' } },
        'node_modules/no-23': { version: '5.0.1', engines: { node: '^20.19.0 || ^22.13.0 || >=24' } },
      },
    };
    const paths = (range: string) => findEngineMismatches(fake, range).map((m) => m.path);
    // What this project claimed before: 21 and 20.0-20.18 too.
    expect(paths('>=20')).toEqual(['node_modules/fine', 'node_modules/needs-22', 'node_modules/a/node_modules/late-20', 'node_modules/no-23']);
    expect(paths('^20.19.0 || ^22.13.0 || >=24')).toEqual(['node_modules/needs-22', 'node_modules/a/node_modules/late-20']);
    expect(paths('>=24')).toEqual([]);
    expect(findEngineMismatches(fake, '>=21')[0]).toEqual({ path: 'node_modules/fine', version: '1.0.0', wants: '18 || 20 || >=22' });
    expect(() => findEngineMismatches(fake, 'not a range')).toThrow(/not a valid range/);
  });
});
