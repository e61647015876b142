// package.json's engines.node and the installed packages' own engines.node agree: no package in
// package-lock.json excludes the lowest Node the project claims, nor the Node running the tests
// (otherwise `npm ci` prints EBADENGINE, and the dependency may really need the newer Node).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findEngineMismatches, nodeVersionsToCheck, type Lockfile } from '../../scripts/check-engines.js';

const root = new URL('../../', import.meta.url);
const project = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as Lockfile;

describe('Node engines', () => {
  it('every locked package accepts the Node versions package.json claims', () => {
    const versions = nodeVersionsToCheck(project.engines.node, process.version);
    expect(versions[0]).toBe('20.19.0');
    expect(findEngineMismatches(lock, versions)).toEqual([]);
  });

  it('finds a package that wants a newer Node than the project claims', () => {
    const fake: Lockfile = {
      packages: {
        '': { version: '0.1.0', engines: { node: '>=20.19' } },
        'node_modules/old-style': { version: '1.0.0', engines: ['node >= 0.4'] },
        'node_modules/fine': { version: '1.0.0', engines: { node: '18 || 20 || >=22' } },
        'node_modules/needs-22': { version: '3.0.0', engines: { node: '>= 22.x' } },
        'node_modules/a/node_modules/late-20': { version: '2.0.0', engines: { node: '^20.20.0 || >=22' } },
      },
    };
    expect(findEngineMismatches(fake, nodeVersionsToCheck('>=20.19', 'v20.20.2'))).toEqual([
      { path: 'node_modules/needs-22', version: '3.0.0', wants: '>= 22.x', excludes: '20.19.0' },
      { path: 'node_modules/needs-22', version: '3.0.0', wants: '>= 22.x', excludes: '20.20.2' },
      { path: 'node_modules/a/node_modules/late-20', version: '2.0.0', wants: '^20.20.0 || >=22', excludes: '20.19.0' },
    ]);
  });

  it('holds packages to the running Node only when the project claims it', () => {
    expect(nodeVersionsToCheck('>=20.19', 'v22.3.0')).toEqual(['20.19.0', '22.3.0']);
    expect(nodeVersionsToCheck('>=20.19', 'v18.20.0')).toEqual(['20.19.0']);
    expect(() => nodeVersionsToCheck('not a range')).toThrow(/not a valid range/);
  });
});
