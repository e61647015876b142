// The options table of server/README.md, written from the options table (`npm run docs:config`
// puts it between the markers; a test fails when the README's copy is stale).
import { bySection, defaultText, flagText } from './help.js';

export const README_BEGIN = '<!-- options:begin (generated from server/config/options.ts by `npm run docs:config`; do not edit) -->';
export const README_END = '<!-- options:end -->';

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const code = (s: string): string => `\`${s.replace(/\|/g, '\\|')}\``;

/** The Markdown between the markers in server/README.md. */
export function readmeTable(): string {
  const lines = [README_BEGIN];
  for (const [section, options] of bySection()) {
    lines.push('', `**${section}**`, '', '| Flag | Env | Default | What | Sets |', '|---|---|---|---|---|');
    for (const o of options) {
      const flag = flagText(o);
      const env = [o.env, ...(o.envAliases ?? [])]
        .filter((e): e is string => e !== undefined)
        .map(code)
        .join(', ');
      lines.push(`| ${flag ? code(flag) : '(none)'} | ${env} | ${cell(defaultText(o))} | ${cell(o.doc)} | \`${o.path}\` |`);
    }
  }
  lines.push('', README_END);
  return lines.join('\n');
}

/** `readme` with its options table replaced by the generated one; throws when the markers are missing. */
export function withReadmeTable(readme: string): string {
  const begin = readme.indexOf('<!-- options:begin');
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error(`server/README.md has no options markers (${README_BEGIN} ... ${README_END})`);
  return readme.slice(0, begin) + readmeTable() + readme.slice(end + README_END.length);
}
