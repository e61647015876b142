// `npm run docs:config [-- --check]`: rewrites the options table in server/README.md from
// server/config/options.ts; --check only says whether it is current (exit 1 when stale).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseOptions } from '../../cli/args.js';
import { runMain } from '../../cli/subcommands.js';
import { withReadmeTable } from './readme-table.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

async function main(argv: string[]): Promise<void> {
  const opts = parseOptions(
    {
      usage: 'npm run docs:config -- [--check]',
      summary: "Writes server/README.md's options table from server/config/options.ts.",
      options: { check: { type: 'boolean', default: false, description: 'only check that the table is current (exit 1 when stale)' } },
    },
    argv,
  );
  const before = readFileSync(README, 'utf8');
  const after = withReadmeTable(before);
  const current = before === after;
  if (!current && !opts.check) {
    writeFileSync(README, after);
    console.error('docs:config: server/README.md options table rewritten');
  } else {
    console.error(`docs:config: server/README.md options table is ${current ? 'current' : 'stale (run npm run docs:config)'}`);
  }
  if (!current && opts.check) process.exitCode = 1;
  console.log(JSON.stringify({ readme: 'server/README.md', current, written: !current && !opts.check }));
}

await runMain('docs:config', () => main(process.argv.slice(2)));
