#!/usr/bin/env node
// haoban's browser tests: a fresh SQLite database with one staff account per role,
// `haoban serve` on a free port, Debian's chromium, then every scenario in
// tests/browser/scenarios/*.mjs in name order. Screenshots go to target/screenshots/.
//
//   cargo build -p haoban && node tests/browser/run.mjs [NAME-FILTER...]
//
// HAOBAN_BIN is the binary (default debug/haoban in the target directory `cargo metadata`
// reports, which is where `cargo build` put it whatever CARGO_TARGET_DIR or a cargo wrapper
// says; CARGO_TARGET_DIR or ./target when cargo cannot be asked); it is not built here.
// CHROMIUM_PATH overrides /usr/bin/chromium. Exit status 1 on any failure.
//
// A scenario module's default export is `async function (ctx)`, where ctx holds
// {name, browser, baseUrl, users, server, newPage(lang), screenshot(step, page), file(name)}
// (see lib.mjs); it throws to fail.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  CHROMIUM,
  ROOT,
  SCREENSHOTS,
  createStaff,
  freshDatabase,
  launchBrowser,
  scenarioContext,
  screenshotPath,
  startServer,
} from './lib.mjs';

const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;
/** Where cargo builds this workspace, as cargo itself says. */
function targetDirectory() {
  const asked = spawnSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    if (asked.status === 0) return JSON.parse(asked.stdout).target_directory;
  } catch {
    // not JSON: fall back below
  }
  return process.env.CARGO_TARGET_DIR || 'target';
}
const bin = path.resolve(ROOT, process.env.HAOBAN_BIN || path.join(targetDirectory(), 'debug', 'haoban'));
const filters = process.argv.slice(2);
const scenarioDir = path.join(ROOT, 'tests', 'browser', 'scenarios');

function fatal(message) {
  console.error(`browser tests: ${message}`);
  process.exit(1);
}

if (!existsSync(bin)) fatal(`no haoban binary at ${bin}; run \`cargo build -p haoban\` first (or set HAOBAN_BIN)`);
if (!existsSync(CHROMIUM)) fatal(`no chromium at ${CHROMIUM}; install it with \`apt-get install -y chromium\``);

const scenarios = readdirSync(scenarioDir)
  .filter((file) => file.endsWith('.mjs'))
  .sort()
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
if (scenarios.length === 0) fatal(`no scenario in ${scenarioDir} matches ${filters.join(' ')}`);

// What must be undone however the run ends.
let server = null;
let browser = null;
let database = null;
const cleanUp = async () => {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  if (server) await server.stop().catch(() => {});
  server = null;
  if (database) database.remove();
  database = null;
};
// If node itself is stopped, the server must not outlive it.
process.on('exit', () => {
  if (server && !server.exited) server.child.kill('SIGKILL');
  if (database) database.remove();
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    console.error(`\nbrowser tests: stopped by ${signal}`);
    await cleanUp();
    process.exit(130);
  });
}

const results = [];
try {
  // Old screenshots would pass for new ones: a full run starts from an empty folder, a
  // filtered one removes those of the scenarios it runs.
  if (filters.length === 0) {
    rmSync(SCREENSHOTS, { recursive: true, force: true });
  } else if (existsSync(SCREENSHOTS)) {
    const prefixes = scenarios.map((file) => `${file.replace(/\.mjs$/, '')}-`);
    for (const old of readdirSync(SCREENSHOTS)) {
      if (prefixes.some((prefix) => old.startsWith(prefix))) rmSync(path.join(SCREENSHOTS, old), { force: true });
    }
  }

  database = freshDatabase();
  const users = createStaff(bin, database.db);
  server = await startServer(bin, database.db);
  browser = await launchBrowser();
  console.log(
    `browser tests: ${scenarios.length} scenario(s) against ${server.baseUrl} ` +
      `(${path.relative(ROOT, bin)}, chromium ${browser.version()}), set up in ${seconds(Date.now() - started)}`,
  );

  for (const file of scenarios) {
    const name = file.replace(/\.mjs$/, '');
    const ctx = scenarioContext({ name, browser, baseUrl: server.baseUrl, users, server });
    const t0 = Date.now();
    try {
      const module = await import(pathToFileURL(path.join(scenarioDir, file)).href);
      if (typeof module.default !== 'function') throw new Error(`${file} has no default export function`);
      await module.default(ctx);
      results.push({ name, ok: true });
      console.log(`ok   ${name} (${seconds(Date.now() - t0)}, ${ctx.screenshots.length} file(s))`);
    } catch (err) {
      results.push({ name, ok: false });
      console.log(`FAIL ${name} (${seconds(Date.now() - t0)})`);
      console.error(`\n---- ${name} failed\n${err && err.stack ? err.stack : err}`);
      const pages = ctx.pages();
      for (const [index, page] of pages.entries()) {
        const file = screenshotPath(name, `FAILED-${index + 1}`);
        try {
          await page.screenshot({ path: file, fullPage: true });
          console.error(`  page ${index + 1}: ${page.url()}  (screenshot ${path.relative(ROOT, file)})`);
        } catch {
          console.error(`  page ${index + 1}: ${page.url()}  (no screenshot)`);
        }
      }
      if (server.exited) console.error(`  the server has exited: ${JSON.stringify(server.exited)}`);
      console.error(`  server output (last lines):\n${server.tail(20).replace(/^/gm, '    ')}\n----\n`);
    } finally {
      await ctx.close();
    }
  }
} catch (err) {
  results.push({ name: 'setup', ok: false });
  console.error(`browser tests: setting up failed:\n${err && err.stack ? err.stack : err}`);
} finally {
  await cleanUp();
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`\nbrowser tests took ${seconds(Date.now() - started)}; screenshots in ${path.relative(ROOT, SCREENSHOTS)}/`);
if (failed > 0) console.log(`failed: ${results.filter((r) => !r.ok).map((r) => r.name).join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
