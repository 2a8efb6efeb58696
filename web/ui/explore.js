// explore.js: the explorer at /explore. It uses only the public API
// (search, neighborhood, entity, relation, paths, ontology, stats and
// /export, each at the view's recorded instant),
// keeps the view in the URL so that it can be bookmarked, and lists what
// is drawn in the side panel for keyboards and screen readers.
(function () {
  'use strict';
  var TG = TiesGraph, el = TG.el;
  var $ = function (id) { return document.getElementById(id); };

  // The view, as in the URL: /explore?focus=enschede&depth=2&validAt=2012&types=SISTER_CITY_OF
  // and asOf=2026-12-07T12:00:00.000Z for the graph as recorded then.
  var sp = new URLSearchParams(location.search);
  var state = {
    focus: sp.get('focus') || '',
    depth: sp.get('depth') === '2' ? 2 : 1,
    layout: sp.get('layout') === 'concentric' ? 'concentric' : 'force',
    validAt: /^\d{4}/.test(sp.get('validAt') || '') ? sp.get('validAt').slice(0, 4) : '',
    types: list(sp.get('types')),
    entityTypes: list(sp.get('entityTypes')),
    to: sp.get('to') || '',
    k: parseInt(sp.get('k') || '1', 10) || 1,
    asOf: instant(sp.get('asOf')),
  };
  // instant answers an RFC 3339 time as the service reads it, or '' for
  // none or one the browser cannot read.
  function instant(s) {
    var t = s ? new Date(s) : null;
    return t && !isNaN(t.getTime()) ? t.toISOString() : '';
  }
  function list(s) { return s ? s.split(',').filter(Boolean) : []; }
  function writeURL() {
    var q = new URLSearchParams();
    if (state.focus) q.set('focus', state.focus);
    if (state.depth !== 1) q.set('depth', String(state.depth));
    if (state.layout !== 'force') q.set('layout', state.layout);
    if (state.validAt) q.set('validAt', state.validAt);
    if (state.types.length) q.set('types', state.types.join(','));
    if (state.entityTypes.length) q.set('entityTypes', state.entityTypes.join(','));
    if (state.to) q.set('to', state.to);
    if (state.k !== 1) q.set('k', String(state.k));
    if (state.asOf) q.set('asOf', state.asOf);
    var s = q.toString().replace(/%2C/g, ',');
    history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
  }

  // Messages: refusals go to the banner (they need the user to act), the
  // rest to the status line.
  function fail(err) {
    if (err && err.refused) { say(err.message); status(''); } else status(err && err.message ? err.message : String(err));
  }
  // failAt is fail for the reads at the view's instant: one older than the
  // service's history is explained, with the way back to now.
  function failAt(err) {
    if (state.asOf && beyond(err)) return beyondHistory();
    fail(err);
  }
  function beyond(err) { return !!err && err.code === 'INVALID_ARGUMENT' && err.field === 'asOf'; }
  function say(msg) { $('tg-banner').textContent = msg; $('tg-banner').hidden = !msg; }
  function status(msg) { $('tg-status').textContent = msg; $('tg-status').removeAttribute('data-problem'); }
  function call(q, vars) {
    return TG.query(q, vars).then(function (d) { say(''); return d; });
  }

  // The key bar.
  var keyInput = $('tg-key');
  keyInput.value = TG.key.get();
  function keyState() { $('tg-key-state').textContent = TG.key.get() ? 'key set for this tab' : 'no key'; }
  keyState();
  $('tg-key-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    TG.key.set(keyInput.value.trim());
    keyState();
    say('');
    start();
  });

  var cy = TG.newGraph($('tg-canvas'));
  var ontology = { symmetric: new Set(), relationTypes: [], entityTypes: [] };
  var entities = new Map(); // id -> {id, type, name}
  var relations = new Map(); // id -> {id, type, fromId, toId, validFrom, validTo}
  var full = new Map(); // id -> the entity or relation with every field, once fetched
  var expanded = new Set(); // entities whose neighbours were added by expanding them
  var onPath = new Set(); // relations of the paths drawn
  var loaded = new Set(); // entities of the focus's neighbourhood, as load drew it
  var timing = window.tiesTiming = { draws: 0 };

  var detailFields = 'validFrom validTo properties sources { excerpt locator confidence document { id name } }';
  var Q = {
    // Every read of the view takes the view's asOf (null: now), the
    // types of the filters and the paths too.
    ontology: 'query Ontology($asOf: DateTime) { ontology(asOf: $asOf) { entityTypes { name parent } relationTypes { name symmetric } } }',
    search: 'query Search($text: String!, $asOf: DateTime) { search(text: $text, first: 10, asOf: $asOf) { entity { id name type degree } } }',
    neighborhood: 'query View($id: ID!, $depth: Int, $types: [String!], $entityTypes: [String!], $limit: Int, $asOf: DateTime) {' +
      ' neighborhood(id: $id, depth: $depth, types: $types, entityTypes: $entityTypes, limit: $limit, asOf: $asOf) { truncated nodeLink } }',
    neighbors: 'query Neighbors($id: ID!, $types: [String!], $entityTypes: [String!], $asOf: DateTime) { entity(id: $id, asOf: $asOf) {' +
      ' neighbors(distinct: true, first: 0, types: $types, entityTypes: $entityTypes) { totalCount } } }',
    entity: 'query Entity($id: ID!, $asOf: DateTime) { entity(id: $id, asOf: $asOf) { id type name description aliases ' + detailFields + ' } }',
    relation: 'query Relation($id: ID!, $asOf: DateTime) { relation(id: $id, asOf: $asOf) { id type fromId toId ' + detailFields + ' } }',
    horizon: '{ stats { asOfFrom } }',
    paths: 'query Paths($from: ID!, $to: ID!, $k: Int, $asOf: DateTime) { paths(from: $from, to: $to, k: $k, asOf: $asOf) { length' +
      ' nodes { id name type } edges { id type fromId toId ' + detailFields + ' } } }',
  };

  function nameOf(id) { var e = entities.get(id) || full.get('e:' + id); return (e && e.name) || id; }

  // merge adds a nodeLink subgraph to the view; ring is the distance of
  // new entities from the focus, for the concentric layout.
  function merge(nl, ring) {
    var add = [];
    var bulk = entities.size + (nl.nodes || []).length > 200;
    (nl.nodes || []).forEach(function (n) {
      if (entities.has(n.id)) return;
      entities.set(n.id, n);
      var e = TG.entityElement(n);
      e.data.ring = ring(n.id);
      add.push(e);
    });
    (nl.links || []).forEach(function (l) {
      // A link's id is its key, as NetworkX's multigraphs name it.
      var id = l.key !== undefined ? l.key : l.id;
      if (relations.has(id)) return;
      var r = { id: id, type: l.type, fromId: l.source, toId: l.target, validFrom: l.validFrom || null, validTo: l.validTo || null };
      if (ontology.symmetric.has(r.type)) r.undirected = true;
      relations.set(r.id, r);
      add.push(TG.relationElement(r, bulk));
    });
    return add;
  }

  // The side lists are rebuilt on every change, which would drop the
  // keyboard focus of someone working through them: the button it was on
  // (entity or relation, and which of its buttons) is noted before, and
  // focused again in the new list when that entity or relation is still
  // there and the keyboard has not moved on.
  var refocus = null;
  function noteFocus() {
    var a = document.activeElement, li = a && a.closest && a.closest('#tg-entities li, #tg-relations li');
    if (!li) return;
    refocus = { list: li.parentNode.id, id: li.getAttribute('data-id'), i: Array.prototype.indexOf.call(li.querySelectorAll('button'), a) };
  }
  function restoreFocus() {
    if (!refocus) return;
    var li = $(refocus.list).querySelector('li[data-id="' + CSS.escape(refocus.id) + '"]');
    var b = li && li.querySelectorAll('button')[refocus.i];
    refocus = null;
    // Unless the keyboard has gone elsewhere meanwhile.
    var a = document.activeElement;
    if (b && (!a || a === document.body)) b.focus();
  }

  function clear() {
    noteFocus();
    cy.elements().remove();
    entities.clear();
    relations.clear();
    expanded.clear();
    onPath.clear();
    $('tg-details').replaceChildren();
    $('tg-paths').replaceChildren();
    $('tg-entities').replaceChildren();
    $('tg-relations').replaceChildren();
  }

  // The most entities a view's first drawing holds, and the most one
  // expansion adds: a hub's expansion stays a drawing one can read (and
  // lay out while the page answers), and the status says what was left
  // out.
  var viewLimit = 2000, expandLimit = 200;

  function filters(v) {
    v.types = state.types.length ? state.types : null;
    v.entityTypes = state.entityTypes.length ? state.entityTypes : null;
    v.asOf = state.asOf || null;
    return v;
  }

  function neighborhood(id, depth, limit) {
    return call(Q.neighborhood, filters({ id: id, depth: depth, limit: limit }))
      .then(function (d) { return d.neighborhood; });
  }

  // neighborCount counts an entity's neighbours under the view's filters,
  // or answers null when it cannot.
  function neighborCount(id) {
    return call(Q.neighbors, filters({ id: id }))
      .then(function (d) { return d.entity ? d.entity.neighbors.totalCount : null; }, function () { return null; });
  }

  // load draws the focus's neighbourhood from scratch.
  var loadSeq = 0;
  function load() {
    writeURL();
    $('tg-from-name').textContent = state.focus ? nameOf(state.focus) : 'none';
    if (!state.focus) { clear(); render(); status('Search for an entity to start.'); return Promise.resolve(); }
    var seq = ++loadSeq, t0 = performance.now();
    status('Loading ' + state.focus + '…');
    return neighborhood(state.focus, state.depth, viewLimit).then(function (nb) {
      if (seq !== loadSeq) return;
      var t1 = performance.now();
      clear();
      var rings = ringsFrom(state.focus, nb.nodeLink);
      cy.add(merge(nb.nodeLink, function (id) { return rings.get(id); }));
      loaded = new Set(entities.keys());
      cy.$id(state.focus).addClass('focus');
      if (relations.size <= 24) cy.edges().addClass('labelled');
      var n = entities.size, rels = relations.size, t2 = performance.now(), t3;
      TG.arrange(cy, state.layout, null, function () {
        // The drawing is on screen: the figure the browser test reports.
        timing.draws++;
        var t5 = performance.now();
        timing.last = { entities: n, relations: rels, fetchMs: t1 - t0, drawMs: t5 - t1, totalMs: t5 - t0,
          addMs: t2 - t1, layoutMs: t3 - t2, frameMs: t5 - t3 };
        if (seq === loadSeq) render();
        timing.last.listMs = performance.now() - t5;
        if (!timing.first) timing.first = Object.assign({ sinceNavigationMs: t5 }, timing.last);
        document.body.setAttribute('data-drawn', String(timing.draws));
      }, function () {
        if (seq !== loadSeq) return;
        timing.last.settledMs = performance.now() - t0;
        if (timing.first && !timing.first.settledMs) timing.first.settledMs = timing.last.settledMs;
      });
      t3 = performance.now();
      render(false);
      // Most relations of a view of twinnings join two of the focus's
      // partners: the count of the focus's own is said apart, or 339 would
      // read as St Petersburg's 98 twinnings.
      var own = 0;
      relations.forEach(function (r) { if (isOwn(r)) own++; });
      status(nameOf(state.focus) + ': ' + n + ' entities, ' + rels + ' relations' +
        (own < rels ? ' (' + own + ' with ' + nameOf(state.focus) + ' itself)' : '') +
        (nb.truncated ? ' (truncated: the neighbourhood is larger)' : '') + '.');
      $('tg-from-name').textContent = nameOf(state.focus);
      // The search box names the focus, however it was reached (a link,
      // a "focus" button), unless the user is typing in it.
      if (document.activeElement !== $('tg-q')) $('tg-q').value = nameOf(state.focus);
      if (state.to) return connect();
    }).catch(function (err) {
      if (seq !== loadSeq) return;
      if (state.asOf && err.code === 'NOT_FOUND') {
        clear(); render();
        status(nameOf(state.focus) + ' was not recorded yet at ' + shownTime(state.asOf) + ': pick a later time, or "Now".');
        return;
      }
      failAt(err);
    });
  }

  // beyondHistory says why a view older than the service's history cannot
  // be drawn, how long that history is and from when it can, in the strip
  // that marks the view historical, whose button then shows the present:
  // the service keeps old versions for its history retention only
  // (ties serve --history, 30 days by default).
  function beyondHistory() {
    clear(); render();
    var asked = state.asOf;
    status('Nothing drawn: the graph as recorded at ' + shownTime(asked) + ' is older than the service\'s history.');
    return call(Q.horizon).then(function (d) { return d.stats.asOfFrom; }, function () { return null; }).then(function (from) {
      if (asked !== state.asOf) return;
      if (from) $('tg-asof').min = localInput(from);
      $('tg-past').setAttribute('data-problem', 'history');
      $('tg-past-text').textContent = 'The service cannot show the graph as recorded at ' + shownTime(asked) +
        ': it keeps its history for ' + (from ? retention(from) : 'a limited time') + ' only (its history retention)' +
        (from ? ', and the oldest time it can show is ' + shownTime(from) : '') + '. Show the graph as it is now, or pick a later time.';
      $('tg-past-now').textContent = 'Show now';
    });
  }

  // retention says how long ago the oldest readable instant is, roughly:
  // the clocks of browser and service may differ by a little.
  function retention(from) {
    var ms = Date.now() - new Date(from).getTime(), hours = ms / 3600000;
    if (hours >= 48) return Math.round(hours / 24) + ' days';
    if (hours >= 2) return Math.round(hours) + ' hours';
    return Math.max(1, Math.round(ms / 60000)) + ' minutes';
  }

  // isOwn reports whether a relation in view has the focus at one end.
  function isOwn(r) { return r.fromId === state.focus || r.toId === state.focus; }

  // ringsFrom gives each entity its distance from the focus.
  function ringsFrom(focus, nl) {
    var adj = new Map(), dist = new Map([[focus, 0]]), queue = [focus];
    (nl.links || []).forEach(function (l) {
      if (!adj.has(l.source)) adj.set(l.source, []);
      if (!adj.has(l.target)) adj.set(l.target, []);
      adj.get(l.source).push(l.target);
      adj.get(l.target).push(l.source);
    });
    while (queue.length) {
      var v = queue.shift();
      (adj.get(v) || []).forEach(function (w) { if (!dist.has(w)) { dist.set(w, dist.get(v) + 1); queue.push(w); } });
    }
    return dist;
  }

  // expand adds an entity's direct neighbours around it, at most
  // expandLimit of them.
  function expand(id) {
    status('Expanding ' + nameOf(id) + '…');
    // One hop, the focus too: its neighbours are what the cap counts.
    return neighborhood(id, 1, expandLimit + 1).then(function (nb) {
      return nb.truncated ? neighborCount(id).then(function (n) { nb.total = n; return nb; }) : nb;
    }).then(function (nb) {
      expanded.add(id);
      var at = cy.$id(id).position();
      var add = merge(nb.nodeLink, function () { return (cy.$id(id).data('ring') || 0) + 1; });
      add.forEach(function (e) {
        if (e.group === 'nodes') e.position = { x: at.x + (Math.random() - 0.5) * 80, y: at.y + (Math.random() - 0.5) * 80 };
      });
      cy.add(add);
      if (add.length) {
        var opts = TG.layout(state.layout, entities.size, state.focus);
        opts.randomize = false;
        opts.animate = entities.size > 200; // in frames, the page answering meanwhile
        opts.refresh = 5;
        cy.layout(opts).run();
      }
      render();
      var added = add.filter(function (e) { return e.group === 'nodes'; }).length;
      var msg = 'Expanded ' + nameOf(id) + ': ' + added + ' new entities; ' + entities.size + ' entities, ' + relations.size + ' relations in view.';
      if (nb.truncated) {
        msg = 'Expanded ' + nameOf(id) + ': ' + expandLimit + ' of its ' + (nb.total != null ? nb.total.toLocaleString('en') + ' ' : '') +
          'neighbours, the most one expansion adds (' + added + ' new); focus it, or filter by type, to see more. ' +
          entities.size + ' entities, ' + relations.size + ' relations in view.';
      }
      status(msg);
    }).catch(failAt);
  }

  function focus(id) {
    state.focus = id;
    state.to = '';
    load();
  }

  // select shows an entity's or a relation's details, fetched once with
  // every field and its sources. A source's document opens the same way,
  // drawn or not, with a way back to what cited it (from).
  function select(id, isRelation, from) {
    cy.elements().unselect();
    cy.$id(isRelation ? 'r:' + id : id).select();
    var cached = full.get((isRelation ? 'r:' : 'e:') + id);
    var show = function (raw) {
      var here = { id: id, isRelation: isRelation,
        name: isRelation ? raw.type + ' ' + nameOf(raw.fromId) + ' — ' + nameOf(raw.toId) : raw.name || id };
      var box = TG.details(raw, isRelation, nameOf, function (doc) { select(doc, false, here); });
      if (from) {
        box.insertBefore(el('p', {}, [el('button', { type: 'button', class: 'tg-back', text: '← Back to ' + from.name,
          onclick: function () { select(from.id, from.isRelation); } })]), box.firstChild);
      }
      if (!isRelation) {
        box.appendChild(el('p', {}, [
          el('button', { type: 'button', text: 'Expand', onclick: function () { expand(id); } }), ' ',
          el('button', { type: 'button', text: 'Focus', onclick: function () { focus(id); } }), ' ',
          el('button', { type: 'button', text: 'Path from the focus', onclick: function () { $('tg-to').value = raw.name; state.to = id; connect(); } }),
        ]));
      }
      $('tg-details').replaceChildren(box);
    };
    if (cached) { show(cached); return Promise.resolve(); }
    return call(isRelation ? Q.relation : Q.entity, { id: id, asOf: state.asOf || null }).then(function (d) {
      var raw = isRelation ? d.relation : d.entity;
      if (!raw) { status('Not found: ' + id); return; }
      if (isRelation && ontology.symmetric.has(raw.type)) raw.undirected = true;
      full.set((isRelation ? 'r:' : 'e:') + id, raw);
      show(raw);
    }).catch(failAt);
  }

  // A click only shows a node, so that one can read its facts without
  // the view growing; expanding is asked for: a double-click here, the
  // "Expand" button of the details, Enter in the side list.
  cy.on('tap', 'node', function (ev) { select(ev.target.id(), false); });
  cy.on('dbltap', 'node', function (ev) { expand(ev.target.id()); });
  cy.on('tap', 'edge', function (ev) { select(ev.target.data('raw').id, true); });

  // linkedAt answers the entities in view that the walks which built the
  // view reach through relations that held in year y: the focus's walk of
  // state.depth hops, one more hop from each entity expanded, and the
  // relations of drawn paths. Those are what the service's
  // neighborhood(validAt:) answers for the same walks; an entity whose
  // every tie in view began later or ended earlier is not among them.
  function linkedAt(y) {
    var adj = new Map();
    relations.forEach(function (r) {
      if (!TG.holdsIn(r.validFrom, r.validTo, y)) return;
      if (!adj.has(r.fromId)) adj.set(r.fromId, []);
      if (!adj.has(r.toId)) adj.set(r.toId, []);
      adj.get(r.fromId).push({ to: r.toId, id: r.id });
      adj.get(r.toId).push({ to: r.fromId, id: r.id });
    });
    // hops: the most hops the walks have left from each entity reached.
    var hops = new Map([[state.focus, state.depth]]), queue = [state.focus];
    while (queue.length) {
      var v = queue.shift(), left = hops.get(v);
      (adj.get(v) || []).forEach(function (e) {
        if (left <= 0 && !expanded.has(v) && !onPath.has(e.id)) return;
        var next = Math.max(left - 1, 0);
        if (!hops.has(e.to) || hops.get(e.to) < next) { hops.set(e.to, next); queue.push(e.to); }
      });
    }
    return hops;
  }

  // undatedNote says, while the slider is on, how many relations in view
  // have no dates: those hold at every date and never fade, and a view of
  // twinnings from Wikidata, none dated, looked as if the slider were
  // broken.
  function undatedNote(y) {
    var n = 0;
    relations.forEach(function (r) { if (!r.validFrom && !r.validTo) n++; });
    var note = $('tg-undated');
    note.hidden = y === null || n === 0;
    if (note.hidden) return;
    note.textContent = n === relations.size
      ? (n === 1 ? 'The relation in view is undated: it is shown at every date.' : 'None of the ' + n + ' relations in view is dated: all are shown at every date.')
      : n + ' of ' + relations.size + ' relations in view ' + (n === 1 ? 'is' : 'are') + ' undated, shown at every date.';
  }

  // render refreshes the legend, the fading by date and the side list.
  // withList false leaves the side list as it is, for load to build it
  // after the first drawing is on screen.
  function render(withList) {
    var y = state.validAt ? parseInt(state.validAt, 10) : null;
    var linked = y !== null && state.focus ? linkedAt(y) : null;
    var isLinked = function (id) { return !linked || linked.has(id); };
    cy.batch(function () {
      cy.edges().forEach(function (e) {
        var r = e.data('raw');
        e.toggleClass('faded', y !== null && !(TG.holdsIn(r.validFrom, r.validTo, y) && isLinked(r.fromId) && isLinked(r.toId)));
      });
      cy.nodes().forEach(function (n) { n.toggleClass('faded', !isLinked(n.id())); });
    });
    fitSlider();
    undatedNote(y);
    var types = new Set();
    entities.forEach(function (e) { types.add(e.type); });
    $('tg-legend').replaceChildren(TG.legend(Array.from(types)));
    if (withList === false) return;

    noteFocus();
    var ents = Array.from(entities.values()).sort(function (a, b) { return (a.name || a.id).localeCompare(b.name || b.id); });
    $('tg-entities').replaceChildren.apply($('tg-entities'), ents.map(function (e) {
      var holds = isLinked(e.id);
      return el('li', { 'data-id': e.id, 'data-holds': String(holds), class: holds ? '' : 'faded' }, [
        el('button', {
          type: 'button', text: (e.name || e.id) + ' (' + e.type + ')' + (holds ? '' : ' — not linked in ' + y),
          title: 'Click or Space: show; Enter or double-click: expand',
          onclick: function () { select(e.id, false); },
          ondblclick: function () { expand(e.id); },
          // Enter expands, Space (the button's click) shows: a keyboard
          // has both without leaving the list.
          onkeydown: function (ev) {
            if (ev.key !== 'Enter' || ev.repeat || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
            ev.preventDefault();
            select(e.id, false);
            expand(e.id);
          },
        }), ' ',
        el('button', { type: 'button', class: 'tg-muted', text: 'focus', 'aria-label': 'Focus ' + (e.name || e.id), onclick: function () { focus(e.id); } }),
      ]);
    }));
    // The focus's own relations first, a symmetric one named from the
    // focus, then the ones among the entities around it.
    var ends = function (r) {
      return r.undirected && r.toId === state.focus && r.fromId !== state.focus ? [r.toId, r.fromId] : [r.fromId, r.toId];
    };
    var key = function (r) { var e = ends(r); return nameOf(e[0]) + ' ' + r.type + ' ' + nameOf(e[1]); };
    var rels = Array.from(relations.values()).sort(function (a, b) {
      return (isOwn(b) - isOwn(a)) || key(a).localeCompare(key(b));
    });
    $('tg-relations').replaceChildren.apply($('tg-relations'), rels.map(function (r) {
      var holds = y === null || TG.holdsIn(r.validFrom, r.validTo, y);
      var dates = r.validFrom || r.validTo ? ' (' + (r.validFrom || '…') + '–' + (r.validTo || '') + ')' : '';
      return el('li', { 'data-id': r.id, 'data-type': r.type, 'data-holds': String(holds), 'data-own': String(isOwn(r)), class: holds ? '' : 'faded' }, [
        el('button', { type: 'button', onclick: function () { select(r.id, true); },
          text: key(r) + dates + (holds ? '' : ' — not in ' + y) }),
      ]);
    }));
    restoreFocus();
  }

  // connect finds the shortest path (or the k shortest) from the focus to
  // state.to, draws it into the view and lists each hop with its evidence.
  function connect() {
    if (!state.focus || !state.to) return Promise.resolve();
    writeURL();
    var out = $('tg-paths');
    out.replaceChildren(el('p', { class: 'tg-muted', text: 'Looking for paths…' }));
    var asked = state.asOf;
    return Promise.all([call(Q.paths, { from: state.focus, to: state.to, k: state.k, asOf: state.asOf || null }), target()]).then(function (both) {
      var d = both[0];
      // An answer for another instant must not be drawn into this view.
      if (asked !== state.asOf) return;
      var paths = d.paths;
      cy.elements().removeClass('path');
      if (!paths.length) {
        out.replaceChildren(el('p', { text: 'No path from ' + nameOf(state.focus) + ' to ' + nameOf(state.to) + ' within 6 relations' +
          (state.asOf ? ' as recorded at ' + shownTime(state.asOf) : '') + '.' }));
        return;
      }
      var add = [];
      paths.forEach(function (p) {
        add = add.concat(merge({
          nodes: p.nodes,
          links: p.edges.map(function (e) { return { id: e.id, type: e.type, source: e.fromId, target: e.toId, validFrom: e.validFrom, validTo: e.validTo }; }),
        }, function () { return 3; }));
        p.edges.forEach(function (e) { full.set('r:' + e.id, e); onPath.add(e.id); });
      });
      if (add.length) {
        cy.add(add);
        var opts = TG.layout(state.layout, entities.size, state.focus);
        opts.randomize = false;
        opts.animate = entities.size > 200; // in frames, the page answering meanwhile
        opts.refresh = 5;
        cy.layout(opts).run();
      }
      paths.forEach(function (p) {
        p.nodes.forEach(function (n) { cy.$id(n.id).addClass('path'); });
        p.edges.forEach(function (e) { cy.$id('r:' + e.id).addClass('path'); });
      });
      render();
      // The status line had the count of before the paths came into view,
      // or the word on an earlier step.
      status((paths.length > 1 ? paths.length + ' paths' : 'The path') + ' from ' + nameOf(state.focus) + ' to ' + nameOf(state.to) + ' (' +
        paths.map(function (p) { return p.length; }).join(', ') + ' hops) drawn; ' + entities.size + ' entities, ' + relations.size + ' relations in view.');
      var box = el('div', { 'data-testid': 'paths' });
      paths.forEach(function (p, i) {
        box.appendChild(el('h4', { text: (paths.length > 1 ? 'Path ' + (i + 1) + ': ' : '') + p.length + (p.length === 1 ? ' hop' : ' hops') }));
        box.appendChild(el('p', { class: 'tg-route', text: route(p) }));
        var ol = el('ol', { class: 'tg-hops' });
        p.edges.forEach(function (e, j) {
          ol.appendChild(el('li', { 'data-type': e.type }, [
            el('strong', { text: hop(e, p.nodes[j].id) }),
            (e.sources || []).length ? null : el('p', { class: 'tg-muted', text: 'no source' }),
          ].concat((e.sources || []).map(function (s) {
            return el('div', { class: 'tg-source' }, TG.cite(s, false, function (doc) { select(doc, false); }));
          }))));
        });
        box.appendChild(ol);
      });
      out.replaceChildren(box);
    }).catch(function (err) { out.replaceChildren(); failAt(err); });
  }

  // target fetches the details of the path's end when they are not at
  // hand (a bookmark's to=, an end out of view), so that the "To" box and
  // the answer name it rather than give its id.
  function target() {
    var id = state.to;
    var named = function () { if (document.activeElement !== $('tg-to') && state.to === id) $('tg-to').value = nameOf(id); };
    if (entities.has(id) || full.has('e:' + id)) { named(); return Promise.resolve(); }
    return call(Q.entity, { id: id, asOf: state.asOf || null }).then(function (d) {
      if (d.entity) full.set('e:' + id, d.entity);
      named();
    }, function () { /* the paths answer says what went wrong */ });
  }

  // hop names a relation of a path in the order the path walks it, from
  // the entity it leaves (at): "Weimar — SISTER_CITY_OF — Zamość" for a
  // symmetric relation, whichever way the store keeps it, and for a
  // directed one its direction as an arrow, "Silicon Valley ← BASED_IN ←
  // Tesla Motors" where the walk goes against it. Listed as stored, a
  // path of twinnings read as a jumble of names out of order.
  function hop(e, at) {
    var back = e.fromId !== at && e.toId === at;
    var first = back ? e.toId : e.fromId, second = back ? e.fromId : e.toId;
    var arrow = ontology.symmetric.has(e.type) ? ' — ' : back ? ' ← ' : ' → ';
    return nameOf(first) + arrow + e.type + arrow + nameOf(second);
  }
  // route is a path's entities in order, each hop's arrow between them.
  function route(p) {
    return p.nodes.map(function (n, j) {
      var e = p.edges[j - 1], arrow = '';
      if (e) arrow = ontology.symmetric.has(e.type) ? ' — ' : e.toId === n.id && e.fromId !== n.id ? ' → ' : ' ← ';
      return arrow + (n.name || n.id);
    }).join('');
  }

  // relationCount says how many relations an entity has: in the search
  // hits, it tells Sankt Petersburg (98 twinnings) from Saint Petersburg,
  // Florida (3), and how large a view the pick will draw.
  function relationCount(n) {
    return n === 0 ? 'no relations' : n === 1 ? '1 relation' : n.toLocaleString('en') + ' relations';
  }

  // A search box as a combobox: the service's own folded search as the
  // user types, arrow keys and Enter to pick.
  function searchBox(input, listbox, pick) {
    var seq = 0, timer = null, hits = [], active = -1, none = '';
    function close() { listbox.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; }
    // draw lists the hits, or says that the text none found nothing.
    function draw() {
      // Entities of one name (a city imported twice, from two sources)
      // are told apart by their ids.
      var names = new Map();
      hits.forEach(function (h) { names.set(h.entity.name, (names.get(h.entity.name) || 0) + 1); });
      listbox.replaceChildren.apply(listbox, hits.map(function (h, i) {
        var same = names.get(h.entity.name) > 1;
        var li = el('li', { role: 'option', id: listbox.id + '-' + i, 'aria-selected': String(i === active), 'data-id': h.entity.id },
          [h.entity.name + ' ', el('span', { class: 'tg-muted', text: h.entity.type + ' · ' + relationCount(h.entity.degree) + (same ? ' · ' + h.entity.id : '') })]);
        li.addEventListener('mousedown', function (ev) { ev.preventDefault(); choose(i); });
        return li;
      }));
      if (!hits.length && none) {
        listbox.appendChild(el('li', { role: 'option', 'aria-disabled': 'true', class: 'tg-none', text: 'No entity matches "' + none + '"' }));
      }
      var open = hits.length > 0 || !!none;
      listbox.hidden = !open;
      input.setAttribute('aria-expanded', String(open));
      if (active >= 0) input.setAttribute('aria-activedescendant', listbox.id + '-' + active); else input.removeAttribute('aria-activedescendant');
    }
    function choose(i) {
      var h = hits[i];
      if (!h) return;
      input.value = h.entity.name;
      close();
      pick(h.entity);
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (!text) { seq++; hits = []; none = ''; draw(); return; }
      timer = setTimeout(function () {
        var my = ++seq;
        call(Q.search, { text: text, asOf: state.asOf || null }).then(function (d) {
          if (my !== seq) return; // an older answer arriving late
          hits = d.search;
          none = hits.length ? '' : text;
          active = hits.length ? 0 : -1;
          draw();
        }).catch(failAt);
      }, 120);
    });
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowDown' && hits.length) { active = (active + 1) % hits.length; draw(); ev.preventDefault(); }
      else if (ev.key === 'ArrowUp' && hits.length) { active = (active - 1 + hits.length) % hits.length; draw(); ev.preventDefault(); }
      else if (ev.key === 'Enter') { if (active >= 0) choose(active); ev.preventDefault(); }
      else if (ev.key === 'Escape') close();
    });
    input.addEventListener('blur', function () { setTimeout(close, 100); });
  }

  searchBox($('tg-q'), $('tg-hits'), function (e) { focus(e.id); });
  searchBox($('tg-to'), $('tg-to-hits'), function (e) { state.to = e.id; connect(); });

  $('tg-depth').value = String(state.depth);
  $('tg-depth').addEventListener('change', function () { state.depth = parseInt(this.value, 10); load(); });
  $('tg-layout').value = state.layout;
  $('tg-layout').addEventListener('change', function () {
    state.layout = this.value;
    writeURL();
    TG.arrange(cy, state.layout);
  });
  $('tg-k').value = String(state.k);
  $('tg-k').addEventListener('change', function () { state.k = parseInt(this.value, 10); connect(); });

  // The time slider fades what does not hold in the chosen year; the
  // checkbox turns it off (every date).
  var year = $('tg-year'), dated = $('tg-dated');
  // fitSlider stretches the slider from 1990 to 2030 (or this year) to the
  // dates in view and in the URL: a twinning of 1952, or a link to 1960,
  // must not be moved to 1990.
  function fitSlider() {
    var lo = 1990, hi = Math.max(2030, new Date().getFullYear());
    var see = function (d) { var y = TG.year(d); if (y < lo) lo = y; if (y > hi) hi = y; };
    see(state.validAt);
    relations.forEach(function (r) { see(r.validFrom); see(r.validTo); });
    year.min = String(lo);
    year.max = String(hi);
  }
  function syncSlider() {
    fitSlider();
    dated.checked = !!state.validAt;
    if (state.validAt) year.value = state.validAt;
    $('tg-year-out').textContent = state.validAt ? state.validAt : 'all dates';
  }
  syncSlider();
  year.addEventListener('input', function () { state.validAt = year.value; syncSlider(); writeURL(); render(); });
  dated.addEventListener('change', function () { state.validAt = dated.checked ? year.value : ''; syncSlider(); writeURL(); render(); });

  // Recorded time: the view as the service recorded it at an instant,
  // asked again of the service (unlike the slider, which only fades).
  // The input is in the browser's time zone; the URL and the service get
  // UTC.
  function localInput(iso) {
    var d = new Date(iso), p = function (n) { return String(n).padStart(2, '0'); };
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }
  function shownTime(iso) {
    return new Date(iso).toLocaleString('en-GB', {
      year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
    });
  }
  function syncAsOf() {
    $('tg-asof').value = state.asOf ? localInput(state.asOf) : '';
    $('tg-asof-now').disabled = !state.asOf;
    document.body.classList.toggle('tg-historical', !!state.asOf);
    $('tg-past').hidden = !state.asOf;
    $('tg-past').removeAttribute('data-problem');
    $('tg-past-text').replaceChildren('Historical view: the graph as the service recorded it at ',
      el('strong', { text: state.asOf ? shownTime(state.asOf) : '' }), '; later changes are not shown, and exports hold the same.');
    $('tg-past-now').textContent = 'Back to now';
  }
  function setAsOf(iso) {
    if (iso === state.asOf) return;
    state.asOf = iso;
    full.clear(); // details fetched at another time
    syncAsOf();
    // The filters list the types of that instant. When the ontology
    // cannot be read (an instant older than the history), load says why.
    readOntology().then(load, load);
  }
  syncAsOf();
  $('tg-asof').addEventListener('change', function () { setAsOf(this.value ? instant(this.value) : ''); });
  $('tg-asof-now').addEventListener('click', function () { setAsOf(''); });
  $('tg-past-now').addEventListener('click', function () { setAsOf(''); });

  // Exports: the drawing as PNG, and the focus's neighbourhood with the
  // view's filters, date and recorded time through the service's own
  // /export.
  function exportURL(format) {
    var q = new URLSearchParams({ format: format, from: state.focus, depth: String(state.depth) });
    if (state.types.length) q.set('types', state.types.join(','));
    if (state.entityTypes.length) q.set('entityTypes', state.entityTypes.join(','));
    // At a date, the file holds what the drawing shows unfaded.
    if (state.validAt) q.set('validAt', state.validAt);
    if (state.asOf) q.set('asOf', state.asOf);
    return '/export?' + q.toString();
  }
  $('tg-png').addEventListener('click', function () {
    if (!cy.nodes().length) return;
    var blob = cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' });
    TG.saveBlob(blob, 'ties-' + (state.focus || 'view') + '.png');
  });
  // exported says what a file holds when the drawing holds more: /export
  // serves one focus's neighbourhood, so entities added by expanding or by
  // a path are not in it, and an analyst who expanded a partner and
  // exported found its partners missing without a word.
  function exported() {
    var more = 0;
    entities.forEach(function (e, id) { if (!loaded.has(id)) more++; });
    if (!more) return;
    status('Exported ' + nameOf(state.focus) + '\'s neighbourhood (depth ' + state.depth + ', the view\'s filters' +
      (state.validAt ? ', what held in ' + state.validAt : '') + '): the ' + more +
      (more === 1 ? ' entity' : ' entities') + ' added by expanding or by paths are not in the file; the PNG is the drawing as it is.');
  }
  $('tg-graphml').addEventListener('click', function () {
    if (state.focus) TG.download(exportURL('graphml'), 'ties-' + state.focus + '.graphml').then(exported, failAt);
  });
  $('tg-ndjson').addEventListener('click', function () {
    if (state.focus) TG.download(exportURL('ndjson'), 'ties-' + state.focus + '.ndjson').then(exported, failAt);
  });

  // Filters from the ontology.
  function filterBoxes(box, names, chosen) {
    box.replaceChildren.apply(box, names.map(function (n) {
      var cb = el('input', { type: 'checkbox', value: n });
      cb.checked = chosen.indexOf(n) >= 0;
      cb.addEventListener('change', function () {
        var i = chosen.indexOf(n);
        if (cb.checked && i < 0) chosen.push(n);
        if (!cb.checked && i >= 0) chosen.splice(i, 1);
        load();
      });
      // A long type name breaks after its underscores, beside its box,
      // not under it and cut off by the next column.
      var name = el('span');
      n.split('_').forEach(function (part, i, parts) {
        name.appendChild(document.createTextNode(part + (i < parts.length - 1 ? '_' : '')));
        if (i < parts.length - 1) name.appendChild(document.createElement('wbr'));
      });
      return el('label', {}, [cb, name]);
    }));
  }

  // readOntology reads the types as recorded at the view's instant into
  // the filters. A type chosen that did not exist then stays listed, so
  // that it can be unchosen; the service matches nothing with it.
  // An instant older than the service's history has no types to read:
  // the filters then list the types of now, and say so, rather than none
  // at all (which left a bookmark of a view too old with nothing to choose
  // from on its way back to now).
  var ontologySeq = 0;
  function readOntology() {
    var seq = ++ontologySeq, at = state.asOf, present = false;
    return call(Q.ontology, { asOf: at || null }).catch(function (err) {
      if (!at || !beyond(err)) throw err;
      present = true;
      return call(Q.ontology, { asOf: null });
    }).then(function (d) {
      if (seq !== ontologySeq) return;
      $('tg-types-note').hidden = !present;
      $('tg-types-note').textContent = present ? 'The types as recorded at ' + shownTime(at) +
        ' cannot be read, as that is older than the service\'s history: listed are the types as they are now.' : '';
      var names = function (ts, chosen) {
        var out = ts.map(function (t) { return t.name; });
        chosen.forEach(function (n) { if (out.indexOf(n) < 0) out.push(n); });
        return out.sort();
      };
      ontology.relationTypes = names(d.ontology.relationTypes, state.types);
      ontology.entityTypes = names(d.ontology.entityTypes, state.entityTypes);
      ontology.symmetric = new Set();
      d.ontology.relationTypes.forEach(function (t) { if (t.symmetric) ontology.symmetric.add(t.name); });
      filterBoxes($('tg-rtypes'), ontology.relationTypes, state.types);
      filterBoxes($('tg-etypes'), ontology.entityTypes, state.entityTypes);
    });
  }

  // start reads the ontology, then draws the view in the URL.
  var started = false;
  function start() {
    return readOntology().then(function () {
      started = true;
      return load();
    }, fail);
  }
  start();
  // For the browser tests: the state, the drawing, and focus as a click would.
  window.tiesExplorer = { state: state, cy: cy, focus: focus, started: function () { return started; } };
})();
