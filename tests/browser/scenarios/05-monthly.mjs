// The month, as the center director sees it:
//   1. some work this month, so there is something to show: the desk issues a ticket, the
//      window clerk calls it at window 6, serves it and lets the resident go (the pages); a
//      case is accepted and approved (the API, as the window and the back office would;
//      their pages are walked in 03-hall); the visit is rated 满意 at the window pad (the
//      API, anonymous: the ticket carries no ID number);
//   2. the supervisor opens 月度绩效 from the navigation: this month's list computed live,
//      the scores, the chart of what each total is made of, the figures; opens the clerk's
//      acceptances down to the events of the process record, and how the list is computed;
//   3. downloads the workbook (a zip: PK), is refused 2026-13 next to the month field;
//   4. the center's month (/reports/month): volume, waits, deadlines and ratings as charts;
//   5. both in English.

import { readFileSync } from 'node:fs';

import {
  check,
  clickAndWait,
  expectHidden,
  expectPageLanguage,
  expectText,
  expectVisible,
  idNumber,
  retireeFacts,
  signIn,
  switchLanguage,
  textOf,
} from '../lib.mjs';

const ITEM = 'elderly-comprehensive-allowance';
const NAME = '孙美华';
const BIRTH = '1952-04-18';
const WINDOW = '6';

/** What the applicant told the desk (as in 03-hall). */
const FACTS = retireeFacts(BIRTH, 31);


/** Today in Shanghai, YYYY-MM-DD. */
function shanghaiDay() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

/** The JSON API in a signed-in browser context: the session cookie and its CSRF header. */
async function apiAs(ctx, user) {
  const page = await ctx.newPage();
  const signedIn = await page.request.post('/api/v1/session', { data: { username: user.username, password: user.password } });
  check(signedIn.ok(), `API sign-in as ${user.username} failed: ${signedIn.status()} ${await signedIn.text()}`);
  const { csrf_token: csrf } = await signedIn.json();
  return async (path, data = {}) => {
    const reply = await page.request.post(path, { data, headers: { 'x-csrf-token': csrf } });
    const body = await reply.json().catch(() => null);
    check(reply.ok(), `POST ${path} as ${user.username}: ${reply.status()} ${JSON.stringify(body)}`);
    return body;
  };
}

/** The `.field` holding the input `#id` (its label, hint, message and input). */
function fieldOf(page, id) {
  return page.locator('.field').filter({ has: page.locator(`#${id}`) });
}

export default async function monthly(ctx) {
  const { users } = ctx;
  const today = shanghaiDay();
  const month = today.slice(0, 7);
  const t0 = Date.now();
  const lap = (what) => console.log(`    ${what} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

  // ==== 1. Work this month. =================================================================
  const desk = await ctx.newPage();
  await signIn(desk, users.desk, { next: '/desk' });
  await clickAndWait(desk, desk.getByRole('button', { name: '不再提问，查看结果' }));
  await clickAndWait(desk, desk.getByRole('button', { name: '取号排队' }));
  const ticket = await textOf(desk.locator('#ticket-number'), 'the ticket number');
  console.log(`    ticket ${ticket} issued at the desk`);

  const win = await ctx.newPage();
  await signIn(win, users.clerk, { next: `/window?w=${WINDOW}` });
  await expectVisible(win.getByRole('heading', { name: `${WINDOW} 号窗口` }), `the heading of window ${WINDOW}`);
  const held = win.locator('#held-number');
  if (await held.isVisible()) await clickAndWait(win, win.getByRole('button', { name: '办结离窗' }));
  for (let calls = 1; ; calls += 1) {
    check(calls <= 10, `window ${WINDOW} called 10 tickets without reaching ${ticket}`);
    await clickAndWait(win, win.getByRole('button', { name: '叫下一位' }));
    const called = await textOf(held, 'the called ticket');
    if (called === ticket) break;
    await clickAndWait(win, win.getByRole('button', { name: '过号' }));
  }
  await clickAndWait(win, win.getByRole('button', { name: '开始办理' }));
  await clickAndWait(win, win.getByRole('button', { name: '办结离窗' }));
  await expectHidden(held, 'the served ticket at the window');

  const clerkApi = await apiAs(ctx, users.clerk);
  const officeApi = await apiAs(ctx, users.office);
  const opened = await clerkApi('/api/v1/cases', { item: ITEM, applicant: { id_number: idNumber('310106', BIRTH, '005'), name: NAME }, facts: FACTS });
  const number = opened.number;
  const materials = [...opened.required_materials, ...opened.conditional_materials].map((material) => ({ material, state: 'received' }));
  await clerkApi(`/api/v1/cases/${number}/actions/accept`, { materials });
  await officeApi(`/api/v1/cases/${number}/actions/start_review`);
  await officeApi(`/api/v1/cases/${number}/actions/approve`, { note: '符合条件' });

  const pad = await ctx.newPage();
  const rated = await pad.request.post('/api/v1/ratings', {
    data: { target: { kind: 'visit', day: today, ticket }, center: users.clerk.center, level: 4, channel: 'window_pad' },
  });
  check(rated.status() === 201, `rating ${ticket} at the pad: ${rated.status()} ${await rated.text()}`);
  lap(`ticket ${ticket} served at window ${WINDOW}, case ${number} accepted and approved, the visit rated 4`);

  // ==== 2. The list, live. ==================================================================
  const report = await ctx.newPage();
  await signIn(report, users.supervisor, { next: '/reports' });
  const nav = report.getByRole('navigation', { name: '主导航' });
  await expectVisible(report.locator('.report-links').getByRole('link', { name: '月度绩效', exact: true }), 'the link to the list on the day report');
  await clickAndWait(report, nav.getByRole('link', { name: '月度绩效', exact: true }));
  check(new URL(report.url()).pathname === '/reports/monthly', `the navigation's 月度绩效 should lead to /reports/monthly, got ${report.url()}`);
  await expectText(report.getByRole('heading', { level: 1 }), new RegExp(`^月度绩效榜（5个维度） · ${month}$`), 'the heading naming this month');
  await expectText(report.locator('.list-source'), /^本月尚未结束：以下是截至 .* 根据过程记录实时计算的数据/, 'the list said to be live');
  const clerkRow = report.locator(`table.monthly-scores tr[data-staff="${users.clerk.username}"]`);
  await expectVisible(clerkRow, `${users.clerk.username} on the list`);
  const total = await textOf(clerkRow.locator('[data-figure="total"]'), 'the clerk\'s total');
  check(/^\d+\.\d\d$/.test(total), `a total has two decimals, got ${total}`);
  await expectVisible(report.locator(`table.monthly-scores tr[data-staff="${users.office.username}"]`), `${users.office.username} (the approval) on the list`);
  await expectVisible(report.getByRole('img', { name: new RegExp(`${month} 各人员的总分`) }), 'the chart of the totals');
  const parts = await report.locator('svg.score-chart .staff-bar').count();
  check(parts === await report.locator('table.monthly-scores tbody tr').count(), 'a bar per member on the list');
  await expectVisible(report.getByRole('link', { name: '每个数字怎样计算' }), 'the link to the formulas');
  const figures = report.locator(`table.monthly-figures tr[data-staff="${users.clerk.username}"]`);
  const accepted = Number(await textOf(figures.locator('[data-figure="accepted"]'), 'the acceptances of the clerk'));
  check(accepted >= 1, `the clerk accepted ${number} this month, the list says ${accepted}`);
  await ctx.screenshot('list', report);
  await report.locator('#chart').scrollIntoViewIfNeeded();
  await report.locator('#chart').screenshot({ path: ctx.file(`${ctx.name}-chart.png`) });

  // The clerk's acceptances, down to the events.
  await clickAndWait(report, figures.locator('[data-figure="accepted"] a'));
  check(new URL(report.url()).pathname === `/reports/monthly/${month}/${users.clerk.username}`, `the figure should open its events, got ${report.url()}`);
  await expectText(report.getByRole('heading', { level: 1 }), new RegExp(`^${users.clerk.username} · ${month} · 受理$`), 'the drill-down heading');
  const rows = report.locator('table.figure-events tbody tr');
  check((await rows.count()) === accepted, `${accepted} acceptance(s) on the list, ${await rows.count()} event(s) listed`);
  const ours = rows.filter({ has: report.getByRole('link', { name: number, exact: true }) });
  await expectText(ours.locator('.event'), /^受理$/, 'the acceptance in words');
  await expectText(ours.locator('.date'), new RegExp(`^${today} \\d\\d:\\d\\d$`), 'the time in Shanghai');
  await expectText(ours.locator('.seq'), /^#\d+$/, 'the event number');
  await ctx.screenshot('figure-accepted', report);
  await clickAndWait(report, report.locator('.figure-others').getByRole('link', { name: /^叫号服务/ }));
  await expectVisible(report.locator('table.figure-events td.detail').filter({ hasText: `${ticket} 号 · ${WINDOW} 号窗口` }), `the ticket ${ticket} served at window ${WINDOW}`);
  await ctx.screenshot('figure-tickets', report);
  await clickAndWait(report, report.getByRole('link', { name: '返回月度绩效榜' }));
  await clickAndWait(report, report.getByRole('link', { name: '每个数字怎样计算' }));
  await expectVisible(report.getByRole('heading', { name: '五个维度的数据', level: 2 }), 'the five figures explained');
  await ctx.screenshot('formulas', report);
  await clickAndWait(report, report.getByRole('link', { name: '返回月度绩效榜' }));
  lap('list, drill-down, formulas');

  // ==== 3. The workbook, and a month that does not exist. ====================================
  const [download] = await Promise.all([report.waitForEvent('download'), report.getByRole('link', { name: '下载 XLSX' }).click()]);
  check(download.suggestedFilename() === `haoban-${users.clerk.center}-${month}.xlsx`, `the workbook's name: ${download.suggestedFilename()}`);
  const saved = ctx.file(`${ctx.name}-list.xlsx`);
  await download.saveAs(saved);
  check(readFileSync(saved).subarray(0, 2).toString('latin1') === 'PK', 'the workbook should be a zip (PK)');

  await report.getByLabel('月份', { exact: true }).fill('2026-13');
  await clickAndWait(report, report.getByRole('button', { name: '查看', exact: true }));
  await expectText(fieldOf(report, 'month').locator('.field-error'), /^请按 年-月 填写一个月份，如 2026-11。$/, 'the month message next to the field');
  check((await report.locator('#month').inputValue()) === '2026-13', 'the month typed should be kept');
  check((await report.locator('#month').getAttribute('aria-invalid')) === 'true', 'the month field should be marked invalid');
  await expectHidden(report.locator('#scores'), 'a list for a month that does not exist');
  await ctx.screenshot('bad-month', report);
  await clickAndWait(report, report.getByRole('link', { name: '本月', exact: true }));
  lap('workbook downloaded, bad month refused');

  // ==== 4. The center's month. ===============================================================
  await clickAndWait(report, report.locator('.report-links').getByRole('link', { name: '中心月度概况' }));
  check(new URL(report.url()).pathname === '/reports/month', `the center's month should be /reports/month, got ${report.url()}`);
  await expectText(report.getByRole('heading', { level: 1 }), new RegExp(`^中心月度概况 · ${month}$`), 'the month heading');
  for (const [heading, chart] of [['每日办件量', /每天的取号数和受理件数/], ['每日平均等候', /平均等候/], ['办结时限', /按时与超时/], ['好差评', /各等级的评价数/]]) {
    await expectVisible(report.getByRole('heading', { name: heading, level: 2 }), `the section ${heading}`);
    await expectVisible(report.getByRole('img', { name: chart }), `the chart of ${heading}`);
  }
  const issued = Number(await textOf(report.locator('[data-figure="issued"]'), 'tickets issued this month'));
  const acceptedMonth = Number(await textOf(report.locator('[data-figure="accepted"]'), 'cases accepted this month'));
  const decided = Number(await textOf(report.locator('[data-figure="decided"]'), 'cases decided this month'));
  const ratings = Number(await textOf(report.locator('[data-figure="ratings"]'), 'ratings this month'));
  check(issued >= 1 && acceptedMonth >= 1 && decided >= 1 && ratings >= 1, `the month should show our work: ${issued} issued, ${acceptedMonth} accepted, ${decided} decided, ${ratings} rated`);
  const todayRow = report.locator('#volume .visually-hidden tbody tr').filter({ has: report.getByRole('rowheader', { name: new RegExp(`^${today} `) }) });
  const cells = await todayRow.locator('td').allTextContents();
  check(Number(cells[0]) >= 1 && Number(cells[1]) >= 1, `today's volume in the table read instead of the chart: ${cells.join(', ')}`);
  console.log(`    the month: ${issued} ticket(s), ${acceptedMonth} accepted, ${decided} decided, ${ratings} rating(s)`);
  await ctx.screenshot('month', report);

  // ==== 5. English. ==========================================================================
  await switchLanguage(report, 'en');
  await expectText(report.getByRole('heading', { level: 1 }), new RegExp(`^The center's month · ${month}$`), 'the English month heading');
  for (const heading of ['Volume per day', 'Mean wait per day', 'Deadlines met', 'Ratings']) {
    await expectVisible(report.getByRole('heading', { name: heading, level: 2 }), `the English section ${heading}`);
  }
  await expectText(report.locator('[data-figure="issued"]'), new RegExp(`^${issued}$`), 'the same figure in English');
  await ctx.screenshot('month-en', report);
  await clickAndWait(report, report.getByRole('link', { name: 'Monthly list', exact: true }).first());
  await expectPageLanguage(report, 'en');
  await expectText(report.getByRole('heading', { level: 1 }), new RegExp(`^Monthly performance list \\(5 dimensions\\) · ${month}$`), 'the English list heading');
  await expectText(report.locator('.list-source'), /^Month to date: computed live/, 'the list said to be live, in English');
  for (const column of ['Quantity', 'Efficiency', 'Value', 'Evaluation', 'Quality']) {
    await expectVisible(report.locator('table.monthly-scores thead').getByRole('columnheader', { name: column, exact: true }), `the column ${column}`);
  }
  await ctx.screenshot('list-en', report);
  lap('the center\'s month and English');
}
