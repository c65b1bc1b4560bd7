// Starts the real `clusterplan` binary on a free port with a fresh database, for one test run.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** `$CLUSTERPLAN_BIN`, else `${CARGO_TARGET_DIR:-<repo>/target}/debug/clusterplan`. */
export function binaryPath() {
  if (process.env.CLUSTERPLAN_BIN) return process.env.CLUSTERPLAN_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(repoRoot, 'target');
  return path.join(target, 'debug', 'clusterplan');
}

/**
 * Start the server; resolves to { url, stop(), logs() }. The port comes from the first stdout
 * line, `listening on http://127.0.0.1:PORT`.
 */
export async function startServer({ timeoutMs = 60_000 } = {}) {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) {
    throw new Error(`clusterplan binary not found at ${bin}; build it with \`cargo build -p clusterplan-server\` or set CLUSTERPLAN_BIN`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterplan-browser-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--database', path.join(dir, 'test.gpkg'), '--web-dir', path.join(repoRoot, 'web')];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' } });
  const log = [];
  child.stderr.on('data', (chunk) => { log.push(chunk.toString()); });

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${timeoutMs} ms\n${log.join('')}`)), timeoutMs);
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1].replace(/\/$/, ''));
      else reject(new Error(`unexpected first line from clusterplan: ${line}\n${log.join('')}`));
    });
    lines.on('line', (line) => log.push(`${line}\n`));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`clusterplan exited early (code ${code}, signal ${signal})\n${log.join('')}`));
    });
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
  });

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { url, stop, logs: () => log.join('') };
}
