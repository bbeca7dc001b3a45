// Ratings (好差评), walked as the people in them would:
//   1. a case is accepted, reviewed and handed over (through the API, as the window and the
//      back office would; their pages are walked in 03-hall), and the resident is sent a
//      rating link, which the scenario reads from the server's output as an operator could
//      (the default notifier logs each message with the ID number masked);
//   2. the resident opens the link in a browser nobody is signed in to, sees what is rated,
//      presses 非常不满意 and is told when they will be called back; the link opened again
//      is used up;
//   3. the clerk rated finds the follow-up under 差评回访 and appeals (first with no reason,
//      refused next to the field);
//   4. the supervisor sees it open with its due date, records the call-back (first empty,
//      refused), refuses the appeal, records the fix, and reads the page in English;
//   5. the window pad (/pad?w=8, no sign-in) shows the ticket the clerk calls at window 8,
//      the resident presses 满意, the pad thanks them and goes back to waiting; the same pad
//      opened in the clerk's signed-in browser refuses to rate.

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
const ITEM_NAME = '老年综合津贴申领';
const NAME = '赵桂兰';
const BIRTH = '1951-06-01';
const PAD_WINDOW = '8';

/** What the applicant told the desk (as in 03-hall). */
const FACTS = retireeFacts(BIRTH, 30);


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

/** The last rating link the server logged after `from` characters of its output. */
async function linkFromLog(server, from) {
  for (let tries = 0; tries < 50; tries += 1) {
    const links = [...server.output.slice(from).matchAll(/\/rate\/[0-9a-f]{64}/g)];
    if (links.length > 0) return links.at(-1)[0];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no rating link in the server's output:\n${server.tail(10)}`);
}

/** The value a `<dl>` gives for the term matching `term`. */
function definitionOf(scope, term) {
  return scope.getByRole('term').filter({ hasText: term }).first().locator('xpath=following-sibling::dd[1]');
}

export default async function ratings(ctx) {
  const { users, server } = ctx;

  // ==== 1. A delivered case, and the link the resident is sent. ==============================
  const clerkApi = await apiAs(ctx, users.clerk);
  const officeApi = await apiAs(ctx, users.office);
  const opened = await clerkApi('/api/v1/cases', { item: ITEM, applicant: { id_number: idNumber('310105', BIRTH, '006'), name: NAME }, facts: FACTS });
  const number = opened.number;
  const materials = [...opened.required_materials, ...opened.conditional_materials].map((material) => ({ material, state: 'received' }));
  await clerkApi(`/api/v1/cases/${number}/actions/accept`, { materials });
  await officeApi(`/api/v1/cases/${number}/actions/start_review`);
  await officeApi(`/api/v1/cases/${number}/actions/approve`);
  await officeApi(`/api/v1/cases/${number}/actions/mark_ready`, { delivery: 'window' });
  const logged = server.output.length;
  await clerkApi(`/api/v1/cases/${number}/actions/deliver`);
  const link = await linkFromLog(server, logged);
  check(!server.output.includes(idNumber('310105', BIRTH, '006')), 'the log must not show the whole ID number');
  console.log(`    case ${number} delivered; link ${link.slice(0, 14)}…`);

  // ==== 2. The resident rates through the link, once. =======================================
  const resident = await ctx.newPage();
  await resident.goto(link);
  await expectPageLanguage(resident, 'zh-CN');
  await expectVisible(resident.getByRole('heading', { name: '服务评价', level: 1 }), 'the rating page heading');
  await expectText(definitionOf(resident, '事项'), new RegExp(ITEM_NAME), 'the item rated');
  await expectText(definitionOf(resident, '办件编号'), new RegExp(number), 'the case number');
  const levels = resident.getByRole('group', { name: '请选择一项评价' }).getByRole('button');
  check((await levels.count()) === 5, `five level buttons, found ${await levels.count()}`);
  await ctx.screenshot('link', resident);
  await clickAndWait(resident, resident.getByRole('button', { name: /^非常不满意/ }));
  await expectVisible(resident.getByRole('heading', { name: '感谢您的评价' }), 'the thank-you heading');
  await expectText(resident.getByRole('status'), /非常不满意/, 'the level given');
  const due = (await textOf(resident.locator('p.lead'), 'the call-back promise')).match(/\d{4}-\d{2}-\d{2}/)?.[0];
  check(Boolean(due), 'the resident should be told by when they are called back');
  await ctx.screenshot('link-rated', resident);
  const again = await resident.goto(link);
  check(again.status() === 410, `a used link should answer 410, got ${again.status()}`);
  await expectVisible(resident.getByRole('heading', { name: '此评价链接已失效' }), 'the used-link message');
  await expectHidden(resident.getByRole('button', { name: /^满意/ }), 'the level buttons on a used link');
  await ctx.screenshot('link-used', resident);

  // ==== 3. The clerk rated appeals. =========================================================
  const clerk = await ctx.newPage();
  await signIn(clerk, users.clerk, { next: '/follow-ups' });
  await clickAndWait(clerk, clerk.getByRole('navigation').getByRole('link', { name: '差评回访' }));
  const clerkRow = clerk.locator(`tr[data-follow-up="${number}"]`);
  await expectVisible(clerkRow, 'the follow-up about the clerk');
  await clickAndWait(clerk, clerkRow.getByRole('link', { name: number }));
  const appeal = clerk.locator('form#appeal');
  await expectHidden(clerk.locator('form#call_back'), 'the call-back form for a clerk');
  await clickAndWait(clerk, appeal.getByRole('button', { name: '提交申诉' }));
  await expectText(clerk.locator('#appeal_reason-error'), /请填写内容/, 'the empty reason refused next to it');
  check((await clerk.locator('#appeal_reason').getAttribute('aria-invalid')) === 'true', 'the reason field marked invalid');
  await ctx.screenshot('appeal-refused', clerk);
  await clerk.getByLabel('申诉理由').fill('办事人说是等候时间长，与窗口办理无关。');
  await clickAndWait(clerk, clerk.locator('form#appeal').getByRole('button', { name: '提交申诉' }));
  await expectText(clerk.getByRole('status'), /已提交申诉/, 'the appeal confirmation');

  // ==== 4. The supervisor follows it up. ====================================================
  const boss = await ctx.newPage();
  await signIn(boss, users.supervisor, { next: '/desk' });
  await clickAndWait(boss, boss.getByRole('navigation').getByRole('link', { name: '差评回访' }));
  const row = boss.locator(`tr[data-follow-up="${number}"]`);
  await expectText(row.locator('.stage'), /^待回访$/, 'the follow-up open');
  await expectText(row.locator('.due-date'), new RegExp(`^${due}$`), 'its due date');
  await expectText(row.locator('.appeal'), /^待裁定$/, 'the appeal waiting');
  await ctx.screenshot('follow-ups', boss);
  await clickAndWait(boss, row.getByRole('link', { name: number }));
  await expectVisible(boss.getByText('办事人说是等候时间长'), 'the appeal on the page');
  await clickAndWait(boss, boss.locator('form#call_back').getByRole('button', { name: '保存回访记录' }));
  await expectText(boss.locator('#call_back_note-error'), /请填写内容/, 'the empty call-back refused next to it');
  await boss.getByLabel('回访情况').fill('电话回访：办事人反映叫号后等候较久，已致歉。');
  await clickAndWait(boss, boss.locator('form#call_back').getByRole('button', { name: '保存回访记录' }));
  await expectText(boss.getByRole('status'), /已保存回访记录/, 'the call-back confirmation');
  const decide = boss.locator('form#decide');
  await decide.getByRole('radio', { name: /^驳回申诉/ }).check();
  await decide.getByLabel('裁定理由').fill('查看叫号记录，等候属实，差评成立。');
  await clickAndWait(boss, decide.getByRole('button', { name: '保存裁定' }));
  await expectText(boss.getByRole('status'), /已保存裁定/, 'the decision confirmation');
  await boss.getByLabel('整改措施').fill('高峰时段增开一个综合窗口。');
  await clickAndWait(boss, boss.locator('form#fix').getByRole('button', { name: '保存整改记录' }));
  await expectText(boss.getByRole('status'), /已办结/, 'the fix confirmation');
  await expectText(boss.locator('.case-status'), /已整改/, 'the follow-up fixed');
  check((await boss.locator('.office-record tbody tr').count()) === 4, 'call-back, appeal, decision and fix on record');
  await ctx.screenshot('follow-up-done', boss);
  await switchLanguage(boss, 'en');
  await expectVisible(boss.getByRole('heading', { name: /Follow-up/ }), 'the follow-up page in English');
  await expectText(boss.locator('.case-status'), /fixed/, 'the stage in English');
  await expectVisible(boss.getByText('rating link in a message'), 'the channel in English');
  await ctx.screenshot('follow-up-en', boss);
  await switchLanguage(boss, 'zh');

  // ==== 5. The window pad. ==================================================================
  await clerkApi('/api/v1/tickets', {});
  const pad = await ctx.newPage();
  await pad.goto(`/pad?w=${PAD_WINDOW}`);
  await expectVisible(pad.getByRole('heading', { name: '欢迎您！' }), 'the pad waiting');
  const win = clerk;
  await win.goto(`/window?w=${PAD_WINDOW}`);
  await clickAndWait(win, win.getByRole('button', { name: '叫下一位' }));
  const ticket = await textOf(win.locator('#held-number'), 'the ticket called');
  // The pad reloads itself while waiting (every 3 s) and finds the call.
  await expectVisible(pad.getByRole('heading', { name: `${ticket} 号，请您为本次服务评价` }), 'the pad offering the ticket');
  check((await pad.getByRole('group', { name: '请选择一项评价' }).getByRole('button').count()) === 5, 'five buttons on the pad');
  await ctx.screenshot('pad', pad);
  await clickAndWait(pad, pad.getByRole('button', { name: /^满意/ }));
  await expectVisible(pad.getByRole('heading', { name: '谢谢您的评价！' }), 'the pad thanking');
  await expectText(pad.getByRole('status'), /满意/, 'the level given on the pad');
  await ctx.screenshot('pad-thanks', pad);
  await expectVisible(pad.getByRole('heading', { name: '欢迎您！' }), 'the pad waiting again', 15_000);
  await ctx.screenshot('pad-waiting', pad);
  const refused = await win.goto(`/pad?w=${PAD_WINDOW}`);
  check(refused.status() === 403, `the pad in the clerk's session should answer 403, got ${refused.status()}`);
  await expectVisible(win.getByRole('heading', { name: '工作人员不能评价' }), 'the pad refusing staff');
  await ctx.screenshot('pad-staff', win);
}
