// Starts the real `clusterplan` binary on a free port, on a GeoPackage file in a temporary folder
// (fresh, so seeded with the Bến Tre demo data) or in a folder the caller names; restarts it on
// the same file to show what a planner finds after a server restart.

import { execFileSync, spawn } from 'node:child_process';
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
 * Start the server on `<dataDir>/test.gpkg`; resolves to
 * { url, database, restart(), stop(), logs() }.
 *
 * - `dataDir`: the folder of the database file. Without it a temporary folder is made, and
 *   removed by stop(); a folder the caller names is left alone.
 * - `url` is the current address: the port comes from the first stdout line,
 *   `listening on http://127.0.0.1:PORT`, and a restart may get another one.
 * - `restart()` stops the process with SIGTERM, checks that it shut down by itself (exit code 0,
 *   no SIGKILL needed), starts it again on the same database file and resolves to the new url.
 */
export async function startServer({ dataDir, timeoutMs = 60_000 } = {}) {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) {
    throw new Error(`clusterplan binary not found at ${bin}; build it with \`cargo build -p clusterplan-server\` or set CLUSTERPLAN_BIN`);
  }
  const ownDir = !dataDir;
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'clusterplan-browser-'));
  fs.mkdirSync(dir, { recursive: true });
  const database = path.join(dir, 'test.gpkg');
  const log = [];
  let run = await spawnServer(bin, database, log, timeoutMs);
  // A fresh database prints the bootstrap admin's password once, on the line after `listening on`.
  const admin = { name: 'admin', password: await run.adminPassword };

  return {
    get url() { return run.url; },
    database,
    /** The first-run admin account (its password is null when the database already had one). */
    admin,
    logs: () => log.join(''),
    async restart() {
      const { code, signal, killed } = await run.terminate();
      if (killed || code !== 0) {
        throw new Error(`clusterplan did not shut down cleanly on SIGTERM (code ${code}, signal ${signal}${killed ? ', needed SIGKILL' : ''})\n${log.join('')}`);
      }
      log.push(`--- restarted on ${database} ---\n`);
      run = await spawnServer(bin, database, log, timeoutMs);
      return run.url;
    },
    async stop() {
      await run.terminate();
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One process of `clusterplan serve`; resolves once it listens, to { url, terminate() }. */
async function spawnServer(bin, database, log, timeoutMs) {
  const args = ['serve', '--listen', '127.0.0.1:0', '--database', database, '--web-dir', path.join(repoRoot, 'web')];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' } });
  child.stderr.on('data', (chunk) => { log.push(chunk.toString()); });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  let passwordLine;
  const adminPassword = new Promise((resolve) => { passwordLine = resolve; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${timeoutMs} ms\n${log.join('')}`)), timeoutMs);
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1].replace(/\/$/, ''));
      else reject(new Error(`unexpected first line from clusterplan: ${line}\n${log.join('')}`));
      // The bootstrap line follows at once when there is one; otherwise no password.
      setTimeout(() => passwordLine(null), 1000);
    });
    lines.on('line', (line) => {
      const m = line.match(/created account admin with password (\S+)/);
      if (m) passwordLine(m[1]);
      else log.push(`${line}\n`);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`clusterplan exited early (code ${code}, signal ${signal})\n${log.join('')}`));
    });
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
  });

  /** SIGTERM, then SIGKILL after 5 s; resolves to { code, signal, killed }. */
  async function terminate() {
    if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), killed: false };
    let killed = false;
    child.kill('SIGTERM');
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, 5000);
    const result = await exited;
    clearTimeout(timer);
    return { ...result, killed };
  }
  return { url, terminate, adminPassword };
}

/**
 * Logs a browser context in (the session cookie lands in the context, so every page of it is
 * logged in), as a person would through the login form; resolves to the login answer.
 */
export async function signIn(context, url, { name, password }) {
  const res = await context.request.post(`${url}/auth/login`, { data: { name, password } });
  if (!res.ok()) throw new Error(`login as ${name} failed: ${res.status()} ${await res.text()}`);
  return res.json();
}

/**
 * Adds an account with the command line, on a running server's database (as an administrator
 * would): `role` planner, officer, …; `unit` the officer's unit code.
 */
export function addUser(server, { name, password }, { role, unit } = {}) {
  const args = ['user', 'add', name, '--role', role, ...(unit ? ['--unit', unit] : []), '--database', server.database];
  execFileSync(binaryPath(), args, { env: { ...process.env, CLUSTERPLAN_PASSWORD: password } });
}

/** A personal API token for scripts in the tests (Authorization: Bearer …). */
export async function apiToken(url, { name, password }) {
  const login = await fetch(`${url}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }),
  });
  if (!login.ok) throw new Error(`login as ${name} failed: ${login.status}`);
  const { csrf } = await login.json();
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const made = await fetch(`${url}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
    body: JSON.stringify({ name: 'browser tests' }),
  });
  if (made.status !== 201) throw new Error(`token for ${name} failed: ${made.status}`);
  return (await made.json()).token;
}
