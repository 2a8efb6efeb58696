// Browser tests of the playground's graph panel and of /explore, driving
// headless Chromium with playwright-core. cmd/ties TestBrowser starts
// `ties serve` with the founding data and runs this script:
//
//   node browser.mjs
//
// with TIES_URL (the service, e.g. http://127.0.0.1:8080), CHROMIUM (the
// browser binary), ARTIFACTS (a directory for screenshots and downloads)
// and, for the timing, BENCH_FOCUS (an entity with a 500-entity
// neighbourhood). Every request to anything but TIES_URL is aborted and
// fails the run: both pages must work offline. The last line printed is a
// JSON object of measurements.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';

const base = process.env.TIES_URL;
const artifacts = process.env.ARTIFACTS;
const exe = process.env.CHROMIUM;
assert.ok(base && artifacts && exe, 'TIES_URL, ARTIFACTS and CHROMIUM must be set');
const timeout = 60_000; // generous: the machine may be loaded; a wait is never a measurement

// stackedParts are the parts of the playground that must each be whole
// on screen, none over another, with the Graph panel open on a small
// screen.
const stackedParts = {
  bar: '.tg-bar', editor: '.graphiql-query-editor .graphiql-editor', toolbar: '.graphiql-toolbar',
  tools: '.graphiql-editor-tools', result: '.graphiql-response', graph: '[data-testid="graph-plugin"] .tg-canvas',
};

const browser = await chromium.launch({
  executablePath: exe,
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
const results = {};
let pageOf; // the page, for helpers outside the steps
const outside = [];
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  context.setDefaultTimeout(timeout);
  const origin = new URL(base).origin;
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/') || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    outside.push(u);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  pageOf = page;
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // Warnings count as failures too (cytoscape warns of a bad selector and
  // goes on without it); the browser's own line for a refused request
  // (the refusal step's 401, the unreachable step's refused connection)
  // does not, nor cytoscape's note that it skips an edge whose two ends
  // overlap for a moment of a layout's animation (its own words: "expected
  // behaviour when the source node and the target node overlap"), which
  // came in about one run in five of a large view.
  const consoleProblems = [];
  page.on('console', (m) => {
    if ((m.type() === 'warning' || m.type() === 'error') &&
      !/^Failed to load resource: (the server responded with a status of 40[13]|net::ERR_CONNECTION_REFUSED)/.test(m.text()) &&
      !/has invalid endpoints and so it is impossible to draw\..*source node and the target node overlap/.test(m.text())) {
      consoleProblems.push(m.type() + ': ' + m.text());
    }
  });
  const shot = (name) => page.screenshot({ path: path.join(artifacts, name + '.png') });

  // 1. Search "Enschede" and pick it: its neighbourhood is drawn and listed.
  await step('search Enschede', async () => {
    await page.goto(base + '/explore');
    // A search that finds nothing says so.
    await page.getByRole('combobox', { name: 'Entity' }).fill('Atlantis');
    await page.locator('#tg-hits').getByText('No entity matches "Atlantis"').waitFor();
    await page.getByRole('combobox', { name: 'Entity' }).fill('Enschede');
    await page.locator('#tg-hits li[data-id="enschede"]').click();
    await page.waitForURL(/focus=enschede/);
    await page.locator('#tg-entities li[data-id="dalian"]').waitFor();
    await page.locator('#tg-relations li[data-type="SISTER_CITY_OF"]').first().waitFor();
    await shot('explore-1-enschede');
  });

  // 2. A click on Dalian, in the drawing or in the list, shows its
  // details and leaves the view as it was; a double-click expands it: its
  // mayor and the MoU come into view.
  await step('click shows, double-click expands Dalian', async () => {
    const drawnIDs = () => page.evaluate(() => window.tiesExplorer.cy.nodes().map((n) => n.id()).sort());
    const before = await drawnIDs();
    const title = page.locator('#tg-details h3');
    await page.mouse.click(...await nodePoint('dalian'));
    await title.getByText('Dalian', { exact: true }).waitFor();
    await page.locator('#tg-entities li[data-id="enschede"] button').first().click();
    await title.getByText('Enschede', { exact: true }).waitFor();
    assert.deepEqual(await drawnIDs(), before, 'a click in the drawing and one in the list expand nothing');
    assert.equal(await page.locator('#tg-entities li[data-id="xiao-shenfeng"]').count(), 0, "Dalian's mayor is not in view");
    assert.match(await page.locator('#tg-help').innerText(), /double-click.*Enter/s, 'the help says how to expand');
    await page.mouse.dblclick(...await nodePoint('dalian'));
    await page.locator('#tg-status', { hasText: 'Expanded Dalian' }).waitFor();
    await page.locator('#tg-entities li[data-id="xiao-shenfeng"]').waitFor();
    await shot('explore-2-dalian-expanded');
  });

  // 3. The sister-city relation's panel quotes the MoU word for word.
  await step('read the MoU excerpt', async () => {
    const rel = page.locator('#tg-relations li[data-type="SISTER_CITY_OF"]', { hasText: 'Dalian' }).first();
    await rel.locator('button').click();
    const details = page.locator('#tg-details');
    await details.getByText("Signing the memorandum transformed Enschede from a 'Friendly Cooperative City' into an official 'Sister City'", { exact: false }).first().waitFor();
    await details.getByText('Introduction to sister city Dalian').first().waitFor();
    await shot('explore-3-sister-city-evidence');
    // The source's document opens in the panel, with its own facts, and
    // the way back leads to the relation that cited it.
    await details.getByRole('button', { name: '2017: International Annual Report' }).first().click();
    await page.locator('#tg-details h3', { hasText: '2017: International Annual Report' }).waitFor();
    await details.getByText('Municipality of Enschede', { exact: true }).waitFor();
    await details.getByRole('button', { name: /^← Back to SISTER_CITY_OF Dalian — Enschede$/ }).click();
    await page.locator('#tg-details h3', { hasText: 'SISTER_CITY_OF' }).waitFor();
    await details.getByText("Signing the memorandum transformed Enschede", { exact: false }).first().waitFor();
  });

  // 4. At 2012 Dalian is a friendly cooperative city, not yet a sister city.
  await step('slider to 2012', async () => {
    await page.locator('#tg-dated').check();
    await page.locator('#tg-year').fill('2012');
    await page.waitForURL(/validAt=2012/);
    const friendly = page.locator('#tg-relations li[data-type="FRIENDLY_COOPERATIVE_CITY_OF"]', { hasText: 'Dalian' }).first();
    const sister = page.locator('#tg-relations li[data-type="SISTER_CITY_OF"]', { hasText: 'Dalian' }).first();
    assert.equal(await friendly.getAttribute('data-holds'), 'true', 'the friendly cooperative tie holds in 2012');
    assert.equal(await sister.getAttribute('data-holds'), 'false', 'the sister-city tie does not hold in 2012');
    const faded = await page.evaluate(() => window.tiesExplorer.cy.edges('.faded').map((e) => e.data('type')));
    assert.ok(faded.includes('SISTER_CITY_OF') && !faded.includes('FRIENDLY_COOPERATIVE_CITY_OF'), 'faded in the drawing: ' + faded);
    // Economics is a field of the 2017 memorandum: no tie to it held in
    // 2012, so it fades with its ties.
    const economics = page.locator('#tg-entities li[data-id="economics"]');
    assert.equal(await economics.getAttribute('data-holds'), 'false', 'no tie to Economics held in 2012');
    assert.equal(await page.locator('#tg-entities li[data-id="dalian"]').getAttribute('data-holds'), 'true', 'Dalian was linked in 2012');
    assert.ok(await page.evaluate(() => window.tiesExplorer.cy.$id('economics').hasClass('faded')), 'Economics faded in the drawing');
    // The view is Enschede's neighbourhood and Dalian's, expanded: drawn
    // unfaded are the entities the service answers for both at 2012.
    const want = new Set([...await around('enschede', 1, '2012'), ...await around('dalian', 1, '2012')]);
    const shown = await page.evaluate(() => window.tiesExplorer.cy.nodes().filter((n) => !n.hasClass('faded')).map((n) => n.id()).sort());
    assert.deepEqual(shown, [...want].sort(), 'entities drawn unfaded at 2012, against neighborhood(validAt: "2012")');
    await shot('explore-4-valid-2012');
    // The export at that date holds what the drawing shows unfaded.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#tg-ndjson').click()]);
    const file = path.join(artifacts, 'export-2012.ndjson');
    await dl.saveAs(file);
    const dump = await fs.readFile(file, 'utf8');
    assert.match(dump, /FRIENDLY_COOPERATIVE_CITY_OF/);
    assert.doesNotMatch(dump, /"id":"economics"/, 'the fields of the 2017 memorandum are not in the 2012 export');
    await page.locator('#tg-year').fill('2018');
    assert.equal(await friendly.getAttribute('data-holds'), 'false', 'the friendly cooperative tie ended in 2017');
    assert.equal(await sister.getAttribute('data-holds'), 'true', 'the sister-city tie holds in 2018');
    assert.equal(await economics.getAttribute('data-holds'), 'true', 'Economics is linked in 2018');
    await shot('explore-4-valid-2018');
    await page.locator('#tg-dated').uncheck();
  });

  // 5. How is Enschede connected to Tesla Motors? Three hops, with evidence.
  await step('path to Tesla Motors', async () => {
    await page.getByRole('combobox', { name: 'To' }).fill('Tesla');
    await page.locator('#tg-to-hits li[data-id="tesla-motors"]').click();
    const hops = page.locator('#tg-paths ol.tg-hops > li');
    await hops.nth(2).waitFor();
    assert.equal(await hops.count(), 3, 'three hops');
    assert.deepEqual(await hops.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-type'))), ['SISTER_CITY_OF', 'LOCATED_IN', 'BASED_IN']);
    await page.locator('#tg-paths').getByText('located in Silicon Valley', { exact: false }).first().waitFor();
    await page.waitForURL(/to=tesla-motors/);
    const drawn = await page.evaluate(() => [window.tiesExplorer.cy.nodes().length, window.tiesExplorer.cy.edges().length]);
    assert.equal(await page.locator('#tg-status').innerText(),
      'The path from Enschede to Tesla Motors (3 hops) drawn; ' + drawn[0] + ' entities, ' + drawn[1] + ' relations in view.');
    await shot('explore-5-path-to-tesla');
  });

  // 5a. In a view of more than a few relations, the relations' labels
  // wait until one zooms in, except on the path: the drawing decides by
  // cytoscape's own test of a label against its smallest zoomed size.
  await step('relation labels as one zooms in', async () => {
    const drawn = () => page.evaluate(() => {
      const cy = window.tiesExplorer.cy, r = cy.renderer();
      const plain = cy.edges().filter((e) => !e.hasClass('path') && !e.selected() && !e.hasClass('labelled'));
      return {
        plain: plain.length,
        plainShown: plain.filter((e) => r.eleTextBiggerThanMin(e)).length,
        path: cy.edges('.path').filter((e) => r.eleTextBiggerThanMin(e)).length,
      };
    });
    const view = await page.evaluate(() => ({ zoom: window.tiesExplorer.cy.zoom(), pan: window.tiesExplorer.cy.pan() }));
    try {
      await page.evaluate(() => { window.tiesExplorer.cy.zoom(1.2); });
      const fitted = await drawn();
      assert.ok(fitted.plain > 24, 'a view of many relations: ' + fitted.plain);
      assert.equal(fitted.plainShown, 0, 'no relation label at zoom 1.2 but on the path');
      assert.equal(fitted.path, 3, "the path's three labels at zoom 1.2");
      await page.evaluate(() => { window.tiesExplorer.cy.zoom(2.5); });
      assert.equal((await drawn()).plainShown, fitted.plain, 'every relation label at zoom 2.5');
    } finally {
      await page.evaluate((v) => { window.tiesExplorer.cy.viewport(v); }, view);
    }
  });

  // 6. Export the view as PNG, and the neighbourhood as GraphML.
  await step('export PNG and GraphML', async () => {
    let [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#tg-png').click()]);
    const png = path.join(artifacts, 'export.png');
    await dl.saveAs(png);
    const head = (await fs.readFile(png)).subarray(0, 8);
    assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
    [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#tg-graphml').click()]);
    const gml = path.join(artifacts, 'export.graphml');
    await dl.saveAs(gml);
    const text = await fs.readFile(gml, 'utf8');
    assert.match(text, /<graphml/);
    assert.match(text, /dalian/);
    // The file is Enschede's neighbourhood; what expanding Dalian and the
    // path added is not in it, and the page says so.
    const added = await page.evaluate(() => window.tiesExplorer.cy.nodes().length) - await page.evaluate(async () => (await (await fetch('/query', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ neighborhood(id: "enschede", depth: 1) { nodes { id } } }' }),
    })).json()).data.neighborhood.nodes.length);
    assert.ok(added > 0, 'the view holds more than the neighbourhood: ' + added);
    assert.equal(await page.locator('#tg-status').innerText(), "Exported Enschede's neighbourhood (depth 1, the view's filters): the " + added +
      ' entities added by expanding or by paths are not in the file; the PNG is the drawing as it is.');
    assert.doesNotMatch(text, /xiao-shenfeng|tesla-motors/, "Dalian's mayor and the path's end are not in the file");
  });

  // 6b. A path reads in the order it walks, whichever way each relation
  // is stored: from Tesla Motors to Enschede, the sister-city tie stored
  // from Enschede reads "Palo Alto — ... — Enschede", a directed relation
  // walked against its direction shows its arrow backwards, and the route
  // names the entities in order.
  await step('a path reads in walking order', async () => {
    await page.goto(base + '/explore?focus=tesla-motors&to=enschede');
    const hops = page.locator('#tg-paths ol.tg-hops > li > strong');
    await hops.nth(2).waitFor();
    assert.deepEqual(await hops.allInnerTexts(), [
      'Tesla Motors → BASED_IN → Silicon Valley',
      'Silicon Valley ← LOCATED_IN ← Palo Alto',
      'Palo Alto — SISTER_CITY_OF — Enschede',
    ]);
    assert.equal(await page.locator('#tg-paths .tg-route').innerText(), 'Tesla Motors → Silicon Valley ← Palo Alto — Enschede');
  });

  // 7. A bookmarked view opens as it was sent.
  await step('view from the URL', async () => {
    await page.goto(base + '/explore?focus=dalian&depth=2&validAt=2012&types=SISTER_CITY_OF,FRIENDLY_COOPERATIVE_CITY_OF');
    await page.locator('#tg-entities li[data-id="enschede"]').waitFor();
    assert.equal(await page.locator('#tg-year').inputValue(), '2012');
    assert.equal(await page.getByRole('combobox', { name: 'Entity' }).inputValue(), 'Dalian', 'the search box names the focus');
    const types = await page.locator('#tg-relations li').evaluateAll((ls) => [...new Set(ls.map((l) => l.getAttribute('data-type')))].sort());
    assert.deepEqual(types, ['FRIENDLY_COOPERATIVE_CITY_OF', 'SISTER_CITY_OF']);
    // What is drawn unfaded is what the service answers at that date.
    const want = (await around('dalian', 2, '2012', ['SISTER_CITY_OF', 'FRIENDLY_COOPERATIVE_CITY_OF'])).sort();
    const shown = await page.evaluate(() => window.tiesExplorer.cy.nodes().filter((n) => !n.hasClass('faded')).map((n) => n.id()).sort());
    assert.deepEqual(shown, want, 'entities drawn unfaded at 2012, against neighborhood(validAt: "2012")');
    // The filters hold the bookmark's types, each name beside its box and
    // whole within its column, the longest too.
    await page.locator('#tg-type-filters > summary').click();
    const friendly = page.getByRole('checkbox', { name: 'FRIENDLY_COOPERATIVE_CITY_OF' });
    assert.equal(await friendly.isChecked(), true, "the bookmark's type is ticked");
    const layout = await page.locator('#tg-rtypes label').evaluateAll((ls) => ls.map((l) => {
      // The first line of the name: the box of its first text.
      const first = document.createRange();
      first.selectNodeContents(document.createTreeWalker(l, NodeFilter.SHOW_TEXT, { acceptNode: (t) => (t.data.trim() ? 1 : 3) }).nextNode());
      const box = l.querySelector('input').getBoundingClientRect(), name = first.getClientRects()[0];
      return { name: l.textContent, beside: Math.abs((box.top + box.bottom) / 2 - (name.top + name.bottom) / 2) < 6,
        inside: l.scrollWidth <= l.clientWidth && name.left >= box.right };
    }));
    assert.deepEqual(layout.filter((l) => !l.beside || !l.inside), [], 'every type name beside its box and whole');
    await page.locator('#tg-type-filters > summary').click();
  });

  // 7b. Keyboard only: Enter on an entity of the side list expands it,
  // Enter on its "focus" button focuses it, and either way the keyboard
  // stays on that entity in the rebuilt list.
  await step('keyboard in the side list', async () => {
    const active = () => page.evaluate(() => {
      const li = document.activeElement.closest('#tg-entities li');
      return li ? li.getAttribute('data-id') + ' ' + document.activeElement.textContent : document.activeElement.tagName;
    });
    await page.locator('#tg-entities li[data-id="enschede"] button').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#tg-status', { hasText: 'Expanded Enschede' }).waitFor();
    assert.match(await active(), /^enschede Enschede/, 'the keyboard stays on Enschede after expanding it');
    await page.keyboard.press('Tab');
    // The old view's list stays until the new view is drawn: wait for the
    // drawing after this one.
    const drawn = Number(await page.evaluate(() => document.body.getAttribute('data-drawn')));
    await page.keyboard.press('Enter');
    await page.waitForURL(/focus=enschede/);
    await page.waitForFunction((n) => Number(document.body.getAttribute('data-drawn')) > n, drawn);
    await page.locator('#tg-status', { hasText: /^Enschede: \d+ entities/ }).waitFor();
    assert.match(await active(), /^enschede focus/, 'the keyboard stays on Enschede after focusing it');
    assert.equal(await page.getByRole('combobox', { name: 'Entity' }).inputValue(), 'Enschede', 'the search box names the new focus');
  });

  // 7c. A small view is not blown up to fill the canvas; an entity
  // picked in the list expands from its details' "Expand" button.
  await step('small view', async () => {
    await page.goto(base + '/explore?focus=linkoping');
    await page.waitForFunction(() => document.body.getAttribute('data-drawn'));
    const zoom = await page.evaluate(() => window.tiesExplorer.cy.zoom());
    assert.ok(zoom <= 1.5, 'zoom of a five-entity view: ' + zoom);
    await shot('explore-small-view');
    const count = () => page.locator('#tg-entities li').count();
    const n = await count();
    await page.locator('#tg-entities li[data-id="enschede"] button').first().click();
    const expand = page.locator('#tg-details').getByRole('button', { name: 'Expand' });
    await expand.waitFor();
    assert.equal(await count(), n, 'a click in the list expands nothing');
    await expand.click();
    await page.locator('#tg-status', { hasText: 'Expanded Enschede' }).waitFor();
    assert.ok(await count() > n, 'Expand adds Enschede\'s neighbours');
  });

  // 7d. As recorded at: a fact changed after the page loaded is drawn as
  // it was when the view is asked for an earlier instant, its details and
  // export say the same, and an instant older than the service's history
  // is explained.
  await step('as recorded at', async () => {
    await mutate(`mutation {
  e: upsertEntities(input: [{id: "asof-town", type: "City", name: "Asof Town"}, {id: "asof-partner", type: "City", name: "Asof Partner"}]) { id }
  r: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "asof-town", to: "asof-partner", validFrom: "2001"}]) { id }
}`);
    const created = Date.now(); // after the commit, which the answer follows
    await page.goto(base + '/explore?focus=asof-town');
    await page.locator('#tg-entities li[data-id="asof-partner"]').waitFor();
    assert.equal(await page.locator('#tg-past').isVisible(), false, 'the present is not marked historical');
    // An instant after the fixture was written and before it changes, in
    // whole seconds as the input takes it: the next second's start.
    await page.waitForFunction((t) => Date.now() >= (Math.floor(t / 1000) + 1) * 1000 + 50, created);
    const before = await page.evaluate(() => {
      const d = new Date(Math.floor(Date.now() / 1000) * 1000), p = (n) => String(n).padStart(2, '0');
      return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
    });
    await mutate(`mutation {
  e: upsertEntities(input: [{id: "asof-partner", type: "City", name: "Asof Partner Renamed"}, {id: "asof-newcomer", type: "City", name: "Asof Newcomer"}]) { id }
  r: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "asof-town", to: "asof-newcomer"}]) { id }
}`);
    const label = (id) => page.evaluate((i) => window.tiesExplorer.cy.$id(i).data('label'), id);
    await page.reload();
    await page.locator('#tg-entities li[data-id="asof-newcomer"]').waitFor();
    assert.equal(await label('asof-partner'), 'Asof Partner Renamed', 'now: the new name');

    await page.locator('#tg-asof').fill(before);
    await page.waitForURL(/asOf=/);
    await page.locator('#tg-past').waitFor();
    await page.waitForFunction(() => !window.tiesExplorer.cy.$id('asof-newcomer').length);
    assert.equal(await label('asof-partner'), 'Asof Partner', 'drawn as recorded then');
    assert.equal(await page.locator('#tg-entities li[data-id="asof-newcomer"]').count(), 0, 'the later relation is not listed');
    assert.match(await page.locator('#tg-entities li[data-id="asof-partner"]').innerText(), /^Asof Partner \(City\)/);
    assert.equal(await page.locator('#tg-asof-now').isEnabled(), true);
    await page.locator('#tg-entities li[data-id="asof-partner"] button').first().click();
    await page.locator('#tg-details h3').getByText('Asof Partner', { exact: true }).waitFor();
    await shot('explore-asof');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#tg-ndjson').click()]);
    const file = path.join(artifacts, 'export-asof.ndjson');
    await dl.saveAs(file);
    const dump = await fs.readFile(file, 'utf8');
    assert.match(dump, /"name":"Asof Partner"/, 'the export is of the same instant');
    assert.doesNotMatch(dump, /Renamed|asof-newcomer/, 'the export is of the same instant');
    // A bookmark keeps the instant.
    await page.reload();
    await page.locator('#tg-entities li[data-id="asof-partner"]').waitFor();
    // The input drops the seconds of a whole minute ("12:36" for "12:36:00").
    const kept = await page.locator('#tg-asof').inputValue();
    assert.ok(await page.evaluate(([a, b]) => new Date(a).getTime() === new Date(b).getTime(), [kept, before]), 'the bookmark keeps the instant: ' + kept + ', not ' + before);
    assert.equal(await label('asof-partner'), 'Asof Partner', 'the bookmarked view is of the same instant');

    // Older than the history kept (30 days by default): explained.
    await page.locator('#tg-asof').fill('2001-01-01T00:00:00');
    const problem = page.locator('#tg-past[data-problem="history"]');
    await problem.waitFor();
    assert.match(await problem.innerText(), /keeps its history for 30 days only.*oldest time it can show is/);
    assert.equal(await page.locator('#tg-entities li').count(), 0, 'nothing is drawn for an instant it cannot show');

    await page.locator('#tg-asof-now').click();
    await page.locator('#tg-entities li[data-id="asof-newcomer"]').waitFor();
    assert.equal(await label('asof-partner'), 'Asof Partner Renamed', 'back to now');
    assert.equal(await page.locator('#tg-past').isVisible(), false, 'the present is not marked historical');
    assert.doesNotMatch(page.url(), /asOf=/);
  });

  // 7e. As recorded at, paths and filters too: a route deleted after the
  // page loaded is found at an earlier instant, with the entities' names
  // of then, and the type filters are read again for that instant (the
  // service has no admin key here to define a type with; the graph tests
  // show the ontology of then).
  await step('paths and filters as recorded at', async () => {
    const made = await mutate(`mutation {
  e: upsertEntities(input: [{id: "asof-route-a", type: "City", name: "Asof Route Start"},
    {id: "asof-route-m", type: "City", name: "Asof Route Middle"}, {id: "asof-route-b", type: "City", name: "Asof Route End"}]) { id }
  r: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "asof-route-a", to: "asof-route-m"},
    {type: "SISTER_CITY_OF", from: "asof-route-m", to: "asof-route-b"}]) { id fromId toId }
}`);
    const created = Date.now(); // after the commit, which the answer follows
    const second = made.r.find((r) => r.fromId === 'asof-route-b' || r.toId === 'asof-route-b').id;
    await page.goto(base + '/explore?focus=asof-route-a&to=asof-route-b');
    const hops = page.locator('#tg-paths ol.tg-hops > li');
    await hops.nth(1).waitFor();
    // The next second's start: after the fixture, before it changes.
    await page.waitForFunction((t) => Date.now() >= (Math.floor(t / 1000) + 1) * 1000 + 50, created);
    const before = await page.evaluate(() => {
      const d = new Date(Math.floor(Date.now() / 1000) * 1000), p = (n) => String(n).padStart(2, '0');
      return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
    });
    await mutate(`mutation {
  d: deleteRelations(ids: ["${second}"])
  r: upsertRelations(input: [{type: "FRIENDLY_COOPERATIVE_CITY_OF", from: "asof-route-a", to: "asof-route-b"}]) { id }
  e: upsertEntities(input: [{id: "asof-route-m", type: "City", name: "Asof Route Middle Renamed"}]) { id }
}`);
    const hopTypes = () => hops.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-type')));
    const direct = '#tg-paths ol.tg-hops > li[data-type="FRIENDLY_COOPERATIVE_CITY_OF"]';
    await page.reload();
    await page.locator(direct).waitFor();
    assert.deepEqual(await hopTypes(), ['FRIENDLY_COOPERATIVE_CITY_OF'], 'now: the one hop added');

    const types = page.waitForRequest((req) => {
      const body = req.method() === 'POST' && req.postDataJSON();
      return body && /ontology\(asOf: \$asOf\)/.test(body.query) && !!(body.variables && body.variables.asOf);
    });
    await page.locator('#tg-asof').fill(before);
    await types;
    await page.waitForURL(/asOf=/);
    await page.locator('#tg-past').waitFor();
    await hops.nth(1).waitFor();
    assert.deepEqual(await hopTypes(), ['SISTER_CITY_OF', 'SISTER_CITY_OF'], 'then: the route deleted since');
    await page.locator('#tg-paths strong', { hasText: 'Asof Route Middle' }).first().waitFor();
    assert.doesNotMatch(await page.locator('#tg-paths').innerText(), /Renamed|FRIENDLY/, 'then: the names and relations of then');
    assert.equal(await page.evaluate(() => window.tiesExplorer.cy.$id('asof-route-m').data('label')), 'Asof Route Middle', 'drawn with its name of then');
    assert.equal(await page.locator('#tg-rtypes input[value="SISTER_CITY_OF"]').count(), 1, 'then: the types of then are filters');
    await shot('explore-asof-path');

    await page.locator('#tg-asof-now').click();
    await page.locator(direct).waitFor();
    assert.deepEqual(await hopTypes(), ['FRIENDLY_COOPERATIVE_CITY_OF'], 'back to now');
  });

  // 7f. A bookmark of a view older than the service's history: the strip
  // says why nothing is drawn, how long the history is, and shows the
  // present in one click; meanwhile the type filters list the types of
  // now, said to be so, with the bookmark's choice kept.
  await step('a bookmark older than the history', async () => {
    await page.goto(base + '/explore?focus=enschede&types=SISTER_CITY_OF&asOf=2001-01-01T00:00:00.000Z');
    const problem = page.locator('#tg-past[data-problem="history"]');
    await problem.waitFor();
    assert.match(await problem.innerText(), /cannot show the graph as recorded at .*2001.*keeps its history for 30 days only.*oldest time it can show is/s);
    assert.equal(await page.locator('#tg-entities li').count(), 0, 'nothing is drawn for an instant it cannot show');
    await page.locator('#tg-type-filters > summary').click();
    const note = page.locator('#tg-types-note');
    await note.waitFor();
    assert.match(await note.innerText(), /types as recorded at .*2001.* cannot be read.*types as they are now/s);
    assert.ok(await page.locator('#tg-rtypes input').count() > 3, 'the relation types of now are listed');
    assert.ok(await page.locator('#tg-etypes input[value="City"]').count() === 1, 'the entity types of now are listed');
    assert.equal(await page.locator('#tg-rtypes input[value="SISTER_CITY_OF"]').isChecked(), true, "the bookmark's type is chosen");
    await shot('explore-beyond-history');

    await problem.getByRole('button', { name: 'Show now' }).click();
    await page.locator('#tg-entities li[data-id="dalian"]').waitFor();
    assert.equal(await page.locator('#tg-past').isVisible(), false, 'the present is not marked historical');
    assert.equal(await note.isVisible(), false, 'the filters are of now, as the view');
    assert.doesNotMatch(page.url(), /asOf=/);
    assert.match(page.url(), /types=SISTER_CITY_OF/, "the bookmark's type filter is kept");
    const types = await page.locator('#tg-relations li').evaluateAll((ls) => [...new Set(ls.map((l) => l.getAttribute('data-type')))]);
    assert.deepEqual(types, ['SISTER_CITY_OF'], 'drawn with the filter');
  });

  // 8. The README's path query in GraphiQL: three hops in the Graph panel.
  await step('GraphiQL path query', async () => {
    const q = `{
  path(from: "enschede", to: "tesla-motors") {
    length
    nodes { id name type }
    edges { type fromId toId sources { excerpt locator } }
  }
}`;
    await page.goto(base + '/?query=' + encodeURIComponent(q));
    await page.locator('.graphiql-execute-button').click();
    const panel = page.locator('[data-testid="graph-plugin"]');
    await panel.locator('[data-testid="relation-list"] li').nth(2).waitFor();
    assert.equal(await panel.locator('[data-testid="relation-list"] li').count(), 3, 'three relations drawn');
    assert.equal(await panel.locator('[data-testid="entity-list"] li').count(), 4, 'four entities drawn');
    await panel.locator('[data-testid="relation-list"] li', { hasText: 'LOCATED_IN' }).locator('button').click();
    await panel.getByText('located in Silicon Valley', { exact: false }).first().waitFor();
    await shot('playground-path-graph');
  });

  // 8a. An entity asked for without its id, with its neighbours'
  // relations (whose ends name it): one node, under its name, not one of
  // its name beside one of its id.
  await step('GraphiQL entity without its id', async () => {
    const q = '{ entity(id: "dalian") { name neighbors(first: 50) { edges { node { id name } relation { id type fromId toId } } } } }';
    await page.goto(base + '/?query=' + encodeURIComponent(q));
    await page.locator('.graphiql-execute-button').click();
    const panel = page.locator('[data-testid="graph-plugin"]');
    await panel.locator('[data-testid="entity-list"] li[data-id="enschede"]').waitFor();
    assert.equal(await panel.locator('[data-testid="entity-list"] li[data-id="dalian"]').innerText(), 'Dalian', 'Dalian drawn under its id, named');
    assert.deepEqual(await panel.locator('[data-testid="entity-list"] li').evaluateAll((ls) => ls.map((l) => l.textContent).filter((t) => t === 'Dalian' || t === 'dalian')),
      ['Dalian'], 'one Dalian');
    const rel = panel.locator('[data-testid="relation-list"] li', { hasText: 'Enschede' }).first();
    assert.match(await rel.innerText(), /Dalian/, "a relation's end is named");
  });

  // 8b. The playground's opening query (Enschede's partners, asked for
  // without ids on the relations) is drawn as Enschede's star.
  await step('GraphiQL opening query', async () => {
    await page.goto(base + '/');
    await page.waitForURL(/\?query=/);
    await page.locator('.graphiql-execute-button').click();
    const panel = page.locator('[data-testid="graph-plugin"]');
    await panel.locator('[data-testid="relation-list"] li', { hasText: 'SISTER_CITY_OF Dalian' }).first().waitFor();
    await panel.locator('[data-testid="entity-list"] li', { hasText: 'Enschede' }).first().waitFor();
    await shot('playground-opening-query');
  });

  // 8b2. On a 1024x700 screen with the Graph panel open, the editor, the
  // result and the drawing are each whole on screen, none over another,
  // and the editor takes and runs a query.
  await step('GraphiQL at 1024x700', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await page.goto(base + '/');
      await page.waitForURL(/\?query=/);
      await page.locator('.graphiql-execute-button').click();
      const panel = page.locator('[data-testid="graph-plugin"]');
      await panel.locator('[data-testid="entity-list"] li', { hasText: 'Enschede' }).first().waitFor();
      await shot('playground-1024x700');
      const box = await layoutBoxes(stackedParts, 1024, 700);
      for (const [name, w, h] of [['editor', 320, 150], ['result', 320, 150], ['graph', 300, 250]]) {
        assert.ok(box[name].width >= w && box[name].height >= h, name + ' is at least ' + w + 'x' + h + ': ' + JSON.stringify(box[name]));
      }
      // The editor is usable: a query typed in runs.
      await page.locator('.graphiql-query-editor .graphiql-editor').first().click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText('{ layoutCheck: entity(id: "dalian") { name } }');
      await page.locator('.graphiql-execute-button').click();
      await page.locator('.graphiql-response').getByText('layoutCheck').first().waitFor();
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  // 8b3. There, the split between the editor and the result drags, by
  // pointer and by arrow keys, and is kept for the next visit; the parts
  // stay whole on screen and apart, and GraphiQL's side-by-side split is
  // left as it was.
  await step('GraphiQL stacked split', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    const parts = Object.assign({ split: '.tg-stack-split' }, stackedParts);
    const open = async () => {
      await page.locator('.graphiql-execute-button').click();
      await page.locator('[data-testid="graph-plugin"] [data-testid="entity-list"] li', { hasText: 'Enschede' }).first().waitFor();
    };
    try {
      await page.goto(base + '/');
      await page.waitForURL(/\?query=/);
      const sideways = await page.evaluate(() => localStorage.getItem('graphiql:editorFlex'));
      await open();
      const split = page.getByRole('separator', { name: 'Editor and result height' });
      await split.waitFor();
      assert.equal(await split.getAttribute('aria-valuenow'), '50', 'an even split at first');
      assert.equal(await split.getAttribute('tabindex'), '0', 'the split is in the tab order');
      const before = await layoutBoxes(parts, 1024, 700);

      // Dragged down 90 pixels: the editor grows by as much, the result
      // moves down and shrinks.
      const at = before.split;
      await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2);
      await page.mouse.down();
      await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2 + 90, { steps: 6 });
      await page.mouse.up();
      const dragged = await layoutBoxes(parts, 1024, 700);
      const moved = (name, key) => dragged[name][key] - before[name][key];
      assert.ok(Math.abs(moved('editor', 'height') - 90) <= 3, 'the editor is 90 pixels taller: ' + JSON.stringify([before.editor, dragged.editor]));
      for (const name of ['tools', 'split', 'result']) {
        assert.ok(Math.abs(moved(name, 'y') - 90) <= 3, name + ' moved 90 pixels down: ' + JSON.stringify([before[name], dragged[name]]));
      }
      assert.ok(Math.abs(moved('result', 'height') + 90) <= 3, 'the result is 90 pixels shorter: ' + JSON.stringify([before.result, dragged.result]));
      const now = Number(await split.getAttribute('aria-valuenow'));
      assert.ok(now > 55 && now < 85, 'aria-valuenow follows the drag: ' + now);

      // Three presses of the up arrow on the focused split: 15 points less.
      await split.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
      assert.equal(Number(await split.getAttribute('aria-valuenow')), now - 15, 'the arrow keys move the split');
      const keyed = await layoutBoxes(parts, 1024, 700);
      assert.ok(keyed.editor.height < dragged.editor.height - 40 && keyed.result.height > dragged.result.height + 40,
        'the editor gave height to the result: ' + JSON.stringify([dragged.editor, keyed.editor, dragged.result, keyed.result]));

      // Kept for the next visit, and apart from the side-by-side split.
      await page.reload();
      await open();
      assert.equal(Number(await split.getAttribute('aria-valuenow')), now - 15, 'the split is kept');
      const kept = await layoutBoxes(parts, 1024, 700);
      assert.ok(Math.abs(kept.editor.height - keyed.editor.height) <= 2, 'the editor keeps its height: ' + JSON.stringify([keyed.editor, kept.editor]));
      assert.equal(await page.evaluate(() => localStorage.getItem('graphiql:editorFlex')), sideways, "GraphiQL's side-by-side split is untouched");
      await shot('playground-1024x700-split');
    } finally {
      await page.evaluate(() => localStorage.removeItem('ties:stackedEditorShare'));
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  // 8c. The change feed runs in GraphiQL as a subscription: a change
  // committed while it runs shows in the result pane.
  await step('GraphiQL subscription', async () => {
    const q = 'subscription { changes(kinds: [ENTITY]) { op kind id principal } }';
    await page.goto(base + '/?query=' + encodeURIComponent(q));
    const [stream] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/query') && (r.request().headers()['accept'] || '').includes('text/event-stream')),
      page.locator('.graphiql-execute-button').click(),
    ]);
    assert.match(stream.headers()['content-type'] || '', /text\/event-stream/, 'the subscription runs over SSE');
    // The stream answers before the service has surely taken its place
    // in the log, so the change is made again until one shows.
    const seen = page.locator('.graphiql-response').getByText('subscription-test-city').first();
    for (let i = 0; ; i++) {
      const status = await page.evaluate(async (n) => {
        const r = await fetch('/query', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ query: `mutation { upsertEntities(input: [{id: "subscription-test-city", type: "City", name: "Subscription Test City ${n}"}]) { id } }` }),
        });
        return r.status;
      }, i);
      assert.equal(status, 200, 'the mutation is accepted');
      try {
        await seen.waitFor({ timeout: 3000 });
        break;
      } catch (e) {
        if (i >= 10) throw e;
      }
    }
    await shot('playground-subscription');
  });

  // 8d. A large result in the Graph panel is drawn as a large view (plain
  // straight edges), and the page keeps answering.
  if (process.env.BENCH_FOCUS) {
    await step('GraphiQL large result', async () => {
      const q = `{ neighborhood(id: "${process.env.BENCH_FOCUS}") { nodeLink } }`;
      await page.goto(base + '/?query=' + encodeURIComponent(q));
      await page.locator('.graphiql-execute-button').click();
      const panel = page.locator('[data-testid="graph-plugin"]');
      await panel.locator('.tg-summary', { hasText: '500 entities' }).waitFor();
      await shot('playground-large-result');
    });
  }

  // 9. A refusal is said plainly: a 401 from the service shows in the banner.
  await step('refusal', async () => {
    await page.route('**/query', (route) => route.fulfill({
      status: 401, contentType: 'application/json',
      body: JSON.stringify({ errors: [{ message: 'missing API key', extensions: { code: 'UNAUTHENTICATED' } }] }),
    }));
    await page.goto(base + '/explore?focus=enschede');
    await page.getByRole('alert').getByText('needs a valid API key').waitFor();
    await page.unroute('**/query');
    // The key pasted is sent as a bearer token.
    await page.locator('#tg-key').fill('test-key-123');
    const [req] = await Promise.all([page.waitForRequest('**/query'), page.locator('#tg-key-form button').click()]);
    assert.equal(req.headers()['authorization'], 'Bearer test-key-123');
    await page.evaluate(() => sessionStorage.clear());
  });

  // 9a. A service that does not answer is said to, in plain words.
  await step('unreachable', async () => {
    await page.route('**/query', (route) => route.abort('connectionrefused'));
    await page.goto(base + '/explore?focus=enschede');
    await page.locator('#tg-status', { hasText: 'The service did not answer' }).waitFor();
    await page.unroute('**/query');
  });

  // 9b. In the playground, a key pasted after the page opened without one
  // fetches the schema that was refused, for the docs and completion.
  await step('GraphiQL schema after the key', async () => {
    await page.route('**/query', (route) => {
      const headers = route.request().headers();
      if (!headers['authorization']) {
        return route.fulfill({
          status: 401, contentType: 'application/json',
          body: JSON.stringify({ errors: [{ message: 'missing API key', extensions: { code: 'UNAUTHENTICATED' } }] }),
        });
      }
      delete headers['authorization']; // the service itself has no keys
      return route.continue({ headers });
    });
    await page.goto(base + '/');
    await page.getByRole('alert').getByText('needs a valid API key').waitFor();
    await page.locator('#tg-key').fill('test-key-123');
    await page.locator('#tg-key-form button').click();
    await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
    await page.locator('.graphiql-plugin').getByText('Root Types').waitFor();
    await shot('playground-docs-after-key');
    await page.unroute('**/query');
    await page.evaluate(() => sessionStorage.clear());
  });

  // 10. Time to first drawing of a 500-entity neighbourhood.
  if (process.env.BENCH_FOCUS) {
    await step('500-entity neighbourhood', async () => {
      // Wall-clock figures depend on how loaded the machine is; the main
      // thread's CPU time (Chrome's ThreadTime) much less, so both are kept.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime').value;
      const runs = [];
      for (let i = 0; i < 3; i++) {
        await page.goto(base + '/explore');
        await page.waitForFunction(() => window.tiesExplorer && window.tiesExplorer.started());
        const before = await threadTime();
        await page.evaluate((id) => window.tiesExplorer.focus(id), process.env.BENCH_FOCUS);
        await page.waitForFunction(() => window.tiesTiming && window.tiesTiming.first, null, { polling: 10 });
        const cpuMs = Math.round((await threadTime() - before) * 1000);
        runs.push(Object.assign({ cpuMs }, await page.evaluate(() => window.tiesTiming.first)));
      }
      assert.equal(runs[0].entities, 500, 'entities drawn');
      results.bench = runs;
      await shot('explore-500');
    });
  }
  // 11. Expanding a hub from one of its neighbours adds at most 200
  // entities, and the status says how many it has.
  if (process.env.BENCH_FOCUS) {
    await step('expanding a hub is bounded', async () => {
      const hub = process.env.BENCH_FOCUS;
      await page.goto(base + '/explore?focus=' + hub);
      const leaf = page.locator('#tg-entities li:not([data-id="' + hub + '"])').first();
      await leaf.waitFor();
      await leaf.getByRole('button', { name: /^Focus / }).click();
      await page.locator('#tg-entities li[data-id="' + hub + '"]').waitFor();
      await page.waitForFunction((h) => window.tiesExplorer.state.focus !== h && document.querySelectorAll('#tg-entities li').length < 10, hub);
      // A click only shows; a double-click in the list expands.
      await page.locator('#tg-entities li[data-id="' + hub + '"] button').first().dblclick();
      await page.locator('#tg-status', { hasText: '200 of its 499 neighbours' }).waitFor();
      const drawn = await page.evaluate(() => window.tiesExplorer.cy.nodes().length);
      assert.ok(drawn <= 203, 'entities drawn after the expansion: ' + drawn);
      // The focus of a two-hop view (the leaf, the hub, the hub's other
      // neighbours) expands by one hop, counted as such: nothing is cut.
      const focus = await page.evaluate(() => window.tiesExplorer.state.focus);
      await page.locator('#tg-depth').selectOption('2');
      await page.locator('#tg-status', { hasText: /: 500 entities/ }).waitFor();
      await page.locator('#tg-entities li[data-id="' + focus + '"] button').first().press('Enter');
      await page.locator('#tg-status', { hasText: 'Expanded' }).waitFor();
      assert.match(await page.locator('#tg-status').innerText(), /: 0 new entities/, 'expanding the focus of a two-hop view');
      await shot('explore-hub-expanded');
    });
  }
  // 12a. A source with a web address and no excerpt: the address is a
  // link (not followed here), nothing is quoted, and only http(s) links.
  await step('a source that is a web address', async () => {
    const m = `mutation {
  e: upsertEntities(input: [{id: "twin-test-doc", type: "Document", name: "Twin register", properties: {url: "https://example.org/twins", licence: "CC0"}},
    {id: "twin-a", type: "City", name: "Twin A"}, {id: "twin-b", type: "City", name: "Twin B"}]) { id }
  r: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "twin-a", to: "twin-b", validFrom: "1952", sources: [
    {document: "twin-test-doc", locator: "https://example.org/twins#P190"},
    {document: "twin-test-doc", locator: "javascript:alert(1)"}]}]) { id }
}`;
    const status = await page.evaluate(async (q) => (await fetch('/query', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: q }),
    })).status, m);
    assert.equal(status, 200, 'the mutation is accepted');
    await page.goto(base + '/explore?focus=twin-a&to=twin-b');
    const hop = page.locator('#tg-paths ol.tg-hops > li').first();
    await hop.locator('a[href="https://example.org/twins#P190"]').waitFor();
    assert.equal(await page.locator('#tg-paths blockquote').count(), 0, 'no empty quotation');
    assert.equal(await page.locator('#tg-paths a').count(), 1, 'only the web address is a link');
    assert.equal(await hop.locator('a').getAttribute('rel'), 'noopener noreferrer');
    await page.locator('#tg-relations li[data-type="SISTER_CITY_OF"] button').click();
    await page.locator('#tg-details a[href="https://example.org/twins#P190"]').waitFor();
    assert.equal(await page.locator('#tg-details blockquote').count(), 0, 'no empty quotation in the details');
    // The register itself, from the source: its address is a link too.
    await page.locator('#tg-details').getByRole('button', { name: 'Twin register' }).first().click();
    await page.locator('#tg-details h3', { hasText: 'Twin register' }).waitFor();
    assert.equal(await page.locator('#tg-details a[href="https://example.org/twins"]').getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await page.locator('#tg-details dd', { hasText: 'CC0' }).count(), 1);
    // The slider reaches back to the twinning of 1952, and a link to
    // 1960 opens there.
    assert.equal(await page.locator('#tg-year').getAttribute('min'), '1952');
    await page.goto(base + '/explore?focus=twin-a&validAt=1960');
    await page.locator('#tg-relations li[data-type="SISTER_CITY_OF"][data-holds="true"]').waitFor();
    assert.equal(await page.locator('#tg-year').inputValue(), '1960');
  });

  // 12b. With the slider on, the view says how many of its relations are
  // undated (they hold at every date, so the slider fades none of them),
  // and says nothing with the slider off.
  await step('undated relations and the slider', async () => {
    await page.goto(base + '/explore');
    await mutate(`mutation {
  e: upsertEntities(input: [{id: "undated-hub", type: "City", name: "Undated Hub"},
    {id: "undated-a", type: "City", name: "Undated A"}, {id: "undated-b", type: "City", name: "Undated B"},
    {id: "undated-c", type: "City", name: "Dated C"}]) { id }
  r: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "undated-hub", to: "undated-a"},
    {type: "SISTER_CITY_OF", from: "undated-hub", to: "undated-b"},
    {type: "SISTER_CITY_OF", from: "undated-hub", to: "undated-c", validFrom: "1990"}]) { id }
}`);
    const note = page.locator('#tg-undated');
    await page.goto(base + '/explore?focus=undated-hub&validAt=1980');
    await page.locator('#tg-relations li[data-holds="false"]').waitFor();
    assert.equal(await note.innerText(), '2 of 3 relations in view are undated, shown at every date.');
    await page.locator('#tg-dated').uncheck();
    assert.equal(await note.isVisible(), false, 'nothing to say with the slider off');
    await page.goto(base + '/explore?focus=undated-a&validAt=1980');
    await page.locator('#tg-relations li[data-holds="true"]').waitFor();
    assert.equal(await note.innerText(), 'The relation in view is undated: it is shown at every date.');
  });

  // 12c. In a view of twinnings most relations join two of the focus's
  // partners: the status counts the focus's own apart, and the side list
  // gives them first, named from the focus, whichever way each is stored.
  await step("a focus's own relations first", async () => {
    await page.goto(base + '/explore');
    await mutate(`mutation {
  e: upsertEntities(input: [{id: "own-hub", type: "City", name: "Own Hub"}, {id: "own-a", type: "City", name: "Own A"},
    {id: "own-b", type: "City", name: "Own B"}, {id: "own-c", type: "City", name: "Own C"}]) { id }
  r: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "own-hub", to: "own-a"}, {type: "SISTER_CITY_OF", from: "own-hub", to: "own-b"},
    {type: "SISTER_CITY_OF", from: "own-c", to: "own-hub"}, {type: "SISTER_CITY_OF", from: "own-a", to: "own-b"},
    {type: "SISTER_CITY_OF", from: "own-b", to: "own-c"}]) { id }
}`);
    await page.goto(base + '/explore?focus=own-hub');
    await page.locator('#tg-status', { hasText: 'Own Hub: 4 entities, 5 relations (3 with Own Hub itself).' }).waitFor();
    assert.deepEqual(await page.locator('#tg-relations li button').allInnerTexts(), [
      'Own Hub SISTER_CITY_OF Own A', 'Own Hub SISTER_CITY_OF Own B', 'Own Hub SISTER_CITY_OF Own C',
      'Own A SISTER_CITY_OF Own B', 'Own B SISTER_CITY_OF Own C',
    ]);
  });

  // 12d. A bookmarked path names its end, in the "To" box and in the
  // answer, though the end is not in view.
  await step('a bookmarked path names its end', async () => {
    await page.goto(base + '/explore');
    await mutate('mutation { upsertEntities(input: [{id: "lonely-town", type: "City", name: "Lonely Town"}]) { id } }');
    await page.goto(base + '/explore?focus=enschede&to=lonely-town');
    await page.locator('#tg-paths p', { hasText: 'No path from Enschede to Lonely Town within 6 relations.' }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'To' }).inputValue(), 'Lonely Town');
  });

  // 12. Two entities of one name are told apart in the search list.
  await step('search hits of one name', async () => {
    const status = await page.evaluate(async () => (await fetch('/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { upsertEntities(input: [{id: "dalian-twin-test", type: "City", name: "Dalian"}]) { id } }' }),
    })).status);
    assert.equal(status, 200, 'the mutation is accepted');
    await page.goto(base + '/explore');
    await page.getByRole('combobox', { name: 'Entity' }).fill('Dalian');
    await page.locator('#tg-hits li[data-id="dalian-twin-test"]', { hasText: 'dalian-twin-test' }).waitFor();
    assert.match(await page.locator('#tg-hits li[data-id="dalian"]').innerText(), /· dalian$/);
    assert.doesNotMatch(await page.locator('#tg-hits li', { hasText: 'China' }).first().innerText(), /· china$/, 'a name found once shows no id');
    // Each hit says how many relations it has, as the service counts them.
    const degree = await page.evaluate(async () => (await (await fetch('/query', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: '{ entity(id: "dalian") { degree } }' }),
    })).json()).data.entity.degree);
    assert.ok(degree > 1, 'Dalian has relations: ' + degree);
    assert.match(await page.locator('#tg-hits li[data-id="dalian"]').innerText(), new RegExp('^Dalian City · ' + degree + ' relations · dalian$'));
    assert.match(await page.locator('#tg-hits li[data-id="dalian-twin-test"]').innerText(), /^Dalian City · no relations · dalian-twin-test$/);
  });
  assert.deepEqual(pageErrors, [], 'no script errors');
  assert.deepEqual(consoleProblems, [], 'no console warnings or errors');
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
}
if (outside.length) {
  failed = true;
  console.error('requests outside the service (blocked): ' + outside.join(', '));
}
console.log(JSON.stringify(results));
process.exit(failed ? 1 : 0);

// around answers the ids of neighborhood(id, depth, validAt, types), asked
// of the service from the page.
async function around(id, depth, validAt, types) {
  return (await pageOf.evaluate(async (v) => {
    const r = await fetch('/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        query: 'query($id: ID!, $depth: Int, $validAt: Date, $types: [String!]) { neighborhood(id: $id, depth: $depth, validAt: $validAt, types: $types, limit: 2000) { nodes { id } } }',
        variables: v,
      }),
    });
    return (await r.json()).data.neighborhood.nodes.map((n) => n.id);
  }, { id, depth, validAt, types: types || null }));
}

// layoutBoxes answers the boxes of parts (name: selector), having checked
// that each is shown whole in a width x height page and that no two
// overlap.
async function layoutBoxes(parts, width, height) {
  const box = {};
  for (const [name, sel] of Object.entries(parts)) {
    box[name] = await pageOf.locator(sel).first().boundingBox();
    assert.ok(box[name], name + ' is shown');
    const b = box[name];
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height, name + ' is whole on screen: ' + JSON.stringify(b));
  }
  const names = Object.keys(box);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = box[names[i]], b = box[names[j]];
      const apart = a.x + a.width <= b.x + 0.5 || b.x + b.width <= a.x + 0.5 || a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5;
      assert.ok(apart, names[i] + ' and ' + names[j] + ' overlap: ' + JSON.stringify([a, b]));
    }
  }
  return box;
}

// mutate sends a GraphQL mutation from the page and fails on any error.
async function mutate(q) {
  const body = await pageOf.evaluate(async (q) => (await fetch('/query', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: q }),
  })).json(), q);
  assert.ok(body.data && !body.errors, 'the mutation is accepted: ' + JSON.stringify(body.errors));
  return body.data;
}

// nodePoint answers where on the page the explorer draws an entity, for
// the mouse.
async function nodePoint(id) {
  const box = await pageOf.locator('#tg-canvas').boundingBox();
  const at = await pageOf.evaluate((i) => window.tiesExplorer.cy.$id(i).renderedPosition(), id);
  return [box.x + at.x, box.y + at.y];
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    e.message = name + ': ' + e.message;
    throw e;
  }
  console.error(`ok ${name} (${Date.now() - t0} ms)`);
}
