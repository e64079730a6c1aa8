// class.js: a class of students on a JupyterHub, each in their own Chromium context, at the same
// time, as make docker-check's class runs it (scripts/docker-check.sh). Each student:
//   1. logs in on the hub's login page (test authenticator: their name, the class password); the
//      hub spawns their server and opens the instructor notebook (its default URL);
//   2. waits for the notebook with its Go kernel idle ("running notebook");
//   3. Run > Run All Cells; notes the first figure; waits for the interactive cell's live sliders;
//   4. drags the first slider twice to new settings and times each redraw of its figure;
//   5. presses Stop exploring, waits for every remaining cell, requires no failed cell, saves;
//   6. writes a file with a secret into their home through their server's contents API.
// Then every student asks the hub for every student's file (/user/NAME/files/secret.txt, with
// their own cookies): their own is served, nobody else's is.
// With MODE=first-figure each student stops at step 3's first figure (the build-cache timing).
// Env: HUB (http://127.0.0.1:PORT), STUDENTS (a,b,c), PASSWORD, MODE, OUT (JSON result),
// SHOTS (directory for a screenshot per student), CHROMIUM, PLAYWRIGHT_CORE, RUN_TIMEOUT_S.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const hub = process.env.HUB.replace(/\/$/, '');
const students = process.env.STUDENTS.split(',');
const mode = process.env.MODE || 'full';
const limitMs = Number(process.env.RUN_TIMEOUT_S || 2400) * 1000;
const shots = process.env.SHOTS || '.';
const secs = (ms) => Math.round(ms / 100) / 10;
function log(who, ...a) { console.log('class:', new Date().toISOString().slice(11, 19), who + ':', ...a); }

// The code cells' state: prompt, failures (an error output, GoNB's compile error block, "exit
// status N" or a panic on stderr), figures in the outputs, and the interactive cell's controls.
const state = () => [...document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')].map((c, i) => {
  const p = ((c.querySelector('.jp-InputArea-prompt') || {}).textContent || '').match(/\[(.*)\]/);
  const failed = [...c.querySelectorAll('.jp-OutputArea-output')].some(o => {
    const mime = o.getAttribute('data-mime-type') || '';
    const text = o.textContent || '';
    return mime.includes('error') || o.innerHTML.includes('gonb-err') ||
      (mime.includes('stderr') && (/^exit status \d+\s*$/m.test(text) || text.includes('panic: ')));
  });
  return {
    i, prompt: p ? p[1].trim() : '', failed, text: failed ? c.textContent.replace(/\s+/g, ' ').slice(-300) : '',
    hidden: !c.querySelector('.jp-InputArea-prompt') || c.querySelector('.jp-InputArea-prompt').offsetParent === null,
    figures: c.querySelectorAll('.jp-OutputArea-output img, .jp-OutputArea-output svg').length,
    interactive: c.querySelector('.nmatools-explore') !== null,
    live: c.querySelectorAll('.nmatools-explore input[type=range]:not([disabled])').length,
    examples: c.querySelectorAll('img.nmatools-explore-example').length,
    ready: /from the cache|computed in/.test(c.textContent),
  };
});
const ran = (s) => s.map((c, i) => /^\d+$/.test(c.prompt) ||
  (c.hidden && c.prompt !== '*' && s.slice(i + 1).some(d => /^\d+$/.test(d.prompt))));

// api runs in the page: a request to the student's own server with their cookies and the
// XSRF token, as JupyterLab sends its own requests; the JSON answer of a GET, else {status}.
const api = async ([url, method, body]) => {
  const xsrf = decodeURIComponent((document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || '');
  const res = await fetch(url, {
    method: method || 'GET', headers: { 'Content-Type': 'application/json', 'X-XSRFToken': xsrf },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.status === 200 && (method || 'GET') === 'GET' ? res.json() : { status: res.status };
};

async function session(browser, name, password) {
  const r = { student: name, failures: [] };
  const fail = (m) => { r.failures.push(m); log(name, 'FAILED:', m); };
  const context = await browser.newContext({ viewport: { width: 1400, height: 1400 } });
  const page = await context.newPage();
  r.context = context;
  r.page = page;
  try {
    // 1-2. Log in; the hub spawns the server and opens the notebook.
    const t0 = Date.now();
    await page.goto(`${hub}/hub/login`, { waitUntil: 'load' });
    await page.fill('input[name=username]', name);
    await page.fill('input[name=password]', password);
    await page.click('#login_submit');
    await page.waitForURL(new RegExp(`/user/${name}/lab`), { timeout: 600000 });
    await page.waitForSelector('.jp-Notebook .jp-Cell', { timeout: 300000 });
    // Running: the toolbar names the Go kernel and the server reports that kernel idle.
    await page.waitForFunction(() => {
      const k = document.querySelector('.jp-Toolbar-kernelName, .jp-KernelName');
      return k && /gonb/i.test(k.textContent);
    }, null, { timeout: 300000 });
    for (;;) {
      const kernels = await page.evaluate(api, [`/user/${name}/api/kernels`]);
      if (Array.isArray(kernels) && kernels.some(k => k.name === 'gonb' && k.execution_state === 'idle')) break;
      if (Date.now() - t0 > 600000) throw new Error(`no idle gonb kernel 600 s after the login: ${JSON.stringify(kernels)}`);
      await page.waitForTimeout(250);
    }
    r.login_to_running_s = secs(Date.now() - t0);
    log(name, `notebook running ${r.login_to_running_s} s after the login`);

    // 3. Run All; the first figure; the interactive cell listening.
    await page.click('.lm-MenuBar-itemLabel:text-is("Run")');
    await page.click('.lm-Menu-itemLabel:text-is("Run All Cells")');
    const tRun = Date.now();
    let s, idx = -1, lastReport = Date.now();
    for (;;) {
      s = await page.evaluate(state);
      const bad = s.filter(c => c.failed);
      if (bad.length) { bad.forEach(c => fail(`code cell ${c.i} failed: ${c.text}`)); return r; }
      if (r.login_to_first_figure_s === undefined && s.some(c => c.figures > 0)) {
        r.run_all_to_first_figure_s = secs(Date.now() - tRun);
        r.login_to_first_figure_s = secs(Date.now() - t0);
        log(name, `first figure ${r.login_to_first_figure_s} s after the login (${r.run_all_to_first_figure_s} s after Run All)`);
        if (mode === 'first-figure') return r;
      }
      idx = s.findIndex(c => c.interactive);
      const done = ran(s);
      if (idx >= 0 && s.slice(0, idx).every((c, i) => done[i]) && s[idx].live >= 2 && s[idx].examples >= 2 && s[idx].ready) break;
      if (Date.now() - tRun > limitMs) { fail(`timeout: the interactive cell not live ${secs(Date.now() - tRun)} s after Run All`); return r; }
      if (Date.now() - lastReport > 60000) {
        lastReport = Date.now();
        log(name, `waiting: cells not run ${JSON.stringify(s.filter((c, i) => !done[i]).map(c => [c.i, c.prompt]))}, interactive cell`,
          JSON.stringify(idx >= 0 ? s[idx] : null));
        await page.screenshot({ path: path.join(shots, `${name}-waiting.png`) });
      }
      await page.waitForTimeout(1000);
    }
    r.run_all_to_interactive_s = secs(Date.now() - tRun);
    log(name, `interactive cell live ${r.run_all_to_interactive_s} s after Run All`);

    // 4. Two drags of the first slider, each to a setting not computed before.
    const cell = page.locator(`.jp-Notebook .jp-Cell.jp-CodeCell >> nth=${idx}`);
    const slider = cell.locator('.nmatools-explore input[type=range]:not([disabled])').first();
    const kind = await slider.evaluate(el => el.closest('[id^="nmatools-explore-in-"]') ? 'inputs' : 'weights');
    const level = () => cell.locator(`img.nmatools-explore-figure[data-kind="${kind}"]`).evaluate(img => Number(img.getAttribute('data-level')));
    r.slider_redraw_s = [];
    for (const frac of [0.62, 0.31]) {
      await slider.scrollIntoViewIfNeeded();
      const box = await slider.boundingBox();
      const [min, max] = await slider.evaluate(el => [Number(el.min), Number(el.max)]);
      const cur = Number(await slider.inputValue());
      const x = (v) => box.x + 8 + (v - min) / (max - min) * (box.width - 16);
      const y = box.y + box.height / 2;
      await page.mouse.move(x(cur), y);
      await page.mouse.down();
      await page.mouse.move(box.x + 8 + frac * (box.width - 16), y, { steps: 12 });
      await page.mouse.up();
      const t = Date.now();
      const moved = Number(await slider.inputValue());
      if (moved === cur) { fail(`the ${kind} slider did not move from ${cur}`); continue; }
      // The figure must come to show the value the slider shows. On a busy server GoNB may
      // echo a value the drag passed through back into the slider after the mouse is up,
      // so the slider can settle short of where the drag ended: then that is the value.
      const want = (v) => kind === 'inputs' ? v / 1000 : v / 100;
      let v = moved, drawn = NaN;
      while (Date.now() - t < 180000) {
        v = Number(await slider.inputValue());
        drawn = await level();
        if (v !== cur && Math.abs(drawn - want(v)) < 1e-9) break;
        await page.waitForTimeout(100);
      }
      if (v === cur || Math.abs(drawn - want(v)) >= 1e-9) {
        fail(`the ${kind} figure shows ${drawn}, not the slider's ${v} (dragged ${cur} → ${moved}), 180 s after the drag`);
        continue;
      }
      r.slider_redraw_s.push(secs(Date.now() - t));
      if (v !== moved) r.slider_settled = (r.slider_settled || []).concat([`${moved} → ${v}`]);
      log(name, `${kind} slider ${cur} → ${moved}${v !== moved ? ` (settled at ${v})` : ''}: redrawn after ${secs(Date.now() - t)} s`);
    }
    await page.screenshot({ path: path.join(shots, `${name}.png`) });

    // 5. Stop exploring; the remaining cells; no failure; save.
    await cell.locator('button:text-is("Stop exploring")').click();
    for (;;) {
      s = await page.evaluate(state);
      const bad = s.filter(c => c.failed);
      if (bad.length) { bad.forEach(c => fail(`code cell ${c.i} failed: ${c.text}`)); return r; }
      if (ran(s).every(Boolean) && /^\d+$/.test(s[s.length - 1].prompt)) break;
      if (Date.now() - tRun > limitMs) { fail('timeout waiting for the cells after the interactive one'); return r; }
      await page.waitForTimeout(2000);
    }
    r.run_all_to_all_cells_s = secs(Date.now() - tRun);
    r.figures = s.reduce((n, c) => n + c.figures, 0);
    if (r.figures < 10) fail(`only ${r.figures} figures in the notebook`);
    log(name, `all ${s.length} code cells ran, ${r.figures} figures, ${r.run_all_to_all_cells_s} s after Run All`);
    await page.locator('.jp-Notebook').first().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+s');
    await page.waitForFunction(() => !document.querySelector('.jp-mod-dirty'), null, { timeout: 60000 })
      .catch(() => fail('the notebook was not saved'));

    // 6. A file with a secret in the student's home, through their own server.
    r.secret = crypto.randomBytes(12).toString('hex');
    const put = await page.evaluate(api, [`/user/${name}/api/contents/secret.txt`, 'PUT',
      { type: 'file', format: 'text', content: r.secret }]);
    if (put.status !== 200 && put.status !== 201) fail(`writing secret.txt in the home answered HTTP ${put.status}`);
  } catch (e) {
    fail(e.message || String(e));
    await page.screenshot({ path: path.join(shots, `${name}-error.png`) }).catch(() => {});
  }
  return r;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  let results;
  try {
    results = await Promise.all(students.map(n => session(browser, n, process.env.PASSWORD)));
    // Nobody reads another student's file; everybody reads their own.
    if (mode === 'full') {
      for (const r of results) {
        r.isolation = [];
        for (const o of results) {
          if (!o.secret || !r.secret) continue;
          // The file as a browser gets it (/files/, a plain GET with the student's cookies).
          const res = await r.page.request.get(`${hub}/user/${o.student}/files/secret.txt`, { failOnStatusCode: false });
          const body = await res.text();
          const seen = body.includes(o.secret);
          if (o === r) {
            if (!seen) r.failures.push(`cannot read their own secret.txt (HTTP ${res.status()})`);
          } else {
            r.isolation.push({ other: o.student, status: res.status(), url: res.url().replace(hub, ''), seen });
            if (seen) r.failures.push(`reads ${o.student}'s secret.txt`);
          }
        }
        log(r.student, 'other students\' files:', r.isolation.map(i => `${i.other}: HTTP ${i.status}${i.seen ? ' READ' : ', not served'}`).join('; ') || 'none');
      }
    }
  } finally {
    await browser.close();
  }
  const out = results.map(({ context, page, secret, ...rest }) => rest);
  fs.writeFileSync(process.env.OUT, JSON.stringify(out, null, 1));
  const failed = out.filter(r => r.failures.length);
  if (failed.length) { log('class', `${failed.length} of ${out.length} students failed`); process.exit(1); }
  log('class', `all ${out.length} students passed`);
})().catch(e => { console.error('class:', e.message || e); process.exit(1); });
