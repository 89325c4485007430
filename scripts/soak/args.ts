// The soak's command line: --minutes, --interval, --json, --bootstrap.

export interface Args {
  minutes: number;
  intervalS: number;
  json: boolean;
  bootstrap: string | null;
}

const USAGE =
  'Usage: npm run soak [-- --minutes 10] [--json] [--bootstrap host:port] [--interval 10]';

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { minutes: 10, intervalS: 10, json: false, bootstrap: null };
  const value = (name: string, v: string | undefined): string => {
    if (v === undefined || v === '' || v.startsWith('--'))
      throw new Error(`${name} needs a value. ${USAGE}`);
    return v;
  };
  const positive = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`${name} must be a positive number, got "${v}".`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const next = (): string => value(name, inline ?? argv[++i]);
    if (name === '--json' && inline === undefined) a.json = true;
    else if (name === '--minutes') a.minutes = positive(name, next());
    else if (name === '--interval') a.intervalS = positive(name, next());
    else if (name === '--bootstrap') a.bootstrap = next();
    else throw new Error(`Unknown option ${arg}. ${USAGE}`);
  }
  return a;
}
