/**
 * A plan as lines a person can read before anything runs: every step, why, its check and
 * every command. argv is shell-quoted here for display only (the SSH layer never joins
 * argv into a string). The one secret a plan may hold, a command's stdin (a secure install's SCRAM
 * password), is shown by its label only; everything else is shown.
 */
import type { InstallPlan, OperationPlan, PlanStep, RemoteCommand } from './plan-types.js';

/** POSIX shell quoting for display: bare when safe, else single quotes. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface RenderOptions {
  /** Show the content of written files (default true). */
  fileContents?: boolean;
  /** Collapse the text of `sh -c` scripts longer than this to "<script>" (default: never). */
  maxScriptLength?: number;
}

export function renderCommand(
  command: RemoteCommand,
  sudo: boolean,
  options: RenderOptions = {},
): string[] {
  if ('argv' in command) {
    const parts = command.argv.map((a, i) => {
      const isScript = i === 2 && command.argv[0] === 'sh' && command.argv[1] === '-c';
      const max = options.maxScriptLength;
      return isScript && max !== undefined && a.length > max ? '<script>' : shellQuote(a);
    });
    const stdin = command.stdin === undefined ? '' : `  < (${command.stdin.shown}, on stdin)`;
    return [`$ ${sudo ? 'sudo ' : ''}${parts.join(' ')}${stdin}`];
  }
  if ('writeFile' in command) {
    const { path, content, mode } = command.writeFile;
    const lines = content.replace(/\n$/, '').split('\n');
    const head = `write ${path} (mode ${mode.toString(8).padStart(4, '0')}, ${lines.length} line${lines.length === 1 ? '' : 's'})${sudo ? ' as root' : ''}`;
    return options.fileContents === false ? [head] : [head, ...lines.map((l) => `  | ${l}`)];
  }
  return [`upload ${command.upload.localPath} → ${command.upload.remotePath}`];
}

export function renderStep(step: PlanStep, index: number, options: RenderOptions = {}): string[] {
  const out = [`${index + 1}. ${step.title}${step.sudo ? '  [sudo]' : ''}`, `   why: ${step.why}`];
  if (step.check !== undefined) {
    const [first, ...rest] = renderCommand(step.check, step.sudo, {
      ...options,
      fileContents: false,
    });
    out.push(`   skip if this succeeds: ${first ?? ''}`, ...rest.map((l) => `   ${l}`));
  }
  if (step.apply.length === 0) out.push('   (nothing to run)');
  for (const command of step.apply)
    out.push(...renderCommand(command, step.sudo, options).map((l) => `   ${l}`));
  return out;
}

export function renderPlan(
  plan: InstallPlan | OperationPlan,
  options: RenderOptions = {},
): string[] {
  const inst = plan.installation;
  const zk = inst.zookeeper === null ? '' : ` + ZooKeeper (${inst.zookeeper})`;
  const lines = [
    `${plan.kind}: Kafka ${inst.kafkaVersion} (${inst.mode})${zk} in ${inst.installDir}, Java ${inst.javaMajor}, ${inst.systemd ? 'systemd' : 'no systemd'}`,
  ];
  for (const note of plan.notes) lines.push(`note: ${note}`);
  plan.steps.forEach((step, i) => {
    lines.push('', ...renderStep(step, i, options));
  });
  return lines;
}
