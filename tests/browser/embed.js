// The embed in a real browser: Debian's Chromium driven by playwright-core. For each article
// (written by tests/api/browser.rs) it takes the oEmbed response from the service and puts its
// `html` in a host page with a coloured background, as a consumer would, and checks that the
// embed costs one request, that the first height it posts is its final height (no layout
// shift), that the host's colour shows behind the card's rounded corners, and that a host page
// with an opaque origin (a sandboxed frame) can show it too; then it opens the embed page
// itself, light and dark, and checks that axe-core finds no serious or critical violation and
// that the date is written in the article's language. Screenshots go under SCREENSHOTS.
//
// Usage: APERCU=http://127.0.0.1:PORT CASES=cases.json SCREENSHOTS=dir CHROMIUM=/usr/bin/chromium
//        node embed.js
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { launch, seriousViolations, report } = require('./chromium');

const base = process.env.APERCU;
const cases = JSON.parse(fs.readFileSync(process.env.CASES, 'utf8'));
const shots = process.env.SCREENSHOTS;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const HOST_COLOUR = [255, 0, 255];
const failures = [];

function fail(where, message) {
  failures.push(`${where}: ${message}`);
}

/** The RGB(A) pixels of an 8-bit, non-interlaced PNG (what Chromium's screenshots are). */
function decodePng(buffer) {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('ascii', offset + 4, offset + 8);
    const chunk = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = chunk.readUInt32BE(0);
      height = chunk.readUInt32BE(4);
      channels = { 2: 3, 6: 4 }[chunk[9]];
      if (chunk[8] !== 8 || !channels || chunk[12] !== 0) throw new Error('unsupported PNG');
    } else if (type === 'IDAT') {
      data.push(chunk);
    }
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const left = x >= channels ? pixels[y * stride + x - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  return { width, channels, pixel: (x, y) => [...pixels.subarray(y * stride + x * channels, y * stride + x * channels + 3)] };
}

/** The page's frame showing the embed, once it is there (at most 10 s). */
async function embedFrame(page) {
  const isEmbed = (frame) => {
    try {
      return new URL(frame.url()).pathname === '/embed';
    } catch (_) {
      return false; // Not navigated yet.
    }
  };
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find(isEmbed);
    if (frame) {
      await frame.waitForLoadState('load');
      return frame;
    }
    await page.waitForTimeout(100);
  }
  throw new Error('the embed frame did not load');
}

/** A host page holding the embed code, on a coloured background; it records every height
 * the embed posts, from the first (its listener comes before the embed code). */
function hostPage(html) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<style>body{margin:0;padding:24px;background:rgb(${HOST_COLOUR.join(',')})}</style>
<script>window.__heights=[];addEventListener('message',function(e){
if(e.data&&e.data.type==='apercu:height')window.__heights.push(e.data.height);});</script></head>
<body><main style="max-width:600px">${html}</main></body></html>`;
}

async function hosted(context, testCase, oembed) {
  const where = `${testCase.name} hosted`;
  const page = await context.newPage();
  const embeds = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/embed') embeds.push(request.url());
  });
  try {
    await page.setViewportSize({ width: 800, height: 900 });
    await page.setContent(hostPage(oembed.html), { waitUntil: 'load' });
    const frame = page.locator('iframe.apercu-embed');
    await frame.waitFor({ state: 'visible', timeout: 10000 });
    const embed = await embedFrame(page);
    await page.waitForTimeout(800);
    if (embeds.length !== 1) fail(where, `${embeds.length} requests for /embed, not one`);
    const heights = await page.evaluate(() => window.__heights);
    const shown = Number(await frame.getAttribute('height'));
    if (!heights.length) fail(where, 'the embed posted no height');
    else {
      const distinct = [...new Set(heights)];
      if (distinct.length !== 1) fail(where, `the posted height changed: ${heights.join(' → ')} (layout shift)`);
      if (shown !== Math.max(120, heights[heights.length - 1])) fail(where, `iframe height ${shown}, posted ${heights.join(',')}`);
    }
    const title = await embed.locator('h1').textContent();
    if (!title || !title.trim()) fail(where, 'the embed shows no title');
    // Behind the card's rounded corner, the host's colour (the frame is transparent there).
    const box = await frame.boundingBox();
    const shot = await page.screenshot({ path: path.join(shots, `embed-${testCase.name}-hosted.png`) });
    const png = decodePng(shot);
    const corner = png.pixel(Math.round(box.x) + 1, Math.round(box.y) + 1);
    const near = corner.every((value, i) => Math.abs(value - HOST_COLOUR[i]) <= 24);
    if (!near) fail(where, `behind the card's corner: rgb(${corner.join(',')}), not the host's colour`);
    const cardHeight = Math.min(box.height, heights.length ? heights[heights.length - 1] : box.height);
    const inside = png.pixel(Math.round(box.x + box.width / 2), Math.round(box.y + cardHeight - 6));
    if (inside.every((value, i) => Math.abs(value - HOST_COLOUR[i]) <= 24)) fail(where, 'the card itself is transparent');
  } catch (error) {
    fail(where, error.stack || String(error));
  } finally {
    await page.close();
  }
}

async function sandboxed(context, testCase, oembed) {
  const where = `${testCase.name} in a sandboxed host`;
  const page = await context.newPage();
  try {
    const srcdoc = hostPage(oembed.html).replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    await page.setContent(`<!doctype html><title>Sandbox</title><iframe sandbox="allow-scripts" width="700" height="800" srcdoc="${srcdoc}"></iframe>`);
    const embed = await embedFrame(page);
    const title = await embed.locator('h1').textContent({ timeout: 5000 });
    if (!title || !title.trim()) fail(where, 'the embed was not shown (framing refused?)');
  } catch (error) {
    fail(where, error.stack || String(error));
  } finally {
    await page.close();
  }
}

async function alone(context, testCase, oembed, scheme) {
  const where = `${testCase.name} embed page ${scheme}`;
  const page = await context.newPage();
  try {
    const src = /src="([^"]+)"/.exec(oembed.html)[1].replace(/&amp;/g, '&');
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 400, height: 700 });
    const response = await page.goto(src, { waitUntil: 'load' });
    if (response.status() !== 200) throw new Error(`status ${response.status()}`);
    for (const violation of await seriousViolations(page)) fail(where, violation);
    if (testCase.date) {
      const shown = await page.locator('time').textContent();
      if (!shown.includes(testCase.date)) fail(where, `the date reads ${JSON.stringify(shown)}, not in the article's language (${testCase.date})`);
    }
    await page.screenshot({ path: path.join(shots, `embed-${testCase.name}-${scheme}.png`), fullPage: true });
  } catch (error) {
    fail(where, error.stack || String(error));
  } finally {
    await page.close();
  }
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const context = await launch(executablePath);
  try {
    for (const testCase of cases) {
      const answer = await fetch(`${base}/oembed?format=json&url=${encodeURIComponent(testCase.url)}`);
      if (answer.status !== 200) {
        fail(testCase.name, `oEmbed answered ${answer.status}`);
        continue;
      }
      const oembed = await answer.json();
      await hosted(context, testCase, oembed);
      await sandboxed(context, testCase, oembed);
      for (const scheme of ['light', 'dark']) await alone(context, testCase, oembed, scheme);
    }
  } finally {
    await context.close();
  }
}

report(main, failures, () => `checked the embeds of ${cases.length} articles; screenshots in ${shots}`);
