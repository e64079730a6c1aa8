// check.js: drives Jupyter Notebook in chromium (playwright-core): Cell > Run All,
// waits for every cell, checks for failed cells and figures, saves a screenshot.
// Called by scripts/browser-check.sh with URL, SCREENSHOT, CHROMIUM, PLAYWRIGHT_CORE.
'use strict';
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const url = process.env.URL;
const shot = process.env.SCREENSHOT;
const limitMs = Number(process.env.RUN_TIMEOUT_S || 1800) * 1000;

function log(...a) { console.log('browser-check:', ...a); }

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  let failed = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel &&
      Jupyter.notebook.kernel.is_connected(), null, { timeout: 120000 });
    log('notebook open, kernel', await page.evaluate(() => Jupyter.notebook.kernel.name));

    // Run all cells from the menu, as a person would.
    await page.click('#celllink');
    await page.click('#run_all_cells');
    const t0 = Date.now();

    // Done when every code cell has a number, except the interactive cell, which keeps
    // listening to its slider: that one is done when its figure is on the page.
    const state = () => page.evaluate(() => {
      const cells = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code');
      let pending = 0, running = -1, interactiveDone = true;
      cells.forEach((c, i) => {
        const tags = (c.metadata && c.metadata.tags) || [];
        const n = c.input_prompt_number;
        if (tags.includes('interactive')) {
          interactiveDone = c.element[0].querySelector('.output_area svg') !== null;
          if (!interactiveDone) pending++;
          return;
        }
        if (typeof n !== 'number') { pending++; if (n === '*' && running < 0) running = i; }
      });
      return { pending, running, total: cells.length, interactiveDone };
    });
    let s;
    for (;;) {
      s = await state();
      if (s.pending === 0) break;
      if (Date.now() - t0 > limitMs) throw new Error(`timeout: ${s.pending} code cells still pending`);
      await page.waitForTimeout(2000);
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(0);
    log(`all ${s.total} code cells ran in ${secs} s`);

    // Failed cells: GoNB reports a failed run as "exit status N" on stderr, a compile
    // error as an HTML block (class gonb-err-*), or an error output.
    const problems = await page.evaluate(() => {
      const out = [];
      Jupyter.notebook.get_cells().forEach((c, i) => {
        if (c.cell_type !== 'code') return;
        for (const o of c.output_area.outputs) {
          const text = Array.isArray(o.text) ? o.text.join('') : (o.text || '');
          const html = o.data && o.data['text/html'] ? [].concat(o.data['text/html']).join('') : '';
          if (o.output_type === 'error' || (o.name === 'stderr' && /^exit status \d+\s*$/m.test(text)) ||
              (o.name === 'stderr' && text.includes('panic: ')) || html.includes('gonb-err')) {
            const plain = html.replace(/[\s\S]*<\/style>/, '').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
            out.push(`cell ${i}: ${(o.evalue || text || plain).slice(0, 600)}`);
          }
        }
      });
      return out;
    });
    const figures = await page.evaluate(() => document.querySelectorAll('.output_area svg, .output_area img').length);
    log(`${figures} figures on the page`);
    if (problems.length) { failed = true; problems.forEach(p => log('FAILED', p)); }
    if (figures < 10) { failed = true; log('FAILED: fewer than 10 figures on the page'); }

    // Screenshots of a few places (build/browser-check/view-N.png, for a look; "interactive"
    // is the slider cell's output), then the one kept in docs/ (SHOT_VIEW, default Activity 2.1).
    const scrollTo = (sel) => page.evaluate((sel) => {
      const cells = Jupyter.notebook.get_cells();
      let el = null;
      if (sel === 'interactive') {
        const c = cells.find(c => ((c.metadata && c.metadata.tags) || []).includes('interactive'));
        el = c && c.element[0].querySelector('.output_wrapper');
        if (el) { el.scrollIntoView({ block: 'start' }); window.scrollBy(0, -160); return true; }
      } else {
        el = [...document.querySelectorAll('.text_cell_render h2, .text_cell_render h3')].find(h => h.textContent.startsWith(sel));
      }
      if (!el) return false;
      el.scrollIntoView({ block: 'start' });
      return true;
    }, sel);
    const views = (process.env.VIEWS || 'Section 2,Activity 2.1,Activity 2.2,Section 4,interactive').split(',');
    for (let k = 0; k < views.length; k++) {
      if (await scrollTo(views[k])) {
        await page.waitForTimeout(500);
        const p = require('path').join(require('path').dirname(process.env.PLAYWRIGHT_CORE), '..', `view-${k}.png`);
        await page.screenshot({ path: p });
        log(`view "${views[k]}":`, p);
      }
    }
    await scrollTo(process.env.SHOT_VIEW || 'Activity 2.1');
    await page.waitForTimeout(1000);
    await page.screenshot({ path: shot });
    log('screenshot:', shot);
    // Stop the interactive cell's loop.
    await page.evaluate(() => Jupyter.notebook.kernel.interrupt());
  } finally {
    await browser.close();
  }
  if (failed) process.exit(1);
})().catch(e => { console.error('browser-check:', e.message || e); process.exit(1); });
