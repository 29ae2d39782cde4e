// open-graph-scraper on saved pages, timed in this process: prints each page's median
// milliseconds per extraction as JSON. Run by benches/compare-ogs.
//
//   node benches/ogs/peer.js ITERATIONS PAGE.html...
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const ogs = require('open-graph-scraper');

async function median(html, iterations) {
  // Warm-up: the JIT compiles the hot paths before anything is timed.
  for (let i = 0; i < Math.min(20, iterations); i += 1) {
    await ogs({ html });
  }
  const times = [];
  for (let i = 0; i < iterations; i += 1) {
    const started = process.hrtime.bigint();
    const { error, result } = await ogs({ html });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (error || !result.ogTitle) {
      throw new Error('open-graph-scraper found no title');
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main() {
  const [iterations, ...pages] = process.argv.slice(2);
  const out = {};
  for (const page of pages) {
    out[path.basename(page, '.html')] = await median(fs.readFileSync(page, 'utf8'), Number(iterations));
  }
  console.log(JSON.stringify(out));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
