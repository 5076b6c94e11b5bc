// Child processes of the `dti` command for tests that need a real process: kill -9 half-way, SIGTERM, two
// instances on one database. Output is collected so a test can wait for a line and show it on failure.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DTI = path.join(ROOT, 'server/dti.mjs');

export interface DtiProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output (stdout + stderr) matches, rejects when the process ends first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `nodeArgs` go to node itself, before the script (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
export function startDti(args: string[], env: Record<string, string | undefined>, nodeArgs: string[] = []): DtiProcess {
  const child = spawn(process.execPath, [...nodeArgs, DTI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info', SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const l of listeners) l();
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = out.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`dti ${args.join(' ')} ended before ${pattern}:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}:\n${out}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs a `dti` command to its end. */
export async function runDti(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  const p = startDti(args, env);
  const { code } = await p.exited;
  return { code, output: p.output() };
}
