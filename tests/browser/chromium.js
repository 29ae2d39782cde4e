// Debian's Chromium for the browser tests, launched as this machine allows: headless, no
// sandbox (root), no GPU, no background traffic (the network is closed), a fresh profile.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

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

module.exports = { launch };
