// The general desk (总服务台), in Chinese: a desk clerk signs in (after mistyping), answers
// the pre-review questionnaire for a Shanghai resident born in 1950 until nothing is left
// to ask, prints the one-time notice (screen, print media, an A4 PDF) and issues a queue
// ticket.

import { readFileSync } from 'node:fs';

import {
  check,
  clickAndWait,
  clickForNewPage,
  expectHidden,
  expectPageLanguage,
  expectText,
  expectVisible,
  textOf,
} from '../lib.mjs';

/** What the applicant tells the desk, by fact; a fact not here is answered "no" when it is
 * a yes/no question and skipped ("don't know") otherwise. */
const APPLICANT = {
  hukou: 'shanghai',
  birth_date: '1950-03-01',
  gender: 'female',
  employment_status: 'retired',
  receives_pension: true,
  reached_retirement_age: true,
  medical_insurance: 'employee',
  payment_method: 'social_security_card',
  disability_level: 'none',
  marital_status: 'married',
  household_members: '2',
  pension_contribution_years: '32',
};

/** Items a Shanghai resident of 75 qualifies for whatever else is (not) known. */
const EXPECTED_ELIGIBLE = ['上海市敬老卡申领', '老年综合津贴申领'];

export default async function desk(ctx) {
  const { users } = ctx;
  const page = await ctx.newPage();

  // Not signed in: the desk sends us to the login page.
  await page.goto('/desk');
  check(new URL(page.url()).pathname === '/login', `/desk without a session should lead to /login, got ${page.url()}`);
  await expectPageLanguage(page, 'zh-CN');
  await expectVisible(page.getByRole('heading', { name: '工作人员登录' }), 'the login heading');
  await ctx.screenshot('login', page);

  // A forgotten password: the message stands next to the password field, the name is kept.
  await page.getByLabel('用户名').fill(users.desk.username);
  await clickAndWait(page, page.getByRole('button', { name: '登录', exact: true }));
  await expectVisible(page.getByText('请输入密码。'), 'the "enter your password" message next to the field');
  check((await page.getByLabel('用户名').inputValue()) === users.desk.username, 'the username should be kept after a refused sign-in');
  await ctx.screenshot('login-password-missing', page);

  // A wrong password: one message for the form, never saying which of the two was wrong.
  await page.getByLabel('密码').fill('not the password');
  await clickAndWait(page, page.getByRole('button', { name: '登录', exact: true }));
  await expectText(page.getByRole('alert'), /^用户名、密码或动态验证码错误。$/, 'the wrong-password alert');
  check(new URL(page.url()).pathname === '/login', 'a wrong password must not sign in');
  await ctx.screenshot('login-wrong-password', page);

  // The right one leads back to the desk, where we were going.
  await page.getByLabel('密码').fill(users.desk.password);
  await clickAndWait(page, page.getByRole('button', { name: '登录', exact: true }));
  check(new URL(page.url()).pathname === '/desk', `signing in should lead on to /desk, got ${page.url()}`);
  await expectVisible(page.getByRole('heading', { name: '总服务台 · 准确预审' }), 'the desk heading');
  await expectVisible(page.getByText(users.desk.username, { exact: true }), 'the signed-in user in the header');
  await expectVisible(page.getByRole('link', { name: '总服务台', exact: true }), 'the desk entry of the navigation');
  await ctx.screenshot('desk-first-question', page);

  // The questionnaire: one question at a time until there is nothing left to ask.
  const question = page.getByRole('group', { name: /^请询问申请人/ });
  const result = page.getByRole('heading', { name: '预审结果' });
  const asked = [];
  const skipped = [];
  for (let step = 1; ; step += 1) {
    check(step <= 80, `the questionnaire still asks after 79 answers: ${asked.join(', ')}`);
    await expectVisible(question.or(result), 'a question or the result');
    if (await result.isVisible()) break;
    // Which fact is asked decides our answer; the form names it in its `ask` field.
    const fact = await page.locator('form#prereview input[name="ask"]').inputValue();
    const label = (await page.locator('#question-label').innerText()).trim();
    check(label.length > 0, `question ${step} (${fact}) has no visible label`);
    check(!asked.includes(fact), `the fact ${fact} is asked a second time`);
    asked.push(fact);
    const yesNo = (await question.getByRole('radio').count()) > 0;
    const choice = (await question.getByRole('combobox').count()) > 0;

    if (step === 1) {
      // Sending nothing is refused with a message by the field, and the question stays.
      await clickAndWait(page, page.getByRole('button', { name: '确定，下一题' }));
      await expectText(question.getByRole('alert'), /请填写后再提交|请选择/, 'the "answer required" message');
      await expectVisible(question, 'the same question again');
      await ctx.screenshot('desk-answer-required', page);
    }

    const answer = APPLICANT[fact];
    if (answer === undefined && !yesNo) {
      await clickAndWait(page, page.getByRole('button', { name: '不知道，跳过' }));
      skipped.push(fact);
      continue;
    }
    if (yesNo) {
      await question.getByRole('radio', { name: answer === true ? '是' : '否', exact: true }).check();
    } else if (choice) {
      await question.getByRole('combobox').selectOption({ label: answer });
    } else {
      await question.getByLabel(label, { exact: true }).fill(answer);
    }
    await clickAndWait(page, page.getByRole('button', { name: '确定，下一题' }));
  }
  check(asked.includes('hukou') && asked.includes('birth_date'), `hukou and birth date should be asked, asked: ${asked.join(', ')}`);
  console.log(`    asked ${asked.length} questions (${skipped.length} skipped as unknown)`);

  // The result: what is eligible, the answers given beside it, and the two actions.
  await expectVisible(page.getByText('没有需要再问的问题了。', { exact: false }), 'the "nothing left to ask" line');
  const eligible = page.getByRole('heading', { name: /^一、符合条件、可以办理的事项/ });
  const eligibleCount = Number((await textOf(eligible, 'the eligible items heading')).match(/(\d+)$/)?.[1]);
  check(eligibleCount >= EXPECTED_ELIGIBLE.length, `expected at least ${EXPECTED_ELIGIBLE.length} eligible items, the page says ${eligibleCount}`);
  for (const item of EXPECTED_ELIGIBLE) await expectVisible(page.getByText(item).first(), `the eligible item ${item}`);
  await expectVisible(page.getByRole('heading', { name: /^已了解的情况/ }), 'the answers so far');
  await expectVisible(page.getByRole('definition').filter({ hasText: '1950-03-01' }), 'the date of birth among the answers');
  if (skipped.length > 0) await expectVisible(page.getByText('不知道', { exact: true }), 'a skipped fact shown as 不知道');
  await expectVisible(page.getByRole('table'), 'the materials checklist');
  await ctx.screenshot('desk-result', page);

  // The one-time notice opens in a new tab, for the printer.
  await page.getByLabel('申请人姓名（可不填）').fill('王阿姨');
  const notice = await clickForNewPage(page, page.getByRole('button', { name: '打印一次性告知单' }));
  await expectPageLanguage(notice, 'zh-CN');
  await expectVisible(notice.getByRole('heading', { name: '一次性告知单', level: 1 }), 'the notice heading');
  await expectVisible(notice.getByText('王阿姨', { exact: true }), "the applicant's name on the notice");
  for (const item of EXPECTED_ELIGIBLE) await expectVisible(notice.getByText(item).first(), `${item} on the notice`);
  await expectVisible(notice.getByRole('heading', { name: '四、请一次带齐以下材料' }), 'the materials heading of the notice');
  await expectVisible(notice.getByRole('button', { name: '打印', exact: true }), 'the print button on screen');
  await ctx.screenshot('notice', notice);

  // As printed: no header, no buttons, A4.
  await notice.emulateMedia({ media: 'print' });
  await expectHidden(notice.getByRole('button', { name: '打印', exact: true }), 'the print button in print');
  await expectHidden(notice.getByRole('button', { name: '退出登录' }), 'the sign-out button in print');
  await expectVisible(notice.getByRole('heading', { name: '一次性告知单', level: 1 }), 'the notice heading in print');
  await ctx.screenshot('notice-print', notice);
  const pdfPath = ctx.file('notice.pdf');
  await notice.pdf({ path: pdfPath, preferCSSPageSize: true, printBackground: true });
  const pdf = readFileSync(pdfPath, 'latin1');
  const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  check(boxes.length > 0, 'the notice PDF names no page size');
  // A4 is 210 × 297 mm = 595.3 × 841.9 pt.
  for (const [width, height] of boxes) {
    check(Math.abs(width - 595.3) < 2 && Math.abs(height - 841.9) < 2, `the notice should print on A4 (595 × 842 pt), a page is ${width} × ${height}`);
  }
  console.log(`    notice.pdf: ${boxes.length} A4 page(s)`);
  await notice.close();

  // A queue ticket for the items found, with the elderly priority.
  await page.getByLabel('优先类别').selectOption({ label: '老年人' });
  await clickAndWait(page, page.getByRole('button', { name: '取号排队' }));
  check(new URL(page.url()).pathname === '/desk/ticket', `issuing a ticket should show /desk/ticket, got ${page.url()}`);
  await expectVisible(page.getByRole('heading', { name: '排队号' }), 'the ticket heading');
  const number = await textOf(page.getByText(/^[A-Z]\d{3}$/), 'the ticket number');
  check(/^[A-Z]\d{3}$/.test(number), `the ticket number should look like A023, it is ${JSON.stringify(number)}`);
  const wait = await textOf(
    page.getByRole('term').filter({ hasText: '预计等候（分钟）' }).locator('xpath=following-sibling::dd[1]'),
    'the estimated wait',
  );
  check(/^\d+$/.test(wait), `the estimated wait should be a number of minutes, it is ${JSON.stringify(wait)}`);
  await expectVisible(page.getByRole('definition').filter({ hasText: '老年人' }), 'the priority class on the slip');
  await expectVisible(page.getByRole('listitem').filter({ hasText: EXPECTED_ELIGIBLE[0] }), 'the items to handle on the slip');
  await expectVisible(page.getByRole('link', { name: '返回总服务台' }), 'the way back to the desk');
  console.log(`    ticket ${number}, estimated wait ${wait} min`);
  await ctx.screenshot('ticket', page);
}
