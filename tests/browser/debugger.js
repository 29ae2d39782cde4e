// The preview debugger in a real browser: Debian's Chromium driven by playwright-core, at 375
// and 1280 px wide, light and dark. For each case (written by tests/api/browser.rs) it checks
// the findings shown, each platform's title and cut, the copy button, that the console shows
// no error and the page no CSP violation, and that axe-core finds no serious or critical
// violation; it saves a screenshot of every page under SCREENSHOTS for people to look at.
//
// Usage: APERCU=http://127.0.0.1:PORT CASES=cases.json SCREENSHOTS=dir CHROMIUM=/usr/bin/chromium
//        node debugger.js
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { launch, seriousViolations, report } = require('./chromium');

const base = process.env.APERCU;
const cases = JSON.parse(fs.readFileSync(process.env.CASES, 'utf8'));
const shots = process.env.SCREENSHOTS;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const WIDTHS = [375, 1280];
const SCHEMES = ['light', 'dark'];
const failures = [];

function fail(where, message) {
  failures.push(`${where}: ${message}`);
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const context = await launch(executablePath);
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    // Every CSP violation is recorded where the test can read it.
    await context.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    for (const testCase of cases) {
      for (const width of WIDTHS) {
        for (const scheme of SCHEMES) {
          await check(context, testCase, width, scheme);
        }
      }
    }
  } finally {
    await context.close();
  }
}

async function check(context, testCase, width, scheme) {
  const where = `${testCase.name} at ${width} px, ${scheme}`;
  const page = await context.newPage();
  const problems = [];
  const address = `${base}/${testCase.query}`;
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // An error page's own status is what the case expects, not a problem.
    const ownStatus = testCase.status && message.location().url === address
      && message.text().startsWith('Failed to load resource');
    if (!ownStatus) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && url.protocol !== 'data:') {
      problems.push(`a request left the service: ${request.url()}`);
    }
  });
  try {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    const response = await page.goto(address, { waitUntil: 'load' });
    if (response.status() !== (testCase.status || 200)) {
      fail(where, `status ${response.status()}, expected ${testCase.status || 200}`);
    }
    // Lazy images and the live embed load as the page scrolls.
    await page.evaluate(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += 600) {
        window.scrollTo(0, y);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      window.scrollTo(0, 0);
    });
    await page.waitForLoadState('networkidle');

    if (testCase.findings) {
      const shown = await page.$$eval('[data-code]', (items) => items.map((item) => item.dataset.code));
      const expected = [...testCase.findings].sort();
      if (JSON.stringify([...shown].sort()) !== JSON.stringify(expected)) {
        fail(where, `findings ${JSON.stringify(shown)}, expected exactly ${JSON.stringify(expected)}`);
      }
    }
    for (const [platform, expected] of Object.entries(testCase.titles || {})) {
      const selector = `#platform-${platform} .as-is .pv-title`;
      const title = await page.$eval(selector, (element) => element.textContent).catch(() => null);
      if (title !== expected) {
        fail(where, `${platform} shows the title ${JSON.stringify(title)}, expected ${JSON.stringify(expected)}`);
      }
    }
    for (const [platform, layout] of Object.entries(testCase.layouts || {})) {
      const shown = await page
        .$eval(`#platform-${platform} .as-is .pv`, (element) =>
          ['large', 'small', 'text'].find((name) => element.classList.contains(name)))
        .catch(() => null);
      if (shown !== layout) fail(where, `${platform} draws a ${shown} preview, expected ${layout}`);
    }
    for (const text of testCase.texts || []) {
      const body = await page.textContent('body');
      if (!body.includes(text)) fail(where, `the page does not say ${JSON.stringify(text)}`);
    }
    // Every image the page shows has loaded.
    const broken = await page.$$eval('img', (images) =>
      images.filter((image) => !image.complete || image.naturalWidth === 0).map((image) => image.src));
    if (broken.length) fail(where, `images that did not load: ${broken.join(', ')}`);

    if (testCase.copy) {
      const button = page.locator(`button[data-copy="${testCase.copy}"]`);
      if (!(await button.isVisible())) {
        fail(where, 'the copy button is not shown');
      } else {
        await button.click();
        await page.waitForFunction(
          () => document.getElementById('copy-status').textContent !== '', null, { timeout: 5000 });
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        const source = await page.$eval(`#${testCase.copy}`, (element) => element.textContent);
        if (copied !== source) {
          fail(where, `the copy button copied ${JSON.stringify(copied.slice(0, 80))}, not the text it names`);
        }
      }
    }

    // No horizontal scrolling of the page itself (tables scroll in their own region).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) fail(where, `the page is ${overflow} px wider than the window`);

    for (const violation of await seriousViolations(page)) fail(where, violation);

    const violations = await page.evaluate(() => window.__violations);
    for (const violation of violations) problems.push(`CSP violation: ${violation}`);
    for (const problem of problems) fail(where, problem);

    await page.screenshot({
      path: path.join(shots, `${testCase.name}-${width}-${scheme}.png`),
      fullPage: true,
    });
  } catch (error) {
    fail(where, error.stack || String(error));
  } finally {
    await page.close();
  }
}

report(main, failures, () => `checked ${cases.length} pages at ${WIDTHS.join(' and ')} px, light and dark; screenshots in ${shots}`);
