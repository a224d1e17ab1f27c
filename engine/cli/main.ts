/**
 * CLI dispatcher. Each command is one file in this folder, `engine/cli/<command>.ts`,
 * exporting `run(argv): Promise<number>` (the exit code) and a one-line `summary`.
 * Adding a command is adding a file; nothing here needs to change.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const here = dirname(fileURLToPath(import.meta.url));
const NOT_COMMANDS = new Set(['main', 'args', 'index']);

function commandNames(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_COMMANDS.has(n) && !n.startsWith('_'))
    .sort();
}

async function loadCommand(name: string): Promise<Command> {
  return (await import(join(here, `${name}.ts`))) as Command;
}

async function usage(out: (s: string) => void): Promise<void> {
  out('usage: solrules <command> [options]\n\ncommands:');
  for (const name of commandNames()) {
    const cmd = await loadCommand(name);
    out(`  ${name.padEnd(10)} ${cmd.summary}`);
  }
  out('\nRun `solrules <command> --help` for a command\'s options.');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await usage((s) => console.log(s));
    return name ? 0 : 2;
  }
  if (!commandNames().includes(name)) {
    console.error(`solrules: unknown command '${name}'`);
    await usage((s) => console.error(s));
    return 2;
  }
  const cmd = await loadCommand(name);
  return cmd.run(rest);
}
