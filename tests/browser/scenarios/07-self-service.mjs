// A resident's path through self-service and online handling (issue 5), walked as the
// people in it would:
//   1. on a phone (390 × 844) the resident signs in at /portal with their ID number and the
//      one-time code the notifier sends (read from the server's output, as 06-ratings reads
//      its links), applies online for the elderly allowance: the item's questions, 先预审,
//      the verdict and the materials' file inputs; a text file named .pdf is refused next to
//      its input and no case is opened; a real PDF is accepted and the case page lists it;
//   2. the window accepts the online case (through the API: 03-hall walks the window's
//      pages), and the back office, on /office/cases/{n}, starts the review and asks for a
//      supplement;
//   3. the resident's case page shows what is asked; they send a note and a file from the
//      phone and the status goes back to 审核中;
//   4. the system administrator installs cabinet A on /cabinets, the back office approves and marks
//      the result ready for 自助证照柜领取 on its page, the resident is sent the pickup code and
//      /cabinets counts the compartment taken;
//   5. at the kiosk (1080 × 1920, portrait, touch) the resident presses 取件 and types the ID
//      number and a wrong code on the on-screen keypad: refused, with the tries left; then
//      the right code: the compartment's label; then rates from the kiosk and goes back to
//      its home; /cabinets counts the compartment free, and the portal shows the case
//      delivered and rated.
// Neither the portal at 390 px nor the kiosk at 1080 px may scroll sideways.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  CENTER,
  check,
  clickAndWait,
  expectHidden,
  expectNoSideScroll,
  expectText,
  expectVisible,
  idNumber,
  signIn,
  tapAndWait,
  textOf,
  typeOnKeypad,
} from '../lib.mjs';

const ITEM = 'elderly-comprehensive-allowance';
const ITEM_NAME = '老年综合津贴申领';
const NAME = '钱秀英';
const BIRTH = '1950-03-12';
const ID_NUMBER = idNumber('310104', BIRTH, '027');
const PHONE = { width: 390, height: 844 };
/** The kiosk's screen: 1920 × 1080 turned portrait. */
const KIOSK = { width: 1080, height: 1920 };

const SUPPLEMENT_REQUEST = '户口簿本人页扫描件不清晰，请重新上传';
const SUPPLEMENT_NOTE = '已重新扫描户口簿本人页';

// ---- helpers --------------------------------------------------------------------------------

/** The date `days` from today in Shanghai, YYYY-MM-DD. */
function shanghaiDay(days = 0) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** A small, well-formed one-page PDF saying `text` (ASCII), its cross-reference table exact. */
function pdf(text) {
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets = objects.map((object, i) => {
    const at = body.length;
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
    return at;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** The JSON API in a signed-in browser context: GET and POST with the session's CSRF header. */
async function apiAs(ctx, user) {
  const page = await ctx.newPage();
  const signedIn = await page.request.post('/api/v1/session', { data: { username: user.username, password: user.password } });
  check(signedIn.ok(), `API sign-in as ${user.username} failed: ${signedIn.status()} ${await signedIn.text()}`);
  const { csrf_token: csrf } = await signedIn.json();
  const answer = async (what, reply) => {
    const body = await reply.json().catch(() => null);
    check(reply.ok(), `${what} as ${user.username}: ${reply.status()} ${JSON.stringify(body)}`);
    return body;
  };
  return {
    get: async (url) => answer(`GET ${url}`, await page.request.get(url)),
    post: async (url, data = {}) => answer(`POST ${url}`, await page.request.post(url, { data, headers: { 'x-csrf-token': csrf } })),
  };
}

/** The first match of `pattern` in what the server printed after `from` characters. */
async function fromLog(server, from, pattern, what) {
  for (let tries = 0; tries < 50; tries += 1) {
    const found = server.output.slice(from).match(pattern);
    if (found) return found[1];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${what} in the server's output:\n${server.tail(10)}`);
}

// ---- the scenario ---------------------------------------------------------------------------

export default async function selfService(ctx) {
  const { users, server } = ctx;
  const files = mkdtempSync(path.join(tmpdir(), 'haoban-uploads-'));
  try {
    await walk(ctx, users, server, files);
  } finally {
    rmSync(files, { recursive: true, force: true });
  }
}

async function walk(ctx, users, server, files) {
  const idCard = path.join(files, 'id-card.pdf');
  writeFileSync(idCard, pdf('ID card, both sides'));
  const hukou = path.join(files, 'hukou-page.pdf');
  writeFileSync(hukou, pdf('Hukou booklet, own page, rescanned'));
  const fake = path.join(files, 'not-really.pdf');
  writeFileSync(fake, 'This is plain text that claims to be a PDF by its name.\n');

  // ==== 1. Signing in and applying on a phone. ================================================
  const phone = await ctx.newPage(undefined, { viewport: PHONE, isMobile: true, hasTouch: true });
  // The center's own link: on a server with no case yet the portal cannot guess it.
  await phone.goto(`/portal?center=${CENTER}`);
  await expectVisible(phone.getByRole('heading', { name: '居民登录', level: 1 }), 'the portal sign-in');
  await expectNoSideScroll(phone, PHONE.width, 'the portal sign-in');
  await phone.getByLabel('身份证号').fill(ID_NUMBER);
  let logged = server.output.length;
  await clickAndWait(phone, phone.getByRole('button', { name: '获取验证码' }));
  await expectText(phone.locator('#code-sent'), /验证码已发送给/, 'the code sent');
  const signInCode = await fromLog(server, logged, /登录验证码为 (\d{6})/, 'sign-in code');
  check(!server.output.includes(ID_NUMBER), 'the log must not show the whole ID number');
  await phone.getByLabel('验证码').fill(signInCode);
  await ctx.screenshot('portal-sign-in', phone);
  await clickAndWait(phone, phone.getByRole('button', { name: '登录', exact: true }));
  check(new URL(phone.url()).pathname === '/portal', `signing in should lead to /portal, got ${phone.url()}`);
  await expectVisible(phone.locator('#nav-my-cases'), 'the portal signed in');

  await clickAndWait(phone, phone.locator('#nav-apply'));
  await expectNoSideScroll(phone, PHONE.width, 'the online items');
  await clickAndWait(phone, phone.locator(`a[data-item="${ITEM}"]`));
  await expectVisible(phone.getByRole('heading', { name: ITEM_NAME, level: 1 }), 'the apply form of the item');
  await expectHidden(phone.locator('input[type=file]'), 'file inputs before the pre-review');
  await phone.getByLabel('姓名').fill(NAME);
  const answer = (fact) => phone.locator(`[data-fact="${fact}"]`).locator('select, input');
  await answer('hukou').selectOption('shanghai');
  await answer('birth_date').fill(BIRTH);
  await answer('payment_method').selectOption('social_security_card');
  await answer('via_agent').selectOption('false');
  await ctx.screenshot('portal-apply-questions', phone);
  await clickAndWait(phone, phone.locator('#check'));
  await expectText(phone.locator('#verdict'), /./, 'the pre-review verdict');
  check(await phone.locator('#verdict').evaluate((el) => el.classList.contains('verdict-eligible')), `the resident should qualify: ${await phone.locator('#verdict').innerText()}`);
  const inputs = phone.locator('input[type=file][name^="file."]');
  const names = await inputs.evaluateAll((all) => all.map((input) => input.name));
  for (const material of ['id-card', 'hukou-booklet', 'elderly-service-form']) {
    check(names.includes(`file.${material}`), `a file input for ${material}, found ${names.join(', ')}`);
  }
  check(!names.includes('file.bank-card'), 'no bank card asked of someone paid through the social security card');
  await expectNoSideScroll(phone, PHONE.width, 'the apply form with its materials');
  await ctx.screenshot('portal-apply-materials', phone);

  // A file that lies about its type is refused next to its input, and nothing is opened.
  await phone.locator('input[name="file.id-card"]').setInputFiles(fake);
  await clickAndWait(phone, phone.locator('#submit-application'));
  await expectVisible(phone.locator('input[name="file.id-card"]').locator('xpath=following-sibling::p[contains(@class,"field-error")]'), 'the fake PDF refused next to its input');
  await ctx.screenshot('portal-apply-refused', phone);

  await phone.locator('input[name="file.id-card"]').setInputFiles(idCard);
  await clickAndWait(phone, phone.locator('#submit-application'));
  const opened = new URL(phone.url()).pathname.match(/^\/portal\/cases\/([^/]+)$/);
  check(Boolean(opened), `submitting should open the case page, got ${phone.url()}`);
  const number = decodeURIComponent(opened[1]);
  await expectText(phone.locator('#done'), /./, 'the confirmation of the application');
  await expectText(phone.locator('#case-status'), /^已提交$/, 'the case submitted');
  await expectVisible(phone.locator('ul.uploads li').filter({ hasText: 'id-card.pdf' }), 'the upload listed on the case page');
  await expectNoSideScroll(phone, PHONE.width, 'the case page');
  await ctx.screenshot('portal-case-submitted', phone);
  await clickAndWait(phone, phone.locator('#nav-my-cases'));
  const listed = await phone.locator('li.portal-case').allInnerTexts();
  check(listed.length === 1 && listed[0].includes(number), `my cases should list ${number} alone (the refused try opened nothing): ${JSON.stringify(listed)}`);
  console.log(`    online case ${number} opened`);

  // ==== 2. Accepted, and a supplement asked by the back office. ===============================
  const clerkApi = await apiAs(ctx, users.clerk);
  const seen = await clerkApi.get(`/api/v1/cases/${number}`);
  check(seen.status === 'submitted', `the online case should wait to be accepted, it is ${seen.status}`);
  const materials = [...seen.required_materials, ...seen.conditional_materials].map((material) => ({ material, state: 'received' }));
  await clerkApi.post(`/api/v1/cases/${number}/actions/accept`, { materials });

  const office = await ctx.newPage();
  await signIn(office, users.office, { next: `/office/cases/${number}` });
  check(new URL(office.url()).pathname === `/office/cases/${number}`, `the office should land on the case, got ${office.url()}`);
  await expectVisible(office.locator('ul.office-uploads li').filter({ hasText: 'id-card.pdf' }), 'the upload on the office page');
  let shown = await textOf(office.locator('.case-status'), 'the status on the office page');
  /** Submits the office form `id`, waits for its confirmation and the status it leads to. */
  const step = async (formId, confirmation, expected, screenshot) => {
    await clickAndWait(office, office.locator(`form#${formId}`).getByRole('button'));
    await expectText(office.locator('p.confirmation'), confirmation, `the confirmation of ${formId}`);
    const before = shown;
    shown = await expectText(office.locator('.case-status'), expected, `the status after ${formId}`);
    check(shown !== before, `the status should change with ${formId}, it stayed ${JSON.stringify(shown)}`);
    await ctx.screenshot(screenshot, office);
  };
  await step('start_review', /^已开始审核。$/, /审核中/, 'office-review');
  const due = shanghaiDay(7);
  const ask = office.locator('form#request_supplement');
  await ask.getByLabel('需补正的内容').fill(SUPPLEMENT_REQUEST);
  await ask.getByLabel('补交期限').fill(due);
  logged = server.output.length;
  await step('request_supplement', new RegExp(`^已发出补正要求并通知申请人：${SUPPLEMENT_REQUEST}`), /待补正/, 'office-supplement-asked');
  const told = await fromLog(server, logged, /(您的办件 \S+ 需要补正：[^。]+)/, 'supplement message');
  check(told.includes(number) && told.includes(SUPPLEMENT_REQUEST), `the resident should be told what to supplement, was told ${told}`);

  // ==== 3. The supplement given online. =======================================================
  await phone.reload();
  await expectVisible(phone.locator('li.portal-case.needs-action').filter({ hasText: number }), 'the case marked for the resident to act on, in my cases');
  await expectText(phone.locator('li.portal-case .status'), /^待补正$/, 'the status in my cases');
  await clickAndWait(phone, phone.locator('a.case-link').filter({ hasText: number }));
  await expectText(phone.locator('#case-status'), /^待补正$/, 'the case waiting for a supplement');
  await expectText(phone.locator('#supplement-request'), new RegExp(SUPPLEMENT_REQUEST), 'the request on the resident\'s case page');
  const form = phone.locator('form#supplement');
  await form.getByLabel('补正说明').fill(SUPPLEMENT_NOTE);
  await form.locator('#material').selectOption('hukou-booklet');
  await form.locator('#supplement-file').setInputFiles(hukou);
  await expectNoSideScroll(phone, PHONE.width, 'the case page with the supplement form');
  await ctx.screenshot('portal-supplement', phone);
  await clickAndWait(phone, phone.locator('#send-supplement'));
  await expectText(phone.locator('#done'), /./, 'the supplement confirmed');
  await expectText(phone.locator('#case-status'), /^审核中$/, 'the case back in review');
  await expectHidden(phone.locator('#supplement'), 'the supplement form once given');
  await expectVisible(phone.locator('ul.uploads li').filter({ hasText: 'hukou-page.pdf' }), 'the supplement\'s file listed');
  await ctx.screenshot('portal-supplemented', phone);

  await office.reload();
  shown = await expectText(office.locator('.case-status'), /审核中/, 'the office seeing the case back in review');
  await expectVisible(office.locator('table.office-supplements tr').filter({ hasText: SUPPLEMENT_REQUEST }).filter({ hasNotText: '尚未补交' }), 'the supplement provided on the office page');
  await expectVisible(office.locator('ul.office-uploads li').filter({ hasText: 'hukou-page.pdf' }), 'the supplement\'s file on the office page');

  // ==== 4. A cabinet; approval; ready in the cabinet. =========================================
  const admin = await ctx.newPage();
  await signIn(admin, users.sysadmin, { next: '/cabinets' });
  check(new URL(admin.url()).pathname === '/cabinets', `the administrator should land on /cabinets, got ${admin.url()}`);
  await admin.locator('#cabinet-name').fill('A');
  await admin.locator('#cabinet-location').fill('24小时自助区');
  await admin.locator('#cabinet-small').fill('4');
  await clickAndWait(admin, admin.locator('#cabinet-install'));
  await expectText(admin.locator('#cabinet-installed'), /证照柜 A 已安装/, 'the cabinet installed');
  const cabinetRow = admin.locator('tr[data-cabinet="A"]');
  await expectText(cabinetRow.locator('td.num').nth(1), /^0$/, 'the new cabinet empty');
  await ctx.screenshot('cabinets-installed', admin);
  await office.locator('form#approve').getByLabel(/^审核意见/).fill('符合条件，同意发放。');
  await step('approve', /^已批准。/, /已批准/, 'office-approved');
  await office.locator('form#mark_ready').getByRole('radio', { name: '自助证照柜领取', exact: true }).check();
  logged = server.output.length;
  await step('mark_ready', /自助证照柜领取.*取件码已发送给申请人/, /待领取/, 'office-ready-cabinet');
  const pickupCode = await fromLog(server, logged, /取件码 (\d{6})/, 'pickup code');
  const compartment = await fromLog(server, logged, /放入自助证照柜 (\S+)，/, 'compartment');
  check(!server.output.slice(logged).includes(ID_NUMBER), 'the pickup message must not log the whole ID number');
  console.log(`    ready in compartment ${compartment}`);
  await admin.reload();
  await expectText(cabinetRow.locator('td.num').nth(1), /^1$/, 'one compartment taken on /cabinets');

  // ==== 5. Pickup at the kiosk, a wrong code first; then a rating. ============================
  const kiosk = await ctx.newPage(undefined, { viewport: KIOSK, hasTouch: true });
  await kiosk.goto(`/kiosk?center=${CENTER}`);
  await expectNoSideScroll(kiosk, KIOSK.width, 'the kiosk home');
  await ctx.screenshot('kiosk-home', kiosk);
  await tapAndWait(kiosk, kiosk.locator('#kiosk-pickup'));
  const idField = kiosk.locator('input[name="id_number"]');
  const codeField = kiosk.locator('input[name="code"]');
  check((await idField.getAttribute('inputmode')) === 'none', 'the kiosk field should not call up a system keyboard');
  await typeOnKeypad(kiosk, idField, ID_NUMBER);
  const wrongCode = pickupCode === '000000' ? '111111' : '000000';
  await typeOnKeypad(kiosk, codeField, wrongCode);
  await expectNoSideScroll(kiosk, KIOSK.width, 'the kiosk pickup');
  await ctx.screenshot('kiosk-pickup-typed', kiosk);
  await tapAndWait(kiosk, kiosk.locator('#kiosk-submit'));
  await expectText(kiosk.locator('#code-error'), /取件码不正确，还可尝试 \d+ 次/, 'the wrong code refused with the tries left');
  await expectHidden(kiosk.locator('#opened-compartment'), 'a compartment opened for a wrong code');
  await ctx.screenshot('kiosk-pickup-wrong', kiosk);
  const tall = await kiosk.evaluate(() => document.documentElement.scrollHeight);
  check(tall <= KIOSK.height, `the kiosk pickup after a wrong code is ${tall} px tall: more than the ${KIOSK.height} px screen`);

  // The ID number stays; the code is typed again (cleared first with the keypad).
  check((await idField.inputValue()) === ID_NUMBER, 'the ID number should stay after a wrong code');
  await codeField.tap();
  await kiosk.locator('#keypad [data-key="clear"]').tap();
  await typeOnKeypad(kiosk, codeField, pickupCode);
  await tapAndWait(kiosk, kiosk.locator('#kiosk-submit'));
  await expectText(kiosk.locator('#opened-compartment'), new RegExp(`^${compartment}$`), 'the compartment opened');
  await expectText(kiosk.locator('#kiosk-title'), /柜门已打开/, 'the door said open');
  await expectNoSideScroll(kiosk, KIOSK.width, 'the kiosk with the compartment open');
  await ctx.screenshot('kiosk-pickup-opened', kiosk);

  await tapAndWait(kiosk, kiosk.locator('#rate-now'));
  check(/^\/rate\/[0-9a-f]{64}$/.test(new URL(kiosk.url()).pathname), `the rate button should open the rating page, got ${kiosk.url()}`);
  const levels = kiosk.getByRole('group', { name: '请选择一项评价' }).getByRole('button');
  check((await levels.count()) === 5, `five level buttons at the kiosk, found ${await levels.count()}`);
  await expectNoSideScroll(kiosk, KIOSK.width, 'the rating page at the kiosk');
  await ctx.screenshot('kiosk-rate', kiosk);
  await tapAndWait(kiosk, kiosk.getByRole('button', { name: /^非常满意/ }));
  await expectText(kiosk.getByRole('status'), /非常满意/, 'the level given at the kiosk');
  await expectNoSideScroll(kiosk, KIOSK.width, 'the rating thanks at the kiosk');
  await ctx.screenshot('kiosk-rated', kiosk);
  await tapAndWait(kiosk, kiosk.locator('#kiosk-home'));
  await expectVisible(kiosk.locator('#kiosk-pickup'), 'the kiosk home again after rating');
  await admin.reload();
  await expectText(cabinetRow.locator('td.num').nth(1), /^0$/, 'the compartment free again on /cabinets');

  // The portal shows it all: delivered, and rated.
  await phone.reload();
  await expectText(phone.locator('#case-status'), /^已送达$/, 'the case delivered on the portal');
  await expectText(phone.locator('#rated'), /非常满意/, 'the kiosk\'s rating on the portal');
  await expectHidden(phone.locator('form#rate'), 'the portal\'s rating buttons once rated');
  await ctx.screenshot('portal-delivered', phone);
}
