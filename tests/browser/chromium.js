// What the browser tests share: Debian's Chromium launched as this machine allows (headless, no
// sandbox (root), no GPU, no background traffic: the network is closed; a fresh profile), axe's
// serious findings, and how a script reports its failures.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const axe = require('axe-core');

/** A new browser context on a fresh profile directory, removed when the process exits
 * (Chromium may still be writing to it when the context's close event comes). */
async function launch(executablePath) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'apercu-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  process.on('exit', () => {
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    } catch (_) {
      // A leftover temporary directory is no failure of the page under test.
    }
  });
  return context;
}

/** axe-core's serious and critical violations on the page, one line each. */
async function seriousViolations(page) {
  await page.evaluate(axe.source);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => {
      const targets = violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join('; ');
      return `axe ${violation.impact}: ${violation.id} (${violation.help}) at ${targets}`;
    });
}

/** Runs `main`; then exits 1 listing `failures`, or prints `summary()`. */
function report(main, failures, summary) {
  main()
    .catch((error) => failures.push(`browser: ${error.stack || String(error)}`))
    .finally(() => {
      if (failures.length) {
        console.error(failures.join('\n'));
        process.exit(1);
      }
      console.log(summary());
    });
}

module.exports = { launch, seriousViolations, report };
