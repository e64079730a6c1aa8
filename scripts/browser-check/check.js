// check.js: drives JupyterLab 4 in chromium (playwright-core) as a person would:
// Run > Run All Cells from the menu; waits until every cell before the interactive one has
// run and its sliders are live; requires no failed cell; drags every live slider with the
// mouse and requires its figures (the bars and the example trajectories under them) to show
// the new value and to change; saves screenshots before and after a move; presses "Stop
// exploring" and requires the sliders to be disabled with a note; waits for the remaining
// cells, and saves the notebook (the shell script then checks the saved file with nbgen
// verify). Then the two other ways the cell stops listening: with a short idle timeout (a new
// cell `%env NMATOOLS_EXPLORE_IDLE=10s`, the interactive cell rerun and left alone) and with
// Kernel > Interrupt Kernel; each must leave the sliders disabled with the note and its reason.
// Called by scripts/browser-check.sh with URL, CHROMIUM, PLAYWRIGHT_CORE, SCREENSHOT,
// SHOT_BEFORE, SHOT_AFTER.
'use strict';
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const url = process.env.URL;
const limitMs = Number(process.env.RUN_TIMEOUT_S || 2400) * 1000;
const redrawMs = Number(process.env.REDRAW_TIMEOUT_S || 120) * 1000;
const viewDir = process.env.VIEW_DIR || path.join(path.dirname(process.env.PLAYWRIGHT_CORE), '..');

function log(...a) { console.log('browser-check:', new Date().toISOString().slice(11, 19), ...a); }

// cellsState reads every code cell's prompt ("[12]:", "[*]:", "[ ]:") and whether it is the
// interactive cell (it holds the exploration's controls).
const cellsState = () => [...document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')].map((c, i) => {
  const prompt = (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '';
  const m = prompt.match(/\[(.*)\]/);
  return {
    i, prompt: m ? m[1].trim() : '',
    // A cell whose input is hidden (hide-input) shows no prompt number.
    hidden: !c.querySelector('.jp-InputArea-prompt') || c.querySelector('.jp-InputArea-prompt').offsetParent === null,
    interactive: c.querySelector('.nmatools-explore') !== null || (c.querySelector('.jp-InputArea-editor') || {}).textContent?.includes('ExplorePerturbations'),
    live: c.querySelectorAll('.nmatools-explore input[type=range]:not([disabled])').length,
    figures: c.querySelectorAll('img.nmatools-explore-figure').length,
    examples: c.querySelectorAll('img.nmatools-explore-example').length,
  };
});

// ran marks the cells that have run: a number in the prompt, or (a hidden input shows none)
// a later cell that has one and no star.
const ranCells = (s) => s.map((c, i) => /^\d+$/.test(c.prompt) ||
  (c.hidden && c.prompt !== '*' && s.slice(i + 1).some(d => /^\d+$/.test(d.prompt))));

// problems lists failed cells as GoNB shows them: "exit status N" or a panic on stderr,
// a compile error block (gonb-err), or an error output.
const problems = () => {
  const out = [];
  document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell').forEach((c, i) => {
    c.querySelectorAll('.jp-OutputArea-output').forEach(o => {
      const mime = o.getAttribute('data-mime-type') || '';
      const text = o.textContent || '';
      if (mime.includes('error') || (mime.includes('stderr') && (/^exit status \d+\s*$/m.test(text) || text.includes('panic: '))) ||
          o.innerHTML.includes('gonb-err')) {
        out.push(`code cell ${i}: ${text.replace(/\s+/g, ' ').slice(0, 600)}`);
      }
    });
  });
  return out;
};

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  let failed = false;
  const fail = (msg) => { failed = true; log('FAILED:', msg); };
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    page.on('console', m => { if (m.type() === 'error') log('console:', m.text().slice(0, 200)); });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('.jp-Notebook .jp-Cell', { timeout: 180000 });
    // The kernel is up when the toolbar names it and the notebook reports idle.
    await page.waitForFunction(() => {
      const k = document.querySelector('.jp-Toolbar-kernelName, .jp-KernelName');
      return k && /gonb/i.test(k.textContent);
    }, null, { timeout: 180000 });
    await page.waitForFunction(() => /\bIdle\b/.test((document.querySelector('#jp-main-statusbar') || document.body).textContent) ||
      [...document.querySelectorAll('.jp-Notebook-ExecutionIndicator')].some(s => s.getAttribute('data-status') === 'idle'),
    null, { timeout: 20000 }).catch(async () => log('the kernel did not report idle within 20 s; running anyway; status bar:',
      await page.evaluate(() => (document.querySelector('#jp-main-statusbar') || {}).textContent)));
    log('notebook open:', (await page.title()));

    // Run > Run All Cells, with the mouse.
    await page.click('.lm-MenuBar-itemLabel:text-is("Run")');
    await page.click('.lm-Menu-itemLabel:text-is("Run All Cells")');
    const t0 = Date.now();
    log('Run All Cells clicked');

    // Wait until the interactive cell shows live sliders and its figures, every cell before
    // it has run, and nothing is pending except it and the cells queued behind it.
    let s, idx, lastReport = Date.now();
    for (;;) {
      s = await page.evaluate(cellsState);
      idx = s.findIndex(c => c.interactive);
      if (idx < 0) throw new Error('no interactive cell (ExplorePerturbations) in the notebook');
      const ran = ranCells(s);
      const before = s.slice(0, idx).filter((b, i) => !ran[i]);
      const c = s[idx];
      const probs = await page.evaluate(problems);
      if (probs.length) { probs.forEach(fail); break; }
      if (before.length === 0 && c.live >= 2 && c.figures >= 2 && c.examples >= 2 &&
          await page.evaluate((i) => /from the cache|computed in/.test(document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')[i].textContent), idx)) break;
      if (Date.now() - lastReport > 60000) {
        lastReport = Date.now();
        log(`waiting: code cells not run yet ${JSON.stringify(before.map(b => [b.i, b.prompt]))}, interactive cell ${JSON.stringify(c)}`);
        await page.screenshot({ path: path.join(viewDir, 'waiting.png') });
      }
      if (Date.now() - t0 > limitMs) throw new Error(`timeout: cells ${before.map(b => b.i)} not run, interactive cell: ${JSON.stringify(c)}`);
      await page.waitForTimeout(2000);
    }
    if (failed) throw new Error('failed cells before the interactive one');
    log(`${idx} code cells ran and the interactive cell listens, after ${((Date.now() - t0) / 1000).toFixed(0)} s`);

    const cellSel = `.jp-Notebook .jp-Cell.jp-CodeCell >> nth=${idx}`;
    const cell = page.locator(cellSel);
    const outputArea = cell.locator('.jp-Cell-outputWrapper');
    await outputArea.scrollIntoViewIfNeeded();

    // Every live slider on the page must belong to the exploration (nothing else listens).
    const allLive = await page.locator('input[type=range]:not([disabled])').count();
    const sliders = cell.locator('.nmatools-explore input[type=range]:not([disabled])');
    const n = await sliders.count();
    if (allLive !== n) fail(`${allLive} live sliders on the page, ${n} in the interactive cell`);

    // figure reads the bars of a kind (or, with cls 'nmatools-explore-example', its example
    // trajectories): its level, title and SVG.
    const figure = (kind, cls = 'nmatools-explore-figure') => cell.locator(`img.${cls}[data-kind="${kind}"]`).evaluate(img => ({
      level: Number(img.getAttribute('data-level')), alt: img.getAttribute('alt'),
      svg: atob(img.getAttribute('src').replace(/^data:image\/svg\+xml;base64,/, '')),
    }));
    const example = (kind) => figure(kind, 'nmatools-explore-example');
    const kindOf = (sl) => sl.evaluate(el => el.closest('[id^="nmatools-explore-in-"]') ? 'inputs' : 'weights');
    const wantText = (kind, v) => kind === 'inputs' ? `strength ${(v / 1000).toFixed(3)}` : `${v}% of mean |J|`;
    const wantLevel = (kind, v) => kind === 'inputs' ? v / 1000 : v / 100;

    // Move each slider with the mouse three times: drag its thumb to a new setting (computed),
    // click the track at another (a click sends one value: the old cell drew the previous
    // one), and drag it back to the first setting (from the cache).
    for (let k = 0; k < n; k++) {
      const sl = sliders.nth(k);
      const kind = await kindOf(sl);
      const first = Number(await sl.inputValue());
      for (const [step, frac] of [['new', k === 0 ? 0.62 : 0.47], ['click', k === 0 ? 0.31 : 0.83], ['cached', null]]) {
        await sl.scrollIntoViewIfNeeded();
        const box = await sl.boundingBox();
        const [min, max] = await sl.evaluate(el => [Number(el.min), Number(el.max)]);
        const cur = Number(await sl.inputValue());
        const thumb = 8; // px: chromium's range thumb half-width
        const xOf = (v) => box.x + thumb + (v - min) / (max - min) * (box.width - 2 * thumb);
        const targetX = frac === null ? xOf(first) : box.x + thumb + frac * (box.width - 2 * thumb);
        const before = await figure(kind);
        const exBefore = await example(kind);
        if (k === n - 1 && step === 'new' && process.env.SHOT_BEFORE) {
          await outputArea.screenshot({ path: process.env.SHOT_BEFORE });
        }
        const y = box.y + box.height / 2;
        if (step === 'click') {
          await page.mouse.click(targetX, y);
        } else {
          await page.mouse.move(xOf(cur), y);
          await page.mouse.down();
          await page.mouse.move(targetX, y, { steps: 12 });
          await page.mouse.up();
        }
        const v = Number(await sl.inputValue());
        if (v === cur) { fail(`${kind} slider did not move from ${cur}`); continue; }
        const t1 = Date.now();
        let after;
        for (;;) {
          after = await figure(kind);
          if (Math.abs(after.level - wantLevel(kind, v)) < 1e-9) break;
          if (Date.now() - t1 > redrawMs) break;
          await page.waitForTimeout(250);
        }
        const secs = ((Date.now() - t1) / 1000).toFixed(1);
        const txt = wantText(kind, v);
        if (Math.abs(after.level - wantLevel(kind, v)) >= 1e-9) {
          fail(`${kind} slider moved ${cur} → ${v}; after ${secs} s its figure still shows ${after.alt}`);
        } else if (!after.svg.includes(txt) || !after.alt.includes(txt)) {
          fail(`${kind} slider at ${v}: figure title "${after.alt}" does not name "${txt}"`);
        } else if (after.svg === before.svg) {
          fail(`${kind} slider at ${v}: the figure did not change`);
        } else {
          // The example trajectories under the bars: redrawn for the new setting, named in
          // their title, with the synthetic-data note when the bars have it.
          const ex = await example(kind);
          const synthetic = after.svg.includes('(synthetic data)');
          if (Math.abs(ex.level - wantLevel(kind, v)) >= 1e-9 || !ex.alt.includes(txt) || !ex.svg.includes(txt)) {
            fail(`${kind} slider at ${v}: the example trajectories show "${ex.alt}"`);
          } else if (ex.svg === exBefore.svg) {
            fail(`${kind} slider at ${v}: the example trajectories did not change`);
          } else if (ex.svg.includes('(synthetic data)') !== synthetic) {
            fail(`${kind} slider at ${v}: the bars ${synthetic ? 'say' : 'do not say'} synthetic data, the example trajectories do not agree`);
          } else {
            log(`${kind} slider ${step === 'click' ? 'clicked' : 'dragged'} ${cur} → ${v} (${step === 'cached' ? 'cached' : 'new'} setting): figures "${after.alt}" and "${ex.alt}" after ${secs} s`);
          }
        }
        if (k === n - 1 && step === 'new' && process.env.SHOT_AFTER) {
          await page.waitForTimeout(300);
          await outputArea.screenshot({ path: process.env.SHOT_AFTER });
          log('screenshots:', process.env.SHOT_BEFORE, process.env.SHOT_AFTER);
        }
      }
    }

    // Stop listening with the button: the sliders become disabled, with the note.
    await cell.locator('button:text-is("Stop exploring")').click();
    await page.waitForFunction((i) => {
      const c = document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')[i];
      return c.querySelectorAll('input[type=range][disabled]').length >= 2 &&
        c.querySelectorAll('input[type=range]:not([disabled])').length === 0 &&
        c.textContent.includes('rerun the cell to explore again');
    }, idx, { timeout: 60000 }).then(() => log('Stop exploring: sliders disabled, with the note to rerun the cell'),
      () => fail('after Stop exploring the sliders are not all disabled with the note'));

    // The cells queued behind the interactive one now run.
    for (;;) {
      s = await page.evaluate(cellsState);
      if (ranCells(s).every(Boolean) && /^\d+$/.test(s[s.length - 1].prompt)) break;
      if (Date.now() - t0 > limitMs) throw new Error('timeout waiting for the cells after the interactive one');
      await page.waitForTimeout(2000);
    }
    log(`all ${s.length} code cells ran in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    (await page.evaluate(problems)).forEach(fail);
    const live = await page.locator('input[type=range]:not([disabled])').count();
    if (live) fail(`${live} live sliders left on the page after the cell stopped`);
    const figures = await page.locator('.jp-OutputArea-output svg, .jp-OutputArea-output img').count();
    log(`${figures} figures on the page`);
    if (figures < 10) fail('fewer than 10 figures on the page');

    // A view of Activity 2.1 for docs/notebooks.md (SCREENSHOT), then save the notebook (Ctrl+S).
    const h = page.locator('.jp-RenderedMarkdown h3', { hasText: process.env.SHOT_VIEW || 'Activity 2.1' }).first();
    if (await h.count()) {
      await h.evaluate(el => el.scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(800);
      await page.screenshot({ path: process.env.SCREENSHOT });
      log('screenshot:', process.env.SCREENSHOT);
    }
    await page.locator('.jp-Notebook').first().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+s');
    await page.waitForFunction(() => !document.querySelector('.jp-mod-dirty'), null, { timeout: 60000 })
      .then(() => log('notebook saved'), () => fail('the notebook was not saved'));

    // The other two ways the cell stops listening. A new cell below the interactive one sets
    // the idle timeout for the cells run after it (GoNB's %env); the interactive cell is rerun.
    const selectCell = async (i) => {
      const c = page.locator(`.jp-Notebook .jp-Cell.jp-CodeCell >> nth=${i}`);
      await c.scrollIntoViewIfNeeded();
      await c.locator('.jp-InputArea-prompt').click();
      await page.keyboard.press('Escape');
      return c;
    };
    const scratch = idx + 1; // the new cell's index among the code cells
    let scratchMade = false;
    const setEnv = async (value) => {
      if (!scratchMade) {
        await selectCell(idx);
        await page.keyboard.press('b'); // a new code cell below, selected
        scratchMade = true;
      } else {
        await selectCell(scratch);
      }
      await page.keyboard.press('Enter'); // edit mode
      await page.keyboard.press('Control+a');
      await page.keyboard.type(`%env NMATOOLS_EXPLORE_IDLE=${value}`);
      await page.keyboard.press('Control+Enter');
      await page.waitForFunction((i) => /^\d+$/.test(((document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')[i].querySelector('.jp-InputArea-prompt') || {}).textContent || '').replace(/[\[\]:\s]/g, '')),
        scratch, { timeout: 60000 });
    };
    const rerunInteractive = async () => {
      await selectCell(idx);
      await page.keyboard.press('Control+Enter');
      const t = Date.now();
      await page.waitForFunction((i) => {
        const c = document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')[i];
        return c.querySelectorAll('.nmatools-explore input[type=range]:not([disabled])').length >= 2 &&
          c.querySelectorAll('img.nmatools-explore-example').length >= 2 && /from the cache|computed in/.test(c.textContent);
      }, idx, { timeout: 180000 });
      log(`interactive cell rerun: sliders live after ${((Date.now() - t) / 1000).toFixed(1)} s`);
      return Date.now();
    };
    const waitStopped = async (why, reason, limit) => {
      const t = Date.now();
      const ok = await page.waitForFunction(([i, r]) => {
        const c = document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')[i];
        const p = ((c.querySelector('.jp-InputArea-prompt') || {}).textContent || '').replace(/[\[\]:\s]/g, '');
        return c.querySelectorAll('input[type=range][disabled]').length >= 2 &&
          c.querySelectorAll('input[type=range]:not([disabled])').length === 0 &&
          c.textContent.includes('rerun the cell to explore again') && c.textContent.includes(r) && /^\d+$/.test(p);
      }, [idx, reason], { timeout: limit }).then(() => true, () => false);
      const secs = ((Date.now() - t) / 1000).toFixed(1);
      if (!ok) {
        const txt = await page.evaluate((i) => document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')[i].textContent.replace(/\s+/g, ' ').slice(-400), idx);
        fail(`${why}: after ${secs} s the cell has not stopped with "${reason}" (its text ends: ${txt})`);
      } else {
        log(`${why}: sliders disabled with the note ("${reason}"), ${secs} s later; the cell finished`);
      }
      (await page.evaluate(problems)).forEach(fail);
    };
    const tIdle = Date.now();
    await setEnv('10s');
    const liveAt = await rerunInteractive();
    await waitStopped('idle timeout of 10 s', 'no change for 10s', 40000);
    const idleSecs = (Date.now() - liveAt) / 1000;
    if (idleSecs < 9) fail(`the idle timeout of 10 s stopped the cell after ${idleSecs.toFixed(1)} s`);
    log(`idle check: ${((Date.now() - tIdle) / 1000).toFixed(0)} s`);

    const tInt = Date.now();
    await setEnv('2m');
    await rerunInteractive();
    await page.click('.lm-MenuBar-itemLabel:text-is("Kernel")');
    await page.click('.lm-Menu-itemLabel:text-is("Interrupt Kernel")');
    log('Kernel > Interrupt Kernel clicked');
    await waitStopped('interrupt', 'the cell was interrupted', 20000);
    log(`interrupt check: ${((Date.now() - tInt) / 1000).toFixed(0)} s`);
    log(`browser check done in ${((Date.now() - t0) / 1000).toFixed(0)} s after Run All`);
    await page.screenshot({ path: path.join(viewDir, 'last.png') });
  } finally {
    await browser.close();
  }
  if (failed) process.exit(1);
})().catch(e => { console.error('browser-check:', e.message || e); process.exit(1); });
