// The staffed hall, walked as the people in it would: the desk clerk pre-reviews an
// elderly Shanghai resident paid through her own bank card and gives her a ticket; the
// hall board (a second screen, nobody signed in) shows the call live as the window clerk
// calls it; the window clerk accepts the elderly allowance with the bank card missing
// (容缺: first without the promise, refused, then with it) and prints the receipt (A4 PDF);
// the back office reviews, asks for a supplement, records it, records the missing card,
// approves and marks the result ready at the window; the window clerk hands it over and
// the back office closes the case. /window and /office switch to English and back.

import { readFileSync } from 'node:fs';

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

const ITEM = 'elderly-comprehensive-allowance';
const ITEM_NAME = '老年综合津贴申领';
const WINDOW = '5';
const NAME = '王秀英';
const BIRTH = '1950-03-01';

/** What the applicant tells the desk, by fact; a yes/no fact not here is answered "no",
 * any other is skipped ("don't know"). */
const APPLICANT = {
  hukou: 'shanghai',
  birth_date: BIRTH,
  gender: 'female',
  employment_status: 'retired',
  receives_pension: true,
  reached_retirement_age: true,
  medical_insurance: 'employee',
  payment_method: 'bank_card',
  disability_level: 'none',
  marital_status: 'married',
  household_members: '2',
  pension_contribution_years: '32',
};


/** Today in Shanghai plus `days`, as YYYY-MM-DD (what a type=date input takes). */
function shanghaiDay(days = 0) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Fails unless the A4 PDF at `file` has only A4 pages; returns how many. */
function checkA4(file, what) {
  const pdf = readFileSync(file, 'latin1');
  const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  check(boxes.length > 0, `${what} names no page size`);
  for (const [width, height] of boxes) {
    check(Math.abs(width - 595.3) < 2 && Math.abs(height - 841.9) < 2, `${what} should be A4 (595 × 842 pt), a page is ${width} × ${height}`);
  }
  return boxes.length;
}

/** The desk's questionnaire, answered from APPLICANT until nothing is left to ask. */
async function answerQuestionnaire(page) {
  const question = page.getByRole('group', { name: /^请询问申请人/ });
  const result = page.getByRole('heading', { name: '预审结果' });
  const asked = [];
  for (let step = 1; ; step += 1) {
    check(step <= 80, `the questionnaire still asks after 79 answers: ${asked.join(', ')}`);
    await expectVisible(question.or(result), 'a question or the result');
    if (await result.isVisible()) break;
    const fact = await page.locator('form#prereview input[name="ask"]').inputValue();
    check(!asked.includes(fact), `the fact ${fact} is asked a second time`);
    asked.push(fact);
    const label = (await page.locator('#question-label').innerText()).trim();
    const yesNo = (await question.getByRole('radio').count()) > 0;
    const answer = APPLICANT[fact];
    if (answer === undefined && !yesNo) {
      await clickAndWait(page, page.getByRole('button', { name: '不知道，跳过' }));
      continue;
    }
    if (yesNo) {
      await question.getByRole('radio', { name: answer === true ? '是' : '否', exact: true }).check();
    } else if ((await question.getByRole('combobox').count()) > 0) {
      await question.getByRole('combobox').selectOption(answer);
    } else {
      await question.getByLabel(label, { exact: true }).fill(answer);
    }
    await clickAndWait(page, page.getByRole('button', { name: '确定，下一题' }));
  }
  return asked;
}

/** The value a `<dl>` on the page gives for the term matching `term`. */
function definitionOf(scope, term) {
  return scope.getByRole('term').filter({ hasText: term }).first().locator('xpath=following-sibling::dd[1]');
}

export default async function hall(ctx) {
  const { users } = ctx;
  const id = idNumber('310104', BIRTH, '002');

  // ---- 1. The general desk: pre-review, then a ticket with the elderly priority. -------
  const desk = await ctx.newPage();
  await signIn(desk, users.desk, { next: '/desk' });
  await expectVisible(desk.getByRole('heading', { name: '总服务台 · 准确预审' }), 'the desk heading');
  const asked = await answerQuestionnaire(desk);
  check(asked.includes('payment_method'), `the desk should ask how the allowance is paid; asked: ${asked.join(', ')}`);
  console.log(`    desk: ${asked.length} questions asked`);
  await expectVisible(desk.getByRole('heading', { name: /^一、符合条件、可以办理的事项/ }), 'the eligible items');
  await expectVisible(desk.getByText(ITEM_NAME).first(), `${ITEM_NAME} among the eligible items`);
  await expectVisible(desk.getByText('本人银行借记卡').first(), 'the bank card in the materials checklist');
  await ctx.screenshot('desk-result', desk);

  await desk.getByLabel('优先类别').selectOption({ label: '老年人' });
  await clickAndWait(desk, desk.getByRole('button', { name: '取号排队' }));
  check(new URL(desk.url()).pathname === '/desk/ticket', `issuing a ticket should show /desk/ticket, got ${desk.url()}`);
  const ticket = await textOf(desk.locator('#ticket-number'), 'the ticket number');
  check(/^[A-Z]\d{3}$/.test(ticket), `the ticket number should look like A001, it is ${JSON.stringify(ticket)}`);
  await expectVisible(desk.getByRole('listitem').filter({ hasText: ITEM_NAME }), `${ITEM_NAME} on the ticket slip`);
  console.log(`    ticket ${ticket}`);
  await ctx.screenshot('desk-ticket', desk);

  // ---- 2. The hall board, live, on a screen nobody signs in to. ------------------------
  const board = await ctx.newPage();
  // Record what the board would say instead of saying it (and whether it says anything).
  await board.addInitScript(() => {
    window.__spoken = [];
    window.SpeechSynthesisUtterance = window.SpeechSynthesisUtterance || function (text) { this.text = text; };
    Object.defineProperty(window, 'speechSynthesis', {
      configurable: true,
      value: { speak: (u) => window.__spoken.push(u.text), cancel: () => {} },
    });
  });
  const streamed = board.waitForResponse((r) => new URL(r.url()).pathname === '/board/events');
  await board.goto(`/board?center=${CENTER}`);
  await expectPageLanguage(board, 'zh-CN');
  await expectVisible(board.getByRole('heading', { name: '正在叫号' }), 'the board heading');
  const stream = await streamed;
  check(stream.status() === 200, `/board/events should answer 200, it answered ${stream.status()}`);
  check(/text\/event-stream/.test(stream.headers()['content-type'] || ''), `/board/events should be an event stream: ${stream.headers()['content-type']}`);
  // Set on this document only: still there later means the board was never reloaded.
  await board.evaluate(() => { window.__sameDocument = true; });
  await ctx.screenshot('board-before', board);

  // ---- 3. The window clerk chooses window 5 and calls. ---------------------------------
  const win = await ctx.newPage();
  await signIn(win, users.clerk, { next: '/window' });
  check(new URL(win.url()).pathname === '/window', `signing in for /window should lead there, got ${win.url()}`);
  await expectVisible(win.getByRole('heading', { name: '选择窗口' }), 'the window chooser');
  await ctx.screenshot('window-choose', win);
  await win.getByLabel('窗口号').fill(WINDOW);
  await clickAndWait(win, win.getByRole('button', { name: '进入窗口' }));
  await expectVisible(win.getByRole('heading', { name: `${WINDOW} 号窗口` }), `the heading of window ${WINDOW}`);
  await expectVisible(win.getByRole('button', { name: '叫下一位' }), 'the call-next button');
  await ctx.screenshot('window-console', win);

  // Earlier scenarios may have left tickets waiting; they do not come, ours does.
  const held = win.locator('#held-number');
  for (let calls = 1; ; calls += 1) {
    check(calls <= 10, `window ${WINDOW} called 10 tickets without reaching ${ticket}`);
    await clickAndWait(win, win.getByRole('button', { name: '叫下一位' }));
    const called = await textOf(held, 'the called ticket');
    if (called === ticket) break;
    console.log(`    window ${WINDOW} called ${called} (not ours): recorded as 过号`);
    await clickAndWait(win, win.getByRole('button', { name: '过号' }));
  }
  await expectText(win.locator('.held-kicker'), /已叫号/, 'the held ticket as called');

  // The board follows by itself: the number, the window and what the speakers say.
  const voice = `请${ticket}号到${WINDOW}号窗口`;
  const now = board.locator('.board-now');
  await expectVisible(now.locator('.board-now-number').filter({ hasText: new RegExp(`^${ticket}$`) }), `${ticket} called on the board`, 5_000);
  await expectText(now.locator('.board-now-window'), new RegExp(`^${WINDOW}号窗口$`), 'the window on the board');
  await expectText(now.locator('.board-now-text'), new RegExp(`^${voice}$`), 'the voice text on the board');
  await expectVisible(board.locator('table.board-calls tr').filter({ hasText: ticket }).filter({ hasText: '请前往窗口' }), `${ticket} among the recent calls`);
  check(await board.evaluate(() => window.__sameDocument === true), 'the board was reloaded; it should update in place');
  // The call event comes right after the board event; give it the same few seconds.
  await board.waitForFunction((text) => window.__spoken.includes(text), voice, { timeout: 5_000 }).catch(() => {});
  const spoken = await board.evaluate(() => window.__spoken);
  check(spoken.filter((text) => text === voice).length === 2, `the board should say ${voice} twice, it said ${JSON.stringify(spoken)}`);
  await ctx.screenshot('board-called', board);

  // ---- 4. At the window: what the desk recorded, then the acceptance. -----------------
  await expectVisible(definitionOf(win.locator('.held'), '优先类别').filter({ hasText: '老年人' }), 'the elderly priority of the held ticket');
  await expectVisible(win.locator('.held .item-list li').filter({ hasText: ITEM_NAME }), `${ITEM_NAME} among the items the desk found`);
  await expectVisible(win.getByRole('heading', { name: '总服务台记录的情况' }), 'what the desk recorded');
  await expectVisible(win.locator('dl.held-given dd').filter({ hasText: BIRTH }), 'the date of birth the desk recorded');
  await expectVisible(definitionOf(win.locator('dl.held-given'), '待遇发放账户').filter({ hasText: 'bank_card' }), 'the bank-card payment the desk recorded');
  await clickAndWait(win, win.getByRole('button', { name: '开始办理' }));
  await expectText(win.locator('.held-kicker'), /办理中/, 'the held ticket as being served');
  await expectVisible(board.locator('table.board-calls tr').filter({ hasText: ticket }).filter({ hasText: '正在办理' }), `${ticket} as being served on the board`, 5_000);

  const itemChoice = win.getByLabel('办理事项');
  if ((await itemChoice.inputValue()) !== ITEM) {
    console.log(`    the window opened ${await itemChoice.inputValue()} first; choosing ${ITEM}`);
    await itemChoice.selectOption(ITEM);
    await clickAndWait(win, win.getByRole('button', { name: '打开预审' }));
  }
  check((await itemChoice.inputValue()) === ITEM, `the intake should be for ${ITEM}, it is for ${await itemChoice.inputValue()}`);
  await expectVisible(win.getByText('承诺时限：10 个工作日'), 'the promised time of the item');
  const accept = win.locator('form#accept');
  const rows = accept.locator('tr[data-material]');
  const materials = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.material));
  check(materials.includes('bank-card'), `the checklist should ask for the bank card, it lists ${materials.join(', ')}`);
  check(!materials.includes('agent-id-card'), `nobody applies for her, yet the checklist asks for ${materials.join(', ')}`);
  await ctx.screenshot('window-held', win);

  // Everything brought but the bank card: 容缺, but first without the promise.
  await accept.getByLabel('身份证号').fill(id);
  await accept.getByLabel('姓名', { exact: true }).fill(NAME);
  for (const material of materials) {
    const state = material === 'bank-card' ? '缺' : '已收';
    await accept.locator(`tr[data-material="${material}"]`).getByRole('radio', { name: state, exact: true }).check();
  }
  await accept.getByRole('radio', { name: '容缺受理', exact: true }).check();
  await clickAndWait(win, accept.getByRole('button', { name: '提交并打印回执' }));
  check(new URL(win.url()).pathname === '/window/accept', `a refused acceptance should stay on the form, got ${win.url()}`);
  const promiseField = accept.locator('.field').filter({ has: win.locator('#promise') });
  await expectText(promiseField.locator('.field-error'), /此项必填/, 'the "required" message next to the promise');
  check((await win.locator('#promise').getAttribute('aria-invalid')) === 'true', 'the promise field should be marked invalid');
  for (const material of materials) {
    const state = material === 'bank-card' ? '缺' : '已收';
    const radio = accept.locator(`tr[data-material="${material}"]`).getByRole('radio', { name: state, exact: true });
    check(await radio.isChecked(), `the tick ${material} = ${state} should be kept after the refusal`);
  }
  check(await accept.getByRole('radio', { name: '容缺受理', exact: true }).isChecked(), 'the decision 容缺受理 should be kept');
  check((await accept.getByLabel('身份证号').inputValue()) === id, 'the ID number should be kept');
  await ctx.screenshot('window-promise-missing', win);

  const due = shanghaiDay(5);
  const promise = '本人银行借记卡在补交期限前送到窗口';
  await win.locator('#promise').fill(promise);
  await win.locator('#due').fill(due);
  await clickAndWait(win, accept.getByRole('button', { name: '提交并打印回执' }));
  const receiptPath = new URL(win.url()).pathname.match(/^\/window\/cases\/([^/]+)\/receipt$/);
  check(receiptPath, `accepting should lead to the receipt, got ${win.url()}`);
  const caseNumber = decodeURIComponent(receiptPath[1]);
  await expectVisible(win.getByRole('heading', { name: '受理回执', level: 1 }), 'the receipt heading');
  await expectText(win.locator('.receipt .case-number'), new RegExp(`^${caseNumber}$`), 'the case number on the receipt');
  check(new RegExp(`^${CENTER}-\\d{8}-\\d{4}$`).test(caseNumber), `the case number should look like ${CENTER}-20261127-0001, it is ${caseNumber}`);
  const promisedText = await expectText(win.locator('.receipt .due-date'), /^\d{4}-\d{2}-\d{2}\s*（10 个工作日）$/, 'the promised completion date');
  const promisedBy = promisedText.slice(0, 10);
  await expectText(win.locator('.receipt .deficiency'), new RegExp(`${promise}.*${due}`), 'the promise and its date on the receipt');
  await expectVisible(win.getByText(`${NAME} 3101**********`), 'the applicant with the ID number masked');
  console.log(`    case ${caseNumber}: due ${promisedBy}, bank card by ${due}`);
  await ctx.screenshot('receipt', win);
  // The print button prints (window.print, recorded instead of opening the dialog).
  await win.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
  await win.getByRole('button', { name: '打印', exact: true }).click();
  check((await win.evaluate(() => window.__printed)) === 1, 'the receipt\'s 打印 button should print the page');
  await win.emulateMedia({ media: 'print' });
  await expectHidden(win.getByRole('button', { name: '打印', exact: true }), 'the print button in print');
  await expectHidden(win.getByRole('banner'), 'the page header in print');
  await ctx.screenshot('receipt-print', win);
  const pdfPath = ctx.file('receipt.pdf');
  await win.pdf({ path: pdfPath, format: 'A4', preferCSSPageSize: true, printBackground: true });
  console.log(`    receipt.pdf: ${checkA4(pdfPath, 'the receipt PDF')} A4 page(s)`);
  await win.emulateMedia({ media: 'screen' });

  // Back to the window (it remembers which), and the resident leaves.
  await clickAndWait(win, win.getByRole('link', { name: '返回窗口' }));
  await expectVisible(win.getByRole('heading', { name: `${WINDOW} 号窗口` }), `window ${WINDOW} remembered`);
  await expectText(held, new RegExp(`^${ticket}$`), 'the ticket still held');
  await clickAndWait(win, win.getByRole('button', { name: '办结离窗' }));
  await expectHidden(held, 'the finished ticket');
  await expectVisible(win.getByRole('button', { name: '叫下一位' }), 'the call-next button again');
  await expectHidden(board.locator('.board-now-number').filter({ hasText: new RegExp(`^${ticket}$`) }), `${ticket} on the board after it finished`, 5_000);
  check(await board.evaluate(() => window.__sameDocument === true), 'the board was reloaded; it should update in place');

  // ---- 6a. The window console in English and back. -------------------------------------
  await switchLanguage(win, 'en');
  await expectVisible(win.getByRole('heading', { name: `Window ${WINDOW}` }), 'the English window heading');
  await expectVisible(win.getByRole('button', { name: 'Call next' }), 'the Call next button');
  await expectVisible(win.getByRole('link', { name: 'Change window' }), 'the Change window link');
  await ctx.screenshot('window-en', win);
  await switchLanguage(win, 'zh');
  await expectVisible(win.getByRole('heading', { name: `${WINDOW} 号窗口` }), 'the Chinese window heading again');
  await expectVisible(win.getByRole('button', { name: '叫下一位' }), 'the Chinese call button again');

  // ---- 5. The back office. --------------------------------------------------------------
  const office = await ctx.newPage();
  await signIn(office, users.office, { next: '/office' });
  check(new URL(office.url()).pathname === '/office', `signing in for /office should lead there, got ${office.url()}`);
  await expectVisible(office.getByRole('heading', { name: '后台审核 · 待办办件' }), 'the work list heading');
  const row = office.locator(`tr[data-case="${caseNumber}"]`);
  await expectText(row.locator('.status'), /^容缺受理$/, 'the case on the work list, accepted with deficiency');
  await expectText(row.locator('.due-date'), new RegExp(`^${promisedBy}$`), 'the deadline on the work list');
  const dues = await office.locator('tr[data-case] .due-date').allInnerTexts();
  check(dues.every((d, i) => i === 0 || dues[i - 1] <= d), `the work list should be sorted by deadline: ${dues.join(', ')}`);
  await ctx.screenshot('office-list', office);

  await clickAndWait(office, row.getByRole('link', { name: caseNumber }));
  check(new URL(office.url()).pathname === `/office/cases/${caseNumber}`, `the case link should open its page, got ${office.url()}`);
  const status = office.locator('.case-status');
  let shown = await expectText(status, /容缺受理/, 'the status 容缺受理');
  await expectText(office.locator('.deficiency .promise'), new RegExp(promise), 'the promise on the case page');
  await expectVisible(office.locator('tr[data-material="bank-card"] .check.missing'), 'the bank card marked missing');
  await ctx.screenshot('office-case', office);

  /** Submits the form `id`, waits for the confirmation and the new status. */
  const step = async (page, formId, button, confirmation, expected, screenshot) => {
    await clickAndWait(page, page.locator(`form#${formId}`).getByRole('button', { name: button, exact: true }));
    check(new URL(page.url()).searchParams.get('done') === formId, `${formId} should confirm on the case page, got ${page.url()}`);
    await expectText(page.locator('p.confirmation'), confirmation, `the confirmation of ${formId}`);
    const before = shown;
    shown = await expectText(page.locator('.case-status'), expected, `the status after ${formId}`);
    check(shown !== before, `the status should change with ${formId}, it stayed ${JSON.stringify(shown)}`);
    await ctx.screenshot(screenshot, page);
  };

  await step(office, 'start_review', '开始审核', /^已开始审核。$/, /审核中/, 'office-review-started');
  // Approval waits for the card the resident promised.
  await expectVisible(office.locator('section.action').filter({ hasText: '批准' }).locator('.hint.blocked'), 'approval blocked until the missing card follows');
  await expectHidden(office.locator('form#approve'), 'the approve form while the card is missing');

  // A supplement: first nothing typed (messages by the fields), then what and by when.
  const supplement = office.locator('form#request_supplement');
  await clickAndWait(office, supplement.getByRole('button', { name: '发出补正要求' }));
  await expectText(supplement.locator('#request-error'), /请填写需要补正的内容/, 'the "say what" message');
  await expectText(supplement.locator('#due-error'), /请填写补交期限/, 'the "say by when" message');
  await ctx.screenshot('office-supplement-empty', office);
  const request = '户口簿本人页复印件不清晰，请重新提供';
  const supplementDue = shanghaiDay(7);
  await supplement.getByLabel('需补正的内容').fill(request);
  await supplement.getByLabel('补交期限').fill(supplementDue);
  await step(office, 'request_supplement', '发出补正要求', new RegExp(`^已发出补正要求并通知申请人：${request}，请于 ${supplementDue} 前补交。$`), /待补正/, 'office-supplement-requested');
  await expectVisible(office.locator('.deadline .paused'), 'the deadline clock stopped');
  await expectVisible(office.locator('table.office-supplements tr').filter({ hasText: request }).filter({ hasText: '尚未补交' }), 'the request among the supplements, not yet provided');

  // The resident brings it; the back office records it on the same page.
  await office.locator('form#provide_supplement').getByLabel(/^说明/).fill('申请人已送来清晰的户口簿复印件');
  await step(office, 'provide_supplement', '登记已补正', /^已登记补正材料，办结期限恢复计算。$/, /审核中/, 'office-supplement-provided');
  await expectHidden(office.locator('.deadline .paused'), 'the stopped clock after the supplement');
  await expectVisible(office.locator('table.office-supplements tr').filter({ hasText: request }).filter({ hasNotText: '尚未补交' }), 'the supplement recorded as provided');

  // The bank card follows as promised (the status stays 审核中; the promise is kept).
  await clickAndWait(office, office.locator('form#fulfil_deficiency').getByRole('button', { name: '登记已补齐' }));
  await expectText(office.locator('p.confirmation'), /^已登记容缺材料补齐。$/, 'the confirmation of the card received');
  await expectText(office.locator('.deficiency'), /已补齐/, 'the promise kept');
  await expectText(status, /审核中/, 'the status still 审核中');
  await ctx.screenshot('office-deficiency-fulfilled', office);

  await office.locator('form#approve').getByLabel(/^审核意见/).fill('符合条件，同意发放。');
  await step(office, 'approve', '批准', /^已批准。请选择领取方式。$/, /已批准/, 'office-approved');
  await office.locator('form#mark_ready').getByRole('radio', { name: '窗口领取', exact: true }).check();
  await step(office, 'mark_ready', '确认领取方式', /^已办结，等待领取：窗口领取。$/, /待领取/, 'office-ready');
  await expectText(office.locator('.case-meta .delivery'), /^窗口领取$/, 'the delivery on the case page');
  const events = await office.locator('table.office-record th.event').allInnerTexts();
  for (const event of ['容缺受理', '开始审核', '要求补正', '补正材料已收到', '容缺材料已补齐', '批准', '办结待领取']) {
    check(events.includes(event), `the process record should hold ${event}: ${events.join(', ')}`);
  }

  // Off the work list: nothing left for the back office to do.
  await clickAndWait(office, office.getByRole('link', { name: '返回待办列表' }));
  await expectHidden(office.locator(`tr[data-case="${caseNumber}"]`), 'the ready case on the work list');

  // ---- 6b. The back office in English and back. -----------------------------------------
  await switchLanguage(office, 'en');
  await expectVisible(office.getByRole('heading', { name: 'Back office · work list' }), 'the English work list heading');
  await ctx.screenshot('office-list-en', office);
  await office.goto(`/office/cases/${caseNumber}`);
  await expectPageLanguage(office, 'en');
  await expectVisible(office.getByRole('heading', { name: new RegExp(`Case review\\s+${caseNumber}`) }), 'the English case heading');
  await expectText(office.locator('.case-status'), /Ready/, 'the status in English');
  await expectText(office.locator('.case-meta .delivery'), /^Pick up at a window$/, 'the delivery in English');
  await expectVisible(office.getByRole('link', { name: 'Back to the work list' }), 'the English way back');
  await ctx.screenshot('office-case-en', office);
  await switchLanguage(office, 'zh');
  await expectText(office.locator('.case-status'), /待领取/, 'the status in Chinese again');
  check(new URL(office.url()).pathname === `/office/cases/${caseNumber}`, `the switch back should stay on the case, got ${office.url()}`);

  // ---- The result handed over at the window, then the case closed. -----------------------
  // The window console has no step for this; the clerk uses the case page.
  await win.goto(`/office/cases/${caseNumber}`);
  await step(win, 'deliver', '登记已送达', /^已登记送达。$/, /已送达/, 'window-delivered');
  await office.reload();
  await step(office, 'close', '办结归档', /^已办结归档。$/, /已办结/, 'office-closed');
  await expectText(office.locator('.case-actions'), /没有可办理的操作/, 'no actions left on a closed case');
}
