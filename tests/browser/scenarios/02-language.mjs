// Chinese first, English complete: the language link switches, the choice is remembered
// (a cookie) on the next page, the desk keeps its answers across a switch, and the switch
// back to Chinese works the same way.

import {
  check,
  clickAndWait,
  expectPageLanguage,
  expectText,
  expectVisible,
  signIn,
  switchLanguage,
} from '../lib.mjs';

export default async function language(ctx) {
  const { users } = ctx;
  const page = await ctx.newPage();

  // No choice made yet: Chinese.
  await page.goto('/login');
  await expectPageLanguage(page, 'zh-CN');
  await expectVisible(page.getByRole('heading', { name: '工作人员登录' }), 'the Chinese login heading');

  // To English with the link in the header.
  await switchLanguage(page, 'en');
  await expectVisible(page.getByRole('heading', { name: 'Staff sign-in' }), 'the English login heading');
  await expectVisible(page.getByLabel('Username', { exact: true }), 'the Username field');
  await expectVisible(page.getByLabel('Password', { exact: true }), 'the Password field');
  await expectVisible(page.getByLabel('Authenticator code', { exact: true }), 'the Authenticator code field');
  await expectVisible(page.getByRole('button', { name: 'Sign in', exact: true }), 'the Sign in button');
  await expectVisible(page.getByRole('link', { name: '中文', exact: true }), 'the switch back to Chinese');
  await ctx.screenshot('login-en', page);

  // English errors too.
  await clickAndWait(page, page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectVisible(page.getByText('Enter your username.'), 'the English "enter your username" message');
  await expectVisible(page.getByText('Enter your password.'), 'the English "enter your password" message');
  // A wrong password: the one English message that names none of the three.
  await page.getByLabel('Username', { exact: true }).fill(users.clerk.username);
  await page.getByLabel('Password', { exact: true }).fill(`${users.clerk.password}-wrong`);
  await clickAndWait(page, page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectText(page.getByRole('alert'), /^wrong username, password or code\.?$/i, 'the English wrong-credentials alert');
  await ctx.screenshot('login-wrong-en', page);

  // Remembered: a page reached without ?lang= is in English.
  const cookies = await page.context().cookies();
  check(cookies.some((c) => c.name === 'haoban_lang' && c.value === 'en'), `the language cookie should say en: ${JSON.stringify(cookies.map((c) => c.name))}`);
  await signIn(page, users.clerk);
  check(!page.url().includes('lang='), `the desk was reached without ?lang= (${page.url()})`);
  await expectPageLanguage(page, 'en');
  await expectVisible(page.getByRole('heading', { name: 'General desk · pre-review' }), 'the English desk heading');
  await expectVisible(page.getByRole('button', { name: 'Save and continue' }), 'the Save and continue button');
  await expectVisible(page.getByRole('button', { name: 'Sign out' }), 'the Sign out button');
  await expectVisible(page.getByText('Window clerk', { exact: true }), 'the English role name');

  // One answer (or "don't know"), then switch: the answer survives, the words change.
  const question = page.getByRole('group', { name: /^Ask the applicant/ });
  await expectVisible(question, 'the first question');
  if ((await question.getByRole('combobox').count()) > 0) {
    await question.getByRole('combobox').selectOption({ index: 1 });
    await clickAndWait(page, page.getByRole('button', { name: 'Save and continue' }));
  } else if ((await question.getByRole('radio').count()) > 0) {
    await question.getByRole('radio', { name: 'No', exact: true }).check();
    await clickAndWait(page, page.getByRole('button', { name: 'Save and continue' }));
  } else {
    await clickAndWait(page, page.getByRole('button', { name: /^Don't know/ }));
  }
  await expectText(page.getByRole('heading', { name: /^Facts given/ }), /1$/, 'one fact given');
  await ctx.screenshot('desk-en', page);

  await switchLanguage(page, 'zh');
  await expectVisible(page.getByRole('heading', { name: '总服务台 · 准确预审' }), 'the Chinese desk heading');
  await expectText(page.getByRole('heading', { name: /^已了解的情况/ }), /1$/, 'the fact given, kept across the switch');
  await expectVisible(page.getByRole('button', { name: '确定，下一题' }), 'the Chinese answer button');
  await ctx.screenshot('desk-zh', page);

  // Chinese is remembered in turn.
  await page.goto('/login');
  await expectPageLanguage(page, 'zh-CN');
  await expectVisible(page.getByRole('heading', { name: '工作人员登录' }), 'the Chinese login heading again');
  await expectVisible(page.getByText('您已登录', { exact: false }), 'the "already signed in" note');
  await expectVisible(page.getByRole('link', { name: 'English', exact: true }), 'the switch to English');

  // A fresh browser that asked for English before it came (the cookie) gets English.
  const english = await ctx.newPage('en');
  await english.goto('/login');
  await expectPageLanguage(english, 'en');
  await expectVisible(english.getByRole('heading', { name: 'Staff sign-in' }), 'English for a browser with the cookie');
}
