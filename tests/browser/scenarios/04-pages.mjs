// The rest of the staffed hall's pages, walked as the people in them would:
//   1. the administrators, one power each (三权分立):
//      a. the system administrator (/admin: windows and catalog only) adds window 7 with
//         skills, is refused a 17-character window name, and checks a catalog directory (a
//         good one, then one that does not exist);
//      b. the security administrator (/admin: staff accounts only) creates a clerk account
//         (first with a password of two kinds of character, then the confirmation mistyped),
//         sees the new clerk sign in and be offered the window console, disables the account;
//         creates an audit administrator, who cannot sign in without a key, and issues it one
//         (发放密钥, shown once), with whose code the new auditor signs in at /login;
//      c. the auditor finds all that on /access-log; the system administrator is refused it,
//         and the auditor sees that refusal recorded too;
//   2. the desk (/desk/appointments) books a slot for a resident later today (tomorrow when
//      today's slots are over), is refused a bad ID number, and checks the resident in;
//   3. the window clerk (/window?w=3) calls, parks (暂挂), resumes (恢复), calls again, is
//      refused a transfer to category "b", transfers to window 9, where it is called;
//   4. the hall board in English shows that call, and drops it when window 9 records 过号;
//   5. the supervisor's day report (/reports) shows the day's figures, refuses 2026-13-40
//      next to the date field, and speaks English.

import {
  CENTER,
  check,
  clickAndWait,
  expectHidden,
  expectPageLanguage,
  expectText,
  expectVisible,
  idNumber,
  signIn,
  switchLanguage,
  textOf,
} from '../lib.mjs';

// ---- what the scenario types --------------------------------------------------------------

const NEW_WINDOW = '7';
const ITEM = 'elderly-comprehensive-allowance';
const ITEM_NAME = '老年综合津贴申领';
/** 17 characters: one more than a window name may have. */
const LONG_WINDOW_NAME = '临时加开综合受理窗口第七号备用窗口';
const NEW_CLERK = 'pages-clerk7';
/** MLPS: upper and lower case, digits, others; not containing either username. */
const NEW_PASSWORD = 'Window-Seven-77';
/** Lower case and spaces only: two kinds of character, one short of the MLPS rule. */
const WEAK_PASSWORD = 'pages clerk password';
const NEW_AUDITOR = 'pages-auditor2';

const RESIDENT = '李建国';
const BIRTH = '1950-01-01';
const FROM_WINDOW = '3';
const TO_WINDOW = '9';


/** The same number with a wrong check character. */
function withWrongCheck(id) {
  const last = id.at(-1);
  return id.slice(0, -1) + (last === '0' ? '1' : '0');
}

/** Today in Shanghai plus `days`, as YYYY-MM-DD. */
function shanghaiDay(days = 0) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Minutes since midnight, Shanghai time, now. */
function shanghaiMinutes() {
  const [h, m] = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date())
    .split(':')
    .map(Number);
  return h * 60 + m;
}

/** `HH:MM` as minutes since midnight. */
function minutesOf(time) {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

/** The value a `<dl>` gives for the term matching `term`. */
function definitionOf(scope, term) {
  return scope.getByRole('term').filter({ hasText: term }).first().locator('xpath=following-sibling::dd[1]');
}

/** The `.field` holding the input `#id` (its label, hint, message and input). */
function fieldOf(page, id) {
  return page.locator('.field').filter({ has: page.locator(`#${id}`) });
}

/** Fails unless the input `#id` is marked invalid and still holds `value`. */
async function expectKept(page, id, value, what) {
  const input = page.locator(`#${id}`);
  check((await input.inputValue()) === value, `${what}: the field should keep ${JSON.stringify(value)}, it holds ${JSON.stringify(await input.inputValue())}`);
  check((await input.getAttribute('aria-invalid')) === 'true', `${what}: the field should be marked aria-invalid`);
}

export default async function pages(ctx) {
  const { users } = ctx;
  const t0 = Date.now();
  const lap = (what) => console.log(`    ${what} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

  // ==== 1. The administrators (三权分立). ======================================================
  // 1a. The system administrator: windows and the catalog, not the staff accounts.
  const admin = await ctx.newPage();
  await signIn(admin, users.sysadmin, { next: '/admin' });
  check(new URL(admin.url()).pathname === '/admin', `signing in for /admin should lead there, got ${admin.url()}`);
  await expectVisible(admin.getByRole('heading', { name: '系统管理', level: 1 }), 'the admin heading');
  for (const section of ['窗口与技能', '事项目录']) {
    await expectVisible(admin.getByRole('heading', { name: section, level: 2 }), `the ${section} section`);
  }
  await expectHidden(admin.getByRole('heading', { name: '工作人员账号', level: 2 }), 'the staff section for the system administrator');
  await expectHidden(admin.locator('form#user-form'), 'the account form for the system administrator');
  await expectVisible(admin.getByRole('navigation', { name: '本页各部分' }).getByRole('link', { name: '窗口与技能' }), 'the link to the windows section');
  await ctx.screenshot('admin', admin);

  // Window 7: category A, and one item it handles.
  const windowForm = admin.locator('form#window-form');
  const itemBox = windowForm.getByRole('checkbox', { name: new RegExp(`^${ITEM_NAME}\\s+${ITEM}$`) });
  await windowForm.getByLabel('窗口名称').fill(NEW_WINDOW);
  await windowForm.getByLabel('排队类别').fill('A');
  await itemBox.check();
  await clickAndWait(admin, windowForm.getByRole('button', { name: '保存窗口' }));
  check(new URL(admin.url()).searchParams.get('done') === 'window-saved', `saving a window should confirm it, got ${admin.url()}`);
  await expectText(admin.locator('#windows').getByRole('status'), new RegExp(`^已保存窗口“${NEW_WINDOW}”。$`), 'the window-saved confirmation');
  const windowRow = admin.locator(`tr[data-window="${NEW_WINDOW}"]`);
  await expectText(windowRow.getByRole('rowheader'), new RegExp(`^${NEW_WINDOW}$`), `window ${NEW_WINDOW} in the table`);
  await expectText(windowRow.locator('.window-categories'), /^A$/, `the category of window ${NEW_WINDOW}`);
  await expectVisible(windowRow.getByRole('listitem').filter({ hasText: ITEM_NAME }), `${ITEM_NAME} among the items of window ${NEW_WINDOW}`);
  await expectVisible(windowRow.getByRole('link', { name: `修改窗口“${NEW_WINDOW}”` }), `the edit link of window ${NEW_WINDOW}`);
  await ctx.screenshot('admin-window-saved', admin);

  // A 17-character name: refused next to the field, everything typed kept.
  check([...LONG_WINDOW_NAME].length === 17, `the long name should have 17 characters, it has ${[...LONG_WINDOW_NAME].length}`);
  await windowForm.getByLabel('窗口名称').fill(LONG_WINDOW_NAME);
  await windowForm.getByLabel('排队类别').fill('A,B');
  await itemBox.check();
  await clickAndWait(admin, windowForm.getByRole('button', { name: '保存窗口' }));
  await expectText(fieldOf(admin, 'window-name').locator('.field-error'), /^窗口名称须为 1 至 16 个字符/, 'the window-name message next to the field');
  await expectKept(admin, 'window-name', LONG_WINDOW_NAME, 'the refused window name');
  check((await admin.locator('#window-categories').inputValue()) === 'A,B', 'the categories typed should be kept after the refusal');
  check(await itemBox.isChecked(), 'the item ticked should stay ticked after the refusal');
  await expectHidden(admin.locator(`tr[data-window="${LONG_WINDOW_NAME}"]`), 'the refused window in the table');
  await expectHidden(admin.locator('#windows').getByRole('status'), 'a confirmation after a refusal');
  await ctx.screenshot('admin-window-name-too-long', admin);

  // The catalog: the one in use checks out; a directory that is not there is refused.
  const catalogForm = admin.locator('form#catalog-check');
  const inUse = await textOf(admin.locator('#catalog .catalog-count'), 'the item count of the catalog in use');
  await catalogForm.getByLabel('服务器上的目录路径').fill('catalog/shanghai');
  await clickAndWait(admin, catalogForm.getByRole('button', { name: '检查', exact: true }));
  const outcome = admin.locator('#check-outcome');
  await expectText(outcome.locator('.admin-outcome-summary'), /^catalog\/shanghai 可以载入。$/, 'the catalog that loads');
  await expectText(outcome.locator('.checked-count'), new RegExp(`^${inUse}$`), 'the item count of the checked catalog');
  await expectVisible(outcome.getByText('与正在使用的目录相同。'), 'the checked catalog as the one in use');
  await ctx.screenshot('admin-catalog-ok', admin);

  await catalogForm.getByLabel('服务器上的目录路径').fill('/nonexistent');
  await clickAndWait(admin, catalogForm.getByRole('button', { name: '检查', exact: true }));
  await expectText(fieldOf(admin, 'catalog-path').locator('.field-error'), /^服务器上没有这个目录，或无法读取。$/, 'the missing-directory message next to the field');
  await expectKept(admin, 'catalog-path', '/nonexistent', 'the refused path');
  await expectHidden(admin.locator('#check-outcome'), 'an outcome for a refused path');
  await ctx.screenshot('admin-catalog-missing', admin);
  lap('system administrator: window, catalog');

  // 1b. The security administrator: the staff accounts only.
  const sec = await ctx.newPage();
  await signIn(sec, users.secadmin, { next: '/admin' });
  check(new URL(sec.url()).pathname === '/admin', `signing in for /admin should lead there, got ${sec.url()}`);
  await expectVisible(sec.getByRole('heading', { name: '工作人员账号', level: 2 }), 'the staff section');
  for (const section of ['窗口与技能', '事项目录']) {
    await expectHidden(sec.getByRole('heading', { name: section, level: 2 }), `the ${section} section for the security administrator`);
  }
  await expectHidden(sec.locator('form#window-form'), 'the window form for the security administrator');
  await ctx.screenshot('secadmin', sec);

  // A clerk account: first a password of two kinds of character, then the confirmation mistyped.
  const userForm = sec.locator('form#user-form');
  await expectText(fieldOf(sec, 'new-password').locator('.hint'), /^至少 8 个字符，含大写字母、小写字母、数字、其他字符中的至少三种，且不含用户名。$/, 'the password rule under the field');
  await userForm.getByLabel('用户名', { exact: true }).fill(NEW_CLERK);
  await userForm.getByLabel('角色').selectOption({ label: '窗口受理' });
  await userForm.getByLabel('密码', { exact: true }).fill(WEAK_PASSWORD);
  await userForm.getByLabel('再次输入密码').fill(WEAK_PASSWORD);
  await clickAndWait(sec, userForm.getByRole('button', { name: '新建账号' }));
  await expectText(fieldOf(sec, 'new-password').locator('.field-error'), /^密码须含大写字母、小写字母、数字、其他字符中的至少三种。$/, 'the password-rule message next to the password');
  await expectKept(sec, 'new-password', '', 'the refused weak password (never sent back)');
  check((await userForm.getByLabel('用户名', { exact: true }).inputValue()) === NEW_CLERK, 'the username should be kept after the refusal');
  await expectHidden(sec.locator(`tr[data-user="${NEW_CLERK}"]`), 'the account with a weak password in the table');
  await ctx.screenshot('secadmin-password-weak', sec);

  await userForm.getByLabel('密码', { exact: true }).fill(NEW_PASSWORD);
  await userForm.getByLabel('再次输入密码').fill(`${NEW_PASSWORD}!`);
  await clickAndWait(sec, userForm.getByRole('button', { name: '新建账号' }));
  await expectText(fieldOf(sec, 'new-password-again').locator('.field-error'), /^两次输入的密码不一致。$/, 'the mismatch message next to the confirmation');
  check((await sec.locator('#new-password-again').getAttribute('aria-invalid')) === 'true', 'the confirmation should be marked invalid');
  check((await userForm.getByLabel('用户名', { exact: true }).inputValue()) === NEW_CLERK, 'the username should be kept after the refusal');
  check((await userForm.getByLabel('角色').inputValue()) === 'clerk', 'the role should be kept after the refusal');
  check((await userForm.getByLabel('密码', { exact: true }).inputValue()) === '', 'a refused password must not come back to the browser');
  await expectHidden(sec.locator(`tr[data-user="${NEW_CLERK}"]`), 'the refused account in the table');
  await ctx.screenshot('secadmin-password-mismatch', sec);

  await userForm.getByLabel('密码', { exact: true }).fill(NEW_PASSWORD);
  await userForm.getByLabel('再次输入密码').fill(NEW_PASSWORD);
  await clickAndWait(sec, userForm.getByRole('button', { name: '新建账号' }));
  await expectText(sec.locator('#staff').getByRole('status'), new RegExp(`^已新建账号 ${NEW_CLERK}。$`), 'the account-created confirmation');
  const userRow = sec.locator(`tr[data-user="${NEW_CLERK}"]`);
  await expectText(userRow.locator('.role'), /^窗口受理$/, 'the role of the new account');
  await expectText(userRow.locator('.state'), /^正常$/, 'the new account active');
  await ctx.screenshot('secadmin-user-created', sec);

  // The new clerk signs in on another computer: the navigation offers the window console.
  const newcomer = await ctx.newPage();
  const newClerk = { username: NEW_CLERK, password: NEW_PASSWORD, role: 'clerk' };
  await signIn(newcomer, newClerk);
  const landed = new URL(newcomer.url()).pathname;
  const nav = newcomer.getByRole('navigation', { name: '主导航' });
  await expectVisible(nav.getByRole('link', { name: '综合受理', exact: true }), 'the window console in the new clerk\'s navigation');
  check((await nav.getByRole('link', { name: '综合受理', exact: true }).getAttribute('href')) === '/window', 'the navigation\'s 综合受理 should lead to /window');
  await expectHidden(nav.getByRole('link', { name: '系统管理', exact: true }), 'the admin page in a clerk\'s navigation');
  await expectVisible(newcomer.getByText(NEW_CLERK, { exact: true }), 'the new clerk named in the header');
  const landedHeading = (await newcomer.getByRole('heading', { level: 1 }).first().innerText()).trim();
  console.log(`    the new clerk signed in at plain /login and landed on ${landed} ("${landedHeading}")`);
  await ctx.screenshot('newcomer-signed-in', newcomer);
  await clickAndWait(newcomer, nav.getByRole('link', { name: '综合受理', exact: true }));
  await expectVisible(newcomer.getByRole('heading', { name: '选择窗口' }), 'the window chooser for the new clerk');
  await ctx.screenshot('newcomer-window', newcomer);

  // Disabled by the security administrator: the account's session ends at once.
  await clickAndWait(sec, userRow.getByRole('button', { name: `停用账号 ${NEW_CLERK}` }));
  await expectText(sec.locator('#staff').getByRole('status'), new RegExp(`^已停用账号 ${NEW_CLERK}，其登录已全部结束。$`), 'the account-disabled confirmation');
  await expectText(userRow.locator('.state'), /^已停用$/, 'the account shown disabled');
  await expectHidden(userRow.getByRole('button', { name: `停用账号 ${NEW_CLERK}` }), 'the disable button of a disabled account');
  await ctx.screenshot('secadmin-user-disabled', sec);
  await newcomer.reload();
  check(new URL(newcomer.url()).pathname === '/login', `the disabled clerk's page should lead to /login, got ${newcomer.url()}`);
  await expectVisible(newcomer.getByRole('heading', { name: '工作人员登录' }), 'the login page for the disabled clerk');
  await newcomer.getByLabel('用户名').fill(NEW_CLERK);
  await newcomer.getByLabel('密码').fill(NEW_PASSWORD);
  await clickAndWait(newcomer, newcomer.getByRole('button', { name: '登录', exact: true }));
  check(new URL(newcomer.url()).pathname === '/login', 'a disabled account must not sign in');
  await expectText(newcomer.getByRole('alert'), /^用户名、密码或动态验证码错误。$/, 'the refusal of the disabled account (no hint that it exists)');
  await ctx.screenshot('newcomer-disabled', newcomer);

  // 1c. A new audit administrator: created without a key, which it cannot sign in without;
  // the security administrator issues one (shown once); the auditor signs in with its code.
  await userForm.getByLabel('用户名', { exact: true }).fill(NEW_AUDITOR);
  await userForm.getByLabel('角色').selectOption({ label: '审计管理员' });
  await userForm.getByLabel('密码', { exact: true }).fill(NEW_PASSWORD);
  await userForm.getByLabel('再次输入密码').fill(NEW_PASSWORD);
  await clickAndWait(sec, userForm.getByRole('button', { name: '新建账号' }));
  await expectText(sec.locator('#staff').getByRole('status'), new RegExp(`^已新建账号 ${NEW_AUDITOR}。$`), 'the auditor-created confirmation');
  const auditorRow = sec.locator(`tr[data-user="${NEW_AUDITOR}"]`);
  await expectText(auditorRow.locator('.role'), /^审计管理员$/, 'the role of the new auditor');
  await expectText(auditorRow.locator('.second-factor'), /^未绑定（该角色登录必需）$/, 'the new auditor without a key');
  await ctx.screenshot('secadmin-auditor-created', sec);

  const auditor = await ctx.newPage();
  const newAuditor = { username: NEW_AUDITOR, password: NEW_PASSWORD, role: 'auditor', totpKey: null };
  await auditor.goto('/login?next=/access-log');
  await auditor.getByLabel('用户名').fill(NEW_AUDITOR);
  await auditor.getByLabel('密码').fill(NEW_PASSWORD);
  await clickAndWait(auditor, auditor.getByRole('button', { name: '登录', exact: true }));
  check(new URL(auditor.url()).pathname === '/login', 'an administrator without a key must not sign in');
  await expectText(auditor.getByRole('alert'), /^该岗位须使用动态验证码登录，本账号尚未绑定，请联系安全管理员发放。$/, 'the refusal of an administrator without a key');
  await ctx.screenshot('auditor-without-key', auditor);

  await clickAndWait(sec, auditorRow.getByRole('button', { name: `为 ${NEW_AUDITOR} 发放新的动态验证码密钥` }));
  const keyBox = sec.locator('#issued-key');
  await expectText(keyBox.locator('p').first(), new RegExp(`^请让 ${NEW_AUDITOR} 在身份验证器中添加以下密钥。密钥只显示这一次`), 'the key-issued heading');
  newAuditor.totpKey = await expectText(keyBox.locator('code.totp-key'), /^[A-Z2-7]{16,}$/, 'the issued key');
  await expectText(keyBox.locator('code.totp-link'), new RegExp(`^otpauth://totp/haoban:${NEW_AUDITOR}\\?secret=${newAuditor.totpKey}&`), 'the otpauth link of the key');
  await expectText(auditorRow.locator('.second-factor'), /^已绑定$/, 'the new auditor with a key');
  await ctx.screenshot('secadmin-key-issued', sec);
  await sec.goto('/admin');
  await expectHidden(sec.locator('#issued-key'), 'the key on the page opened again (it is shown once)');
  check(!(await sec.content()).includes(newAuditor.totpKey), 'the key must not be on the admin page opened again');

  // Signed in at plain /login, as a newcomer told only the address would; the navigation
  // leads to the access log wherever the sign-in landed.
  await signIn(auditor, newAuditor);
  const auditorLanded = (await auditor.getByRole('heading', { level: 1 }).first().innerText()).trim();
  console.log(`    the new auditor signed in at plain /login and landed on ${new URL(auditor.url()).pathname} ("${auditorLanded}")`);
  await ctx.screenshot('auditor-signed-in', auditor);
  const auditorNav = auditor.getByRole('navigation', { name: '主导航' });
  await clickAndWait(auditor, auditorNav.getByRole('link', { name: '审计日志', exact: true }));
  check(new URL(auditor.url()).pathname === '/access-log', `the navigation's 审计日志 should lead to /access-log, got ${auditor.url()}`);
  await expectVisible(auditor.getByRole('heading', { name: '审计日志', level: 1 }), 'the access-log heading');
  lap('security administrator: accounts, a key issued');

  // 1d. The auditor reads what the security administrator just did; the system
  // administrator may not.
  await auditor.getByLabel('操作人').fill(users.secadmin.username);
  await clickAndWait(auditor, auditor.getByRole('button', { name: '查询', exact: true }));
  const logRows = auditor.locator('table.access-log tbody tr');
  const recorded = async (action, object, result, what) => {
    const row = logRows.filter({ has: auditor.locator('code', { hasText: new RegExp(`^${action}$`) }) }).filter({ hasText: object }).filter({ hasText: result });
    await expectVisible(row, what);
    return row;
  };
  const createdRow = await recorded('POST /admin/users', `username=${NEW_CLERK}`, '成功', `the record of ${NEW_CLERK} created`);
  await expectText(createdRow.locator('td').nth(1), new RegExp(`^${users.secadmin.username} \\(secadmin\\)$`), 'who created the account');
  // A form refused for what was typed is a 422, which the log counts as 失败 (not 被拒绝, kept
  // for 401/403/423/429).
  const invalid = await recorded('POST /admin/users', `username=${NEW_CLERK}`, '失败 422', `the refused creations of ${NEW_CLERK}`);
  check((await invalid.count()) === 2, `two refused creations of ${NEW_CLERK} (weak password, mismatch) should be recorded, found ${await invalid.count()}`);
  await recorded('POST /admin/users', `username=${NEW_AUDITOR}`, '成功', `the record of ${NEW_AUDITOR} created`);
  await recorded('POST /admin/users/disable', `username=${NEW_CLERK}`, '成功', `the record of ${NEW_CLERK} disabled`);
  const issuedRow = await recorded('POST /admin/users/totp', '', '成功', 'the record of the key issued');
  const issuedObject = (await issuedRow.first().locator('td').nth(3).innerText()).trim();
  if (!issuedObject.includes(NEW_AUDITOR)) console.log(`    NOTE: the access log's record of the key issued does not name the account (object ${JSON.stringify(issuedObject)})`);
  const secRows = await logRows.count();
  check(secRows >= 5, `the access log should hold at least 5 records of ${users.secadmin.username}, it shows ${secRows}`);
  check(!(await auditor.content()).includes(NEW_PASSWORD), 'no password in the access log');
  check(!(await auditor.content()).includes(newAuditor.totpKey), 'no TOTP key in the access log');
  await ctx.screenshot('auditor-access-log', auditor);

  const refusedLog = await admin.goto('/access-log');
  check(refusedLog.status() === 403, `the system administrator's /access-log should answer 403, got ${refusedLog.status()}`);
  await expectText(admin.getByRole('heading', { level: 1 }), /^无权访问$/, 'the refusal heading');
  await expectText(admin.locator('.lead'), /^只有审计管理员可以查看审计日志。$/, 'why the system administrator is refused');
  await expectHidden(admin.locator('table.access-log'), 'the access log for the system administrator');
  await ctx.screenshot('sysadmin-access-log-refused', admin);
  await auditor.getByLabel('操作人').fill(users.sysadmin.username);
  await clickAndWait(auditor, auditor.getByRole('button', { name: '查询', exact: true }));
  await recorded('GET /access-log', '', '被拒绝', 'the system administrator\'s refused look at the access log');
  await ctx.screenshot('auditor-access-log-sysadmin', auditor);
  lap('auditor: access log; system administrator refused');

  // ==== 2. Appointments at the desk. ========================================================
  const desk = await ctx.newPage();
  await signIn(desk, users.desk, { next: '/desk' });
  await clickAndWait(desk, desk.getByRole('link', { name: '预约与签到', exact: true }));
  check(new URL(desk.url()).pathname === '/desk/appointments', `the desk's 预约 link should lead to /desk/appointments, got ${desk.url()}`);
  await expectVisible(desk.getByRole('heading', { name: '预约', level: 1 }), 'the appointments heading');
  await ctx.screenshot('appointments', desk);

  // A slot later today, or tomorrow when today's are over (check-in is for today only).
  const now = shanghaiMinutes();
  const slotChoice = desk.getByLabel('时段', { exact: true });
  let offered = await slotChoice.locator('option:not([disabled])').evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  // After the last slot of the day (and after closing) none is left today: tomorrow's then.
  let slot = offered.find((time) => minutesOf(time) >= now + 5);
  let day = shanghaiDay(0);
  const today = slot !== undefined;
  if (!today) {
    day = shanghaiDay(1);
    console.log(`    NOTE: no slot left today (it is ${String(Math.floor(now / 60)).padStart(2, '0')}:${String(now % 60).padStart(2, '0')} in Shanghai): booking for ${day}; check-in skipped`);
    await desk.getByLabel('日期').fill(day);
    await clickAndWait(desk, desk.getByRole('button', { name: '查看', exact: true }));
    check(new URL(desk.url()).searchParams.get('day') === day, `the day chooser should show ${day}, got ${desk.url()}`);
    offered = await slotChoice.locator('option:not([disabled])').evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
    slot = offered[0];
  }
  check(offered.length > 0 && slot, `the slot choice offers no slot on ${day}`);
  const slotRow = desk.locator('table.slots tbody tr').filter({ has: desk.getByRole('rowheader', { name: slot, exact: true }) });
  const before = Number((await textOf(slotRow.locator('td').first(), `the count of slot ${slot}`)).match(/^(\d+)\/4/)?.[1]);
  check(Number.isInteger(before), `the slot ${slot} should show its bookings as n/4`);

  const id = idNumber('110105', BIRTH, '001');
  const book = desk.locator('form#book');
  await book.getByLabel('身份证号').fill(id);
  await book.getByLabel('姓名').fill(RESIDENT);
  await book.getByLabel('办理事项').selectOption(ITEM);
  await slotChoice.selectOption(slot);
  await clickAndWait(desk, book.getByRole('button', { name: '预约', exact: true }));
  check(new URL(desk.url()).searchParams.get('booked') === '1', `booking should confirm it, got ${desk.url()}`);
  check(new URL(desk.url()).searchParams.get('day') === day, `booking should show ${day}, got ${desk.url()}`);
  await expectText(desk.getByRole('status'), /^已预约。$/, 'the booking confirmation');
  await expectText(slotRow.locator('td').first(), new RegExp(`^${before + 1}/4`), `the count of slot ${slot} after booking`);
  const person = slotRow.getByRole('listitem').filter({ hasText: RESIDENT });
  await expectText(person, new RegExp(`${RESIDENT} 1101\\*+.*${ITEM_NAME}`), 'the resident (ID masked) and the item in the slot');
  console.log(`    booked ${slot} on ${day} (${before + 1}/4)`);
  await ctx.screenshot('appointment-booked', desk);

  // A second resident with a mistyped ID: refused next to the field, the typing kept.
  const badId = withWrongCheck(idNumber('310104', '1962-08-15', '003'));
  await book.getByLabel('身份证号').fill(badId);
  await book.getByLabel('姓名').fill('赵敏');
  await book.getByLabel('办理事项').selectOption(ITEM);
  await slotChoice.selectOption(slot);
  await clickAndWait(desk, book.getByRole('button', { name: '预约', exact: true }));
  await expectText(fieldOf(desk, 'id_number').locator('.field-error'), /^身份证号不正确，请核对 18 位号码及校验位。$/, 'the ID message next to the field');
  await expectKept(desk, 'id_number', badId, 'the refused ID number');
  check((await book.getByLabel('姓名').inputValue()) === '赵敏', 'the name should be kept after the refusal');
  check((await slotChoice.inputValue()) === slot, 'the slot should be kept after the refusal');
  await expectText(slotRow.locator('td').first(), new RegExp(`^${before + 1}/4`), `the count of slot ${slot} after a refused booking`);
  await ctx.screenshot('appointment-bad-id', desk);

  // Check-in: the resident arrives and gets a ticket.
  let ours = null;
  if (today) {
    await clickAndWait(desk, person.getByRole('button', { name: '签到取号' }));
    await expectVisible(desk.getByRole('heading', { name: '排队号' }), 'the ticket slip heading');
    ours = await textOf(desk.getByText(/^[A-Z]\d{3}$/), 'the ticket number');
    await expectVisible(desk.getByRole('listitem').filter({ hasText: ITEM_NAME }), `${ITEM_NAME} on the slip`);
    console.log(`    checked in: ticket ${ours}`);
    await ctx.screenshot('appointment-ticket', desk);
    await desk.goto('/desk/appointments');
    await expectText(slotRow.getByRole('listitem').filter({ hasText: RESIDENT }).locator('.tag'), /^已签到$/, 'the resident checked in');
    await expectHidden(slotRow.getByRole('listitem').filter({ hasText: RESIDENT }).getByRole('button', { name: '签到取号' }), 'a second check-in');
    await ctx.screenshot('appointment-checked-in', desk);
  } else {
    await expectHidden(person.getByRole('button', { name: '签到取号' }), 'check-in for a day that is not today');
  }
  lap('desk: appointment booked');

  // ==== 3. Window 3: call, park, resume, call again, transfer. ==============================
  const win = await ctx.newPage();
  await signIn(win, users.clerk, { next: `/window?w=${FROM_WINDOW}` });
  await expectVisible(win.getByRole('heading', { name: `${FROM_WINDOW} 号窗口` }), `the heading of window ${FROM_WINDOW}`);
  const held = win.locator('#held-number');
  if (await held.isVisible()) {
    console.log(`    window ${FROM_WINDOW} still held ${await held.innerText()} from before: finished`);
    await clickAndWait(win, win.getByRole('button', { name: '办结离窗' }));
  }
  if (!ours) {
    // Nothing of ours waits: the desk gives a ticket without a questionnaire.
    await desk.goto('/desk');
    await clickAndWait(desk, desk.getByRole('button', { name: '不再提问，查看结果' }));
    await clickAndWait(desk, desk.getByRole('button', { name: '取号排队' }));
    await expectVisible(desk.getByRole('heading', { name: '排队号' }), 'the ticket slip heading');
    ours = await textOf(desk.getByText(/^[A-Z]\d{3}$/), 'the ticket number');
    console.log(`    issued at the desk: ticket ${ours}`);
    await ctx.screenshot('desk-ticket', desk);
    await win.reload();
  }
  const waiting = Number(await textOf(win.locator('#waiting-count'), 'the waiting count'));
  check(waiting >= 1, `window ${FROM_WINDOW} should see ${ours} waiting, it counts ${waiting}`);
  await ctx.screenshot('window-before-call', win);

  /** Calls at `page` until `number` comes; others are recorded as 过号 (no-show). */
  const callUntil = async (page, window, number) => {
    for (let calls = 1; ; calls += 1) {
      check(calls <= 10, `window ${window} called 10 tickets without reaching ${number}`);
      await clickAndWait(page, page.getByRole('button', { name: '叫下一位' }));
      const called = await textOf(page.locator('#held-number'), 'the called ticket');
      if (called === number) return;
      console.log(`    window ${window} called ${called} (not ours): recorded as 过号`);
      await clickAndWait(page, page.getByRole('button', { name: '过号' }));
      await expectHidden(page.locator('#held-number'), `${called} after 过号`);
    }
  };

  await callUntil(win, FROM_WINDOW, ours);
  await expectText(win.locator('.held-kicker'), /已叫号/, 'the ticket as called');
  if (today) await expectText(definitionOf(win.locator('.held'), '办事人'), new RegExp(`^${RESIDENT} · 1101\\*+`), 'the resident of the appointment at the window');
  await ctx.screenshot('window-called', win);

  // 暂挂: the resident fetches a document; the ticket waits under the window.
  await clickAndWait(win, win.getByRole('button', { name: '暂挂', exact: true }));
  await expectHidden(held, 'the parked ticket as held');
  const parkedList = win.getByRole('region', { name: '本窗口暂挂的号' });
  const parkedItem = parkedList.getByRole('listitem').filter({ hasText: ours });
  await expectVisible(parkedItem, `${ours} under 本窗口暂挂的号`);
  await expectVisible(win.getByRole('button', { name: '叫下一位' }), 'the call button while a ticket is parked');
  await ctx.screenshot('window-parked', win);

  // 恢复: back in the queue, reserved for this window; called again.
  const waitingParked = Number(await textOf(win.locator('#waiting-count'), 'the waiting count'));
  await clickAndWait(win, parkedItem.getByRole('button', { name: '恢复' }));
  await expectHidden(win.getByRole('heading', { name: '本窗口暂挂的号' }), 'the parked list after resuming');
  await expectText(win.locator('#waiting-count'), new RegExp(`^${waitingParked + 1}$`), 'the waiting count with the resumed ticket');
  await ctx.screenshot('window-resumed', win);
  await callUntil(win, FROM_WINDOW, ours);
  await expectText(win.locator('.held-kicker'), /已叫号/, 'the resumed ticket called again');

  // A transfer to category "b": refused next to the fields, the typing kept.
  const transfer = win.locator('form#transfer');
  await transfer.getByLabel('或转到类别').fill('b');
  await clickAndWait(win, transfer.getByRole('button', { name: '转移', exact: true }));
  await expectText(transfer.locator('.field-error'), /^类别为一个大写字母，如 A。$/, 'the category message in the transfer form');
  check((await transfer.getByLabel('或转到类别').inputValue()) === 'b', 'the category typed should be kept after the refusal');
  // The message is about the category; say so when only the window field carries it.
  const categoryInvalid = (await transfer.getByLabel('或转到类别').getAttribute('aria-invalid')) === 'true';
  const windowInvalid = (await transfer.getByLabel('转到窗口').getAttribute('aria-invalid')) === 'true';
  check(categoryInvalid || windowInvalid, 'a refused transfer should mark a field invalid');
  if (!categoryInvalid) console.log(`    NOTE: the category message is tied to the window field (aria-invalid on #to_window=${windowInvalid}, on #category=${categoryInvalid})`);
  await expectText(held, new RegExp(`^${ours}$`), 'the ticket still held after a refused transfer');
  await ctx.screenshot('window-transfer-refused', win);

  await transfer.getByLabel('或转到类别').fill('');
  await transfer.getByLabel('转到窗口').fill(TO_WINDOW);
  await clickAndWait(win, transfer.getByRole('button', { name: '转移', exact: true }));
  check(new URL(win.url()).pathname === '/window', `a transfer should lead back to the console, got ${win.url()}`);
  await expectHidden(held, 'the transferred ticket at the window');
  await expectVisible(win.getByRole('button', { name: '叫下一位' }), 'the call button after the transfer');
  await ctx.screenshot('window-transferred', win);

  // Window 9 calls it (it is reserved for window 9).
  const win9 = await ctx.newPage();
  await signIn(win9, users.clerk, { next: `/window?w=${TO_WINDOW}` });
  await expectVisible(win9.getByRole('heading', { name: `${TO_WINDOW} 号窗口` }), `the heading of window ${TO_WINDOW}`);
  await callUntil(win9, TO_WINDOW, ours);
  await expectText(win9.locator('.held-kicker'), /已叫号/, `the transferred ticket called at window ${TO_WINDOW}`);
  await ctx.screenshot('window9-called', win9);
  lap('window: called, parked, resumed, transferred');

  // ==== 4. The hall board in English. =======================================================
  const board = await ctx.newPage();
  // What the speakers would say is recorded instead of said.
  await board.addInitScript(() => {
    window.__spoken = [];
    window.SpeechSynthesisUtterance = window.SpeechSynthesisUtterance || function (text) { this.text = text; };
    Object.defineProperty(window, 'speechSynthesis', {
      configurable: true,
      value: { speak: (u) => window.__spoken.push(u.text), cancel: () => {} },
    });
  });
  await board.goto(`/board?center=${CENTER}&lang=en`);
  await expectPageLanguage(board, 'en');
  const now9 = board.locator('.board-now');
  await expectText(now9.locator('.board-now-number'), new RegExp(`^${ours}$`), `${ours} as the latest call on the board`);
  await expectText(now9.locator('.board-now-window'), new RegExp(`^Window ${TO_WINDOW}$`), 'the window on the English board');
  await expectText(now9.locator('.board-now-text'), new RegExp(`^Ticket ${ours}, please go to window ${TO_WINDOW}$`), 'the English call text');
  await expectText(now9.locator('.board-now-text-zh'), new RegExp(`^请${ours}号到${TO_WINDOW}号窗口$`), 'the Chinese call text under it');
  await expectVisible(board.locator('table.board-calls tr').filter({ hasText: ours }).filter({ hasText: `Window ${TO_WINDOW}` }), `${ours} among the recent calls`);
  await board.evaluate(() => { window.__sameDocument = true; });
  await ctx.screenshot('board-en', board);

  // 过号 at window 9: the board drops the call by itself.
  await clickAndWait(win9, win9.getByRole('button', { name: '过号' }));
  await expectHidden(win9.locator('#held-number'), 'the no-show ticket at window 9');
  await ctx.screenshot('window9-no-show', win9);
  await expectHidden(board.locator('.board-now-number').filter({ hasText: new RegExp(`^${ours}$`) }), `${ours} on the board after 过号`, 5_000);
  check(await board.evaluate(() => window.__sameDocument === true), 'the board was reloaded; it should update in place');
  await ctx.screenshot('board-en-after-no-show', board);
  lap('board: English call, then 过号');

  // ==== 5. The day report. ==================================================================
  const report = await ctx.newPage();
  await signIn(report, users.supervisor, { next: '/reports' });
  check(new URL(report.url()).pathname === '/reports', `signing in for /reports should lead there, got ${report.url()}`);
  const todayText = shanghaiDay(0);
  await expectText(report.getByRole('heading', { level: 1 }), new RegExp(todayText), 'the report heading naming today');
  const issued = Number(await textOf(report.locator('[data-figure="issued"]'), 'the tickets-issued figure'));
  check(issued > 0, `the report should count the day's tickets, it says ${issued}`);
  const noShows = Number(await textOf(report.locator('[data-figure="no-shows"]'), 'the no-shows figure'));
  check(noShows >= 1, `the report should count the 过号 at window ${TO_WINDOW}, it says ${noShows}`);
  await expectVisible(report.getByRole('img', { name: /每小时的取号数/ }), 'the per-hour chart');
  const bars = await report.locator('svg.hour-chart g.bar text.count').allTextContents();
  check(bars.map(Number).reduce((a, b) => a + b, 0) === issued, `the per-hour bars should add up to ${issued}: ${bars.join(', ')}`);
  await expectVisible(report.getByRole('heading', { name: '预计等候的准确度' }), 'the wait-promise section');
  const promise = report.locator('#promise');
  await expectVisible(promise.locator('[data-figure="promise-checked"]').or(promise.getByText('当天没有可以核对的预计等候。')), 'the wait-promise figures or why there are none');
  const promiseChecked = promise.locator('[data-figure="promise-checked"]');
  const checked = (await promiseChecked.count()) > 0 ? await promiseChecked.innerText() : '0';
  await expectVisible(report.locator('#windows').getByRole('row').filter({ hasText: `${TO_WINDOW} 号窗口` }), `window ${TO_WINDOW} in the per-window table`);
  console.log(`    report: ${issued} ticket(s) issued, ${noShows} no-show(s), ${checked} promise(s) checked`);
  await ctx.screenshot('report', report);

  // A day that does not exist: refused next to the field, as typed.
  await report.getByLabel('日期', { exact: true }).fill('2026-13-40');
  await clickAndWait(report, report.getByRole('button', { name: '查看', exact: true }));
  await expectText(fieldOf(report, 'day').locator('.field-error'), /^请按 年-月-日 填写一个日期，如 2026-11-02。$/, 'the date message next to the field');
  await expectKept(report, 'day', '2026-13-40', 'the refused date');
  await expectHidden(report.locator('[data-figure="issued"]'), 'figures for a day that does not exist');
  await ctx.screenshot('report-bad-day', report);

  // English.
  await switchLanguage(report, 'en');
  if (await report.locator('#day-error').isVisible()) {
    await expectText(report.locator('#day-error'), /^Enter a day as year-month-day/, 'the date message in English');
    await ctx.screenshot('report-bad-day-en', report);
    await clickAndWait(report, report.getByRole('link', { name: 'Today', exact: true }));
  }
  await expectPageLanguage(report, 'en');
  for (const heading of ["The hall's queue", 'Tickets by hour', 'By window', 'How good the wait estimates were', 'Cases of the day']) {
    await expectVisible(report.getByRole('heading', { name: heading, level: 2 }), `the English heading ${heading}`);
  }
  await expectVisible(report.locator('.tile-issued').getByText('Tickets issued', { exact: true }), 'the English tickets-issued label');
  await expectText(report.locator('[data-figure="issued"]'), new RegExp(`^${issued}$`), 'the same figure in English');
  await expectVisible(report.getByRole('img', { name: /Tickets issued each hour/ }), 'the English chart title');
  await expectVisible(report.getByLabel('Day', { exact: true }), 'the English date field');
  await ctx.screenshot('report-en', report);
  lap('report: figures, bad day, English');
}
