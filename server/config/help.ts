// `npm start -- --help`, written from the options table.
import { CONFIG_OPTIONS, SECTIONS, type ConfigOption } from './options.js';

/** The default as the user would write it (or, when derived, in words). */
export function defaultText(o: ConfigOption): string {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.default === undefined) return 'none';
  return o.type.format(o.default);
}

/** `--port <0..65535>`, `--[no-]demo`; options without a flag show only their variable. */
export function flagText(o: ConfigOption): string | undefined {
  if (!o.flag) return undefined;
  return o.type.boolean ? `--[no-]${o.flag}` : `--${o.flag} ${o.type.label}`;
}

export function bySection(): [string, ConfigOption[]][] {
  return SECTIONS.map((s) => [s, CONFIG_OPTIONS.filter((o) => o.section === s)]);
}

export interface HelpIntro {
  usage: string;
  summary: string;
  /** Free text after the options (endpoints, examples). */
  notes?: string;
}

export function optionsHelp(intro: HelpIntro): string {
  const lines = [`Usage: ${intro.usage}`, '', intro.summary, '', 'Every option can also be set by its environment variable; a flag wins over its variable.'];
  for (const [section, options] of bySection()) {
    lines.push('', `${section}:`);
    for (const o of options) {
      const flag = flagText(o);
      const env = o.env && (flag ? `env ${o.env}` : 'no flag') + (o.envAliases?.length ? ` (or ${o.envAliases.join(', ')})` : '');
      lines.push(`  ${flag ?? `${o.env}=${o.type.label}`}   (${[env, `default ${defaultText(o)}`].filter(Boolean).join(', ')})`, `      ${o.doc}`);
    }
  }
  lines.push('', '  --help   show this help');
  if (intro.notes) lines.push('', intro.notes);
  return lines.join('\n');
}
