// Helpers for haoban's browser tests: the server and its accounts, the browser, and the
// few things every scenario does (sign in, open a page in a language, click a button that
// submits a form, assert on what a person sees, take screenshots).
//
// The browser is Debian's chromium driven by playwright-core, which never downloads one.

import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const VIEWPORT = { width: 1920, height: 1080 };
/** How long one wait for the page (an element, a navigation) may take. */
export const TIMEOUT_MS = 15_000;

export const CENTER = 'linfen';
/**
 * How long a kiosk screen waits without a touch before it clears itself (`haoban serve
 * --kiosk-idle-seconds`, 60 by default): short, so a scenario can watch it happen.
 */
export const KIOSK_IDLE_SECONDS = 15;
/**
 * Every account's password. New passwords follow the MLPS rule (`--password-rule mlps`, the
 * default): at least 8 characters of at least three kinds (upper case, lower case, digits,
 * others), not containing the username.
 */
export const PASSWORD = 'Browser-Test-2026';

/**
 * One account per role, created before the scenarios run; `users.desk` and so on. The
 * three administrators (三权分立: system, security, audit) get a TOTP key from
 * `create-user` and sign in with its code.
 */
export const ROLES = ['desk', 'clerk', 'office', 'supervisor', 'sysadmin', 'secadmin', 'auditor'];
/** The roles that sign in with a TOTP code whatever `haoban serve --totp-roles` says. */
export const ADMIN_ROLES = ['sysadmin', 'secadmin', 'auditor'];

// ---- the server -------------------------------------------------------------------------

/** A fresh temporary directory with the path of an SQLite database in it (not yet created). */
export function freshDatabase() {
  const dir = mkdtempSync(path.join(tmpdir(), 'haoban-browser-'));
  return { dir, db: path.join(dir, 'haoban.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `haoban admin create-user`, the password on standard input. An administrator's account
 * comes with a TOTP key, printed once (`  TOTP key:  <BASE32>`): kept as `totpKey`, which
 * `signIn` uses for the code.
 */
export function createUser(bin, db, { username, role, center = CENTER, password = PASSWORD }) {
  const run = spawnSync(
    bin,
    ['admin', 'create-user', '--db', db, '--username', username, '--role', role, '--center', center],
    { cwd: ROOT, input: `${password}\n`, encoding: 'utf8', timeout: 60_000 },
  );
  if (run.error) throw new Error(`cannot run ${bin}: ${run.error.message}`);
  if (run.status !== 0) {
    throw new Error(`haoban admin create-user ${username} (${role}) failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
  }
  const totpKey = run.stdout.match(/^\s*TOTP key:\s+([A-Z2-7]+=*)\s*$/m)?.[1] ?? null;
  if (ADMIN_ROLES.includes(role) && !totpKey) {
    throw new Error(`haoban admin create-user ${username} (${role}) printed no TOTP key:\n${run.stdout}`);
  }
  return { username, role, center, password, totpKey };
}

/** One account per role: `{desk: {username: 'desk1', role: 'desk', ...}, clerk: ...}`. */
export function createStaff(bin, db) {
  const users = {};
  for (const role of ROLES) users[role] = createUser(bin, db, { username: `${role}1`, role });
  return users;
}

/**
 * Starts `haoban serve` on a port the system picks (`--listen 127.0.0.1:0`; the server
 * prints the address it got) and waits until `/login` answers. Returns the base URL, the
 * process, its output so far and `stop()`.
 */
export async function startServer(bin, db, { catalog = 'catalog/shanghai', timeoutMs = 60_000 } = {}) {
  const child = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--catalog', catalog], {
    cwd: ROOT,
    // The notifier's messages too (info, the ID number masked): a scenario reads the
    // rating link a resident is sent from the server's output, as an operator could.
    env: {
      ...process.env,
      RUST_LOG: process.env.RUST_LOG || 'warn,haoban_web::notifier=info',
      HAOBAN_KIOSK_IDLE_SECONDS: String(KIOSK_IDLE_SECONDS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = {
    child,
    baseUrl: null,
    output: '',
    exited: null,
    /** The last lines the server printed, for a failure message. */
    tail(lines = 40) {
      return server.output.split('\n').slice(-lines).join('\n');
    },
    async stop() {
      if (server.exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      server.exited = { code, signal };
      resolve();
    });
  });
  const address = new Promise((resolve) => {
    const seen = (chunk) => {
      server.output += chunk.toString();
      const found = server.output.match(/(http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+)/);
      if (found && !server.baseUrl) {
        server.baseUrl = found[1];
        resolve();
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
  });
  child.once('error', (err) => {
    server.output += `\ncannot start ${bin}: ${err.message}\n`;
  });
  const deadline = Date.now() + timeoutMs;
  const timedOut = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.race([address, exited, timedOut(timeoutMs)]);
  if (!server.baseUrl) {
    await server.stop();
    throw new Error(`haoban serve did not print its address (${server.exited ? `exited ${JSON.stringify(server.exited)}` : 'timed out'}):\n${server.tail()}`);
  }
  for (;;) {
    try {
      const response = await fetch(`${server.baseUrl}/login`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (server.exited || Date.now() > deadline) {
      await server.stop();
      throw new Error(`haoban serve at ${server.baseUrl} never answered GET /login:\n${server.tail()}`);
    }
    await timedOut(100);
  }
  return server;
}

// ---- the browser ------------------------------------------------------------------------

/** Debian's chromium, headless. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 60_000,
  });
}

/** Where a screenshot of a scenario's step goes: `target/screenshots/<scenario>-<step>.png`. */
export function screenshotPath(scenario, step, extension = 'png') {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const safe = String(step).replace(/[^A-Za-z0-9._-]+/g, '-');
  return path.join(SCREENSHOTS, `${scenario}-${safe}.${extension}`);
}

/**
 * What a scenario receives: the browser, the server's base URL, the accounts, and helpers
 * bound to this scenario (its screenshots are named after it, its pages closed after it).
 */
export function scenarioContext({ name, browser, baseUrl, users, server }) {
  const contexts = [];
  const ctx = {
    name,
    browser,
    baseUrl,
    users,
    server,
    /** Every page the scenario opened (for a screenshot when it fails). */
    pages() {
      return contexts.flatMap((c) => c.pages());
    },
    /**
     * A page in a fresh browser context (its own cookies: nobody signed in). `lang`
     * ('zh' or 'en') sets the language cookie the pages remember; leave it out for the
     * default. Other options go to `browser.newContext`.
     */
    async newPage(lang, options = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: VIEWPORT,
        locale: lang === 'en' ? 'en-GB' : 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        ...options,
      });
      context.setDefaultTimeout(TIMEOUT_MS);
      context.setDefaultNavigationTimeout(TIMEOUT_MS);
      if (lang) await context.addCookies([{ name: 'haoban_lang', value: lang, url: baseUrl }]);
      contexts.push(context);
      return context.newPage();
    },
    /** A full-page screenshot, `target/screenshots/<scenario>-<step>.png`; returns the path. */
    async screenshot(step, page) {
      const file = screenshotPath(name, step);
      await page.screenshot({ path: file, fullPage: true });
      ctx.screenshots.push(file);
      return file;
    },
    /** Files this scenario wrote under target/screenshots. */
    screenshots: [],
    /** A file of this scenario under target/screenshots, e.g. `file('notice.pdf')`. */
    file(fileName) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = path.join(SCREENSHOTS, fileName);
      ctx.screenshots.push(file);
      return file;
    },
    async close() {
      for (const context of contexts.splice(0)) await context.close().catch(() => {});
    },
  };
  return ctx;
}

// ---- what every scenario does -----------------------------------------------------------

/** The pages' words in both languages, for locators that work in either. */
export const WORDS = {
  username: /^(用户名|Username)$/,
  password: /^(密码|Password)$/,
  totp: /^(动态验证码|Authenticator code)$/,
  signIn: /^(登录|Sign in)$/,
  signOut: /^(退出登录|Sign out)$/,
};

// ---- TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as an authenticator app ---------

const TOTP_STEP_SECONDS = 30;

/** RFC 4648 base32 (no padding needed) to bytes. */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(text)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The time step of `ms` (milliseconds since the epoch). */
export function totpStep(ms = Date.now()) {
  return Math.floor(ms / 1000 / TOTP_STEP_SECONDS);
}

/** The 6-digit code of `key` (base32) for time step `step`. */
export function totpCode(key, step = totpStep()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, '0');
}

/**
 * A code for `user` the server has not taken yet. It takes each step once, and no step
 * before one already taken, but also one step either side of now: a second sign-in within
 * the same 30 s uses the next step's code, a third waits for that step to come.
 */
async function freshCode(user) {
  let step = Math.max(totpStep(), (user.lastTotpStep ?? -Infinity) + 1);
  while (step > totpStep() + 1) {
    const wait = (totpStep() + 1) * TOTP_STEP_SECONDS * 1000 - Date.now() + 200;
    console.log(`    waiting ${(wait / 1000).toFixed(1)}s for a TOTP step ${user.username} has not used`);
    await new Promise((resolve) => setTimeout(resolve, wait));
    step = Math.max(totpStep(), user.lastTotpStep + 1);
  }
  user.lastTotpStep = step;
  return totpCode(user.totpKey, step);
}

/**
 * Signs `user` in through the `/login` form, as a person would, and waits to leave the
 * login page. `next` is where to go afterwards (the server's default is `/desk`). A user
 * with a `totpKey` types the authenticator's code too.
 */
export async function signIn(page, user, { next } = {}) {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await page.getByLabel(WORDS.username).fill(user.username);
  await page.getByLabel(WORDS.password).fill(user.password);
  if (user.totpKey) await page.getByLabel(WORDS.totp).fill(await freshCode(user));
  await clickAndWait(page, page.getByRole('button', { name: WORDS.signIn }));
  if (new URL(page.url()).pathname === '/login') {
    const alert = await page.getByRole('alert').allTextContents();
    throw new Error(`signing in as ${user.username} (${user.role}) stayed on /login: ${alert.join(' ') || '(no message)'}`);
  }
}

/**
 * Clicks something that submits a form or follows a link, and waits for the page that
 * comes back to load (forms here post to the same address, so the URL does not tell).
 * Returns the navigation's response.
 */
export async function clickAndWait(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  return response;
}

/** Taps (touch) something that submits a form or follows a link, and waits for the page. */
export async function tapAndWait(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.tap()]);
  return response;
}

/**
 * Types `text` into the kiosk field `field` as a resident does: a tap on the field, then a
 * tap on the on-screen key (`#keypad [data-key]`) for each character. Fails unless the
 * field then holds exactly `text`. The page needs a context with `hasTouch`.
 */
export async function typeOnKeypad(page, field, text) {
  await field.tap();
  for (const char of text) await page.locator(`#keypad [data-key="${char}"]`).tap();
  const value = await field.inputValue();
  check(value === text, `the keypad should have typed ${JSON.stringify(text)} into ${field}, it holds ${JSON.stringify(value)}`);
}

/**
 * Fails if the page is wider than `width`, so it would scroll sideways; names the
 * innermost elements (or their unwrapped text) that stick out.
 */
export async function expectNoSideScroll(page, width, what) {
  const { scrollWidth, wide } = await page.evaluate((limit) => {
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${[...el.classList].map((c) => `.${c}`).join('')}`;
    const right = (el) => Math.max(el.getBoundingClientRect().right, el.getBoundingClientRect().left + el.scrollWidth);
    const out = [...document.body.querySelectorAll('*')].filter((el) => right(el) > limit + 0.5);
    const innermost = out.filter((el) => !out.some((other) => other !== el && el.contains(other)));
    return {
      scrollWidth: document.documentElement.scrollWidth,
      wide: innermost.slice(0, 5).map((el) => `${describe(el)} (to ${Math.round(right(el))} px)`),
    };
  }, width);
  check(scrollWidth <= width, `${what} scrolls sideways at ${width} px: the page is ${scrollWidth} px wide (${page.url()}); sticking out: ${wide.join(', ') || '(none found)'}`);
}

/** Clicks something that opens a new tab (a form with `target="_blank"`); returns the tab, loaded. */
export async function clickForNewPage(page, locator) {
  const [popup] = await Promise.all([page.context().waitForEvent('page'), locator.click()]);
  await popup.waitForLoadState('load');
  return popup;
}

/** Fails unless `locator` becomes visible; `what` says in words what was expected. */
export async function expectVisible(locator, what, timeout = TIMEOUT_MS) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`expected to see ${what} (${locator}), but it is not visible`);
  }
  return locator;
}

/** Fails unless `locator` is hidden or absent. */
export async function expectHidden(locator, what, timeout = TIMEOUT_MS) {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout });
  } catch {
    throw new Error(`expected ${what} (${locator}) not to be visible, but it is`);
  }
}

/** The visible text of `locator`, trimmed, after it appears. */
export async function textOf(locator, what) {
  await expectVisible(locator, what);
  return (await locator.first().innerText()).trim();
}

/** Fails unless the text of `locator` matches `pattern`; returns the text. */
export async function expectText(locator, pattern, what) {
  const text = await textOf(locator, what);
  if (!pattern.test(text)) throw new Error(`expected ${what} to match ${pattern}, got ${JSON.stringify(text)}`);
  return text;
}

/** Fails unless the page's language attribute is `lang` (zh-CN or en). */
export async function expectPageLanguage(page, lang) {
  const actual = await page.locator('html').getAttribute('lang');
  if (actual !== lang) throw new Error(`expected the page ${page.url()} in ${lang}, it is in ${actual}`);
}

/** Fails with `message` unless `condition`. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Switches the page's language with the switch in the page header (a link, or on pages
 * whose state lives in a form, a button that posts the form), and waits for the page.
 */
export async function switchLanguage(page, lang) {
  const name = lang === 'en' ? 'English' : '中文';
  const header = page.getByRole('banner');
  const control = header
    .getByRole('link', { name, exact: true })
    .or(header.getByRole('button', { name, exact: true }));
  await expectVisible(control, `the language switch "${name}"`);
  await clickAndWait(page, control);
  await expectPageLanguage(page, lang === 'en' ? 'en' : 'zh-CN');
}

/** A valid 18-digit resident ID number (ISO 7064 MOD 11-2 check character). */
export function idNumber(region, birth, sequence) {
  const body = `${region}${birth.replaceAll('-', '')}${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, i) => total + Number(digit) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** What a retired Shanghai resident paid through a bank tells the desk, born `birth`. */
export function retireeFacts(birth, contributionYears) {
  return {
    hukou: 'shanghai',
    birth_date: birth,
    gender: 'female',
    employment_status: 'retired',
    receives_pension: true,
    reached_retirement_age: true,
    medical_insurance: 'employee',
    payment_method: 'bank_card',
    disability_level: 'none',
    marital_status: 'married',
    household_members: 2,
    pension_contribution_years: contributionYears,
  };
}
