// playground.js: GraphiQL with the service's API key and a "Graph" plugin
// that draws the last result as a network. The fetcher is ours: it adds
// the key, says clearly when the service refuses, and hands every result
// to the plugin, so the plugin needs nothing from GraphiQL's internals.
(function () {
  'use strict';
  var h = React.createElement;
  var TG = TiesGraph;

  // results holds the last query result and tells the panel about it.
  var results = {
    last: null,
    listeners: new Set(),
    publish: function (body) {
      this.last = body;
      this.listeners.forEach(function (f) { f(body); });
    },
    subscribe: function (f) { this.listeners.add(f); return function () { results.listeners.delete(f); }; },
  };

  // The key bar above GraphiQL.
  var banner = document.getElementById('tg-banner');
  function say(msg) {
    banner.textContent = msg;
    banner.hidden = !msg;
  }
  var keyInput = document.getElementById('tg-key');
  keyInput.value = TG.key.get();
  document.getElementById('tg-key-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    TG.key.set(keyInput.value.trim());
    say('');
    document.getElementById('tg-key-state').textContent = keyInput.value.trim() ? 'key set for this tab' : 'no key';
    // GraphiQL asked for the schema when the page opened, perhaps without
    // a key and refused: ask again with this one, for the docs and
    // completion. Its sidebar button is the only way in from outside.
    var refetch = document.querySelector('.graphiql-sidebar button[aria-label="Re-fetch GraphQL schema"]');
    if (refetch) refetch.click();
  });
  document.getElementById('tg-key-state').textContent = keyInput.value ? 'key set for this tab' : 'no key';

  // params of the page's URL: GraphiQL's state lives there, so that a
  // query can be bookmarked and the service can open with one.
  var params = Object.fromEntries(new URLSearchParams(location.search));
  function updateURL() {
    var sp = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k]) sp.set(k, params[k]); });
    history.replaceState(null, '', '?' + sp.toString());
  }

  var endpoint = document.getElementById('graphiql').getAttribute('data-endpoint') || '/query';

  // isSubscription reports whether the operation GraphiQL runs is a
  // subscription: the named one, or the document's only operation.
  function isSubscription(body) {
    var q = (body.query || '').replace(/#[^\n]*/g, '');
    var re = /\b(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    var m, ops = [];
    while ((m = re.exec(q)) !== null) {
      // Only operations at the top level: a keyword after an opening brace
      // at depth 0 is not one.
      var depth = 0;
      for (var i = 0; i < m.index; i++) {
        if (q[i] === '{') depth++;
        else if (q[i] === '}') depth--;
      }
      if (depth === 0) ops.push({ kind: m[1], name: m[2] });
    }
    var op = ops.find(function (o) { return body.operationName && o.name === body.operationName; }) || (ops.length === 1 ? ops[0] : null);
    return !!op && op.kind === 'subscription';
  }

  // subscribe runs a subscription over Server-Sent Events (the service's
  // SSE transport, which needs no client library and sends the key in a
  // header like every other request), as the async iterable of results
  // that GraphiQL shows one after the other.
  function subscribe(body, opts) {
    var ctrl = new AbortController();
    var headers = Object.assign({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }, (opts && opts.headers) || {});
    var pending = [], waiting = null, done = false;
    function push(v) {
      if (waiting) { var w = waiting; waiting = null; w(v); } else pending.push(v);
    }
    function finish() { done = true; push(null); }
    fetch(endpoint, { method: 'POST', headers: TG.withKey(headers), body: JSON.stringify(body), signal: ctrl.signal })
      .then(function (resp) {
        if (!resp.ok || !/text\/event-stream/.test(resp.headers.get('Content-Type') || '')) {
          return resp.json().catch(function () { return { errors: [{ message: 'The service answered ' + resp.status + '.' }] }; })
            .then(function (json) { say(TG.refusal(resp.status, json)); push(json); finish(); });
        }
        var reader = resp.body.getReader(), dec = new TextDecoder(), buf = '';
        function pump() {
          return reader.read().then(function (r) {
            if (r.done) { finish(); return; }
            buf += dec.decode(r.value, { stream: true });
            var i;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              var block = buf.slice(0, i); buf = buf.slice(i + 2);
              var ev = '', data = '';
              block.split('\n').forEach(function (line) {
                if (line.indexOf('event:') === 0) ev = line.slice(6).trim();
                else if (line.indexOf('data:') === 0) data += line.slice(5);
              });
              if (ev === 'complete') { finish(); ctrl.abort(); return; }
              if (ev === 'next' && data) {
                var json = JSON.parse(data);
                results.publish(json);
                push(json);
              }
            }
            return pump();
          });
        }
        return pump();
      })
      .catch(function (err) {
        if (err.name !== 'AbortError') push({ errors: [{ message: String(err) }] });
        finish();
      });
    return {
      [Symbol.asyncIterator]: function () { return this; },
      next: function () {
        if (pending.length) {
          var v = pending.shift();
          return Promise.resolve(v === null ? { done: true, value: undefined } : { done: false, value: v });
        }
        if (done) return Promise.resolve({ done: true, value: undefined });
        return new Promise(function (resolve) {
          waiting = function (v) { resolve(v === null ? { done: true, value: undefined } : { done: false, value: v }); };
        });
      },
      return: function () { ctrl.abort(); done = true; return Promise.resolve({ done: true, value: undefined }); },
    };
  }

  function fetcher(body, opts) {
    if (isSubscription(body)) return subscribe(body, opts);
    var headers = Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' }, (opts && opts.headers) || {});
    return fetch(endpoint, { method: 'POST', headers: TG.withKey(headers), body: JSON.stringify(body) })
      .then(function (resp) {
        return resp.json().catch(function () {
          return { errors: [{ message: 'The service answered ' + resp.status + ' without JSON.' }] };
        }).then(function (json) {
          say(TG.refusal(resp.status, json));
          var introspection = /__schema\b/.test(body.query || '');
          if (!introspection) {
            results.publish(json);
            if (hasNetwork(json)) openGraph();
          }
          return json;
        });
      });
  }

  // hasNetwork reports whether a result has relations to draw, or is one
  // of the queries whose answer is a set of entities worth seeing.
  function hasNetwork(json) {
    if (!json || !json.data) return false;
    var g = TG.extract(json.data);
    if (g.relations.size > 0) return true;
    return g.entities.size > 1 && Object.keys(json.data).some(function (k) {
      return /^(neighborhood|path|paths|allPaths|commonNeighbors)$/.test(k);
    });
  }

  // GraphPanel is the plugin's content: a drawing, a legend, the details
  // of what is clicked, and a list of what is drawn for keyboards and
  // screen readers. It is plain DOM under one React element.
  function GraphPanel() {
    var ref = React.useRef(null);
    React.useEffect(function () {
      var view = resultView(ref.current);
      view.show(results.last);
      var off = results.subscribe(function (b) { view.show(b); });
      return function () { off(); view.destroy(); };
    }, []);
    return h('div', { ref: ref, className: 'tg-plugin', 'data-testid': 'graph-plugin' });
  }

  function resultView(root) {
    var el = TG.el;
    var title = el('p', { class: 'tg-summary', role: 'status' });
    var canvas = el('div', { class: 'tg-canvas', 'aria-hidden': 'true' });
    var legendBox = el('div');
    var detailsBox = el('div', { class: 'tg-details-box', 'aria-live': 'polite' });
    var list = el('div', { class: 'tg-list' });
    [title, canvas, legendBox, detailsBox, list].forEach(function (n) { root.appendChild(n); });
    var cy = TG.newGraph(canvas);
    var current = null;
    // GraphiQL opens the panel after the result arrives, and the user may
    // resize it: lay out again once the canvas has a size, else refit.
    var sized = false;
    var watch = new ResizeObserver(function () {
      var has = canvas.clientWidth > 0 && canvas.clientHeight > 0;
      cy.resize();
      if (has && !sized && cy.nodes().length) TG.arrange(cy, 'force');
      else if (has) cy.fit(undefined, 30);
      sized = has;
    });
    watch.observe(canvas);

    function nameOf(id) {
      var e = current && current.entities.get(id);
      return (e && e.name) || id;
    }
    function select(isRelation, raw) {
      detailsBox.replaceChildren(TG.details(raw, isRelation, nameOf));
    }
    cy.on('tap', 'node', function (ev) { select(false, ev.target.data('raw')); });
    cy.on('tap', 'edge', function (ev) { select(true, ev.target.data('raw')); });

    function show(json) {
      cy.elements().remove();
      detailsBox.replaceChildren();
      list.replaceChildren();
      legendBox.replaceChildren();
      if (!json || !json.data) {
        title.textContent = 'Run a query that returns entities and relations (a neighborhood, a path, paths, commonNeighbors, relations with fromId and toId) to see it here.';
        current = null;
        return;
      }
      current = TG.extract(json.data);
      var els = [];
      current.entities.forEach(function (e) { els.push(TG.entityElement(e)); });
      current.relations.forEach(function (r) { els.push(TG.relationElement(r)); });
      cy.add(els);
      if (current.relations.size <= 24) cy.edges().addClass('labelled');
      // Laid out here when the canvas has a size; the resize watch then
      // only refits, else a second layout would run beside the first.
      if (canvas.clientWidth > 0 && canvas.clientHeight > 0) {
        TG.arrange(cy, 'force');
        sized = true;
      }
      title.textContent = current.entities.size + ' entities, ' + current.relations.size + ' relations in the last result.';
      var types = new Set();
      current.entities.forEach(function (e) { types.add(e.type || ''); });
      legendBox.appendChild(TG.legend(Array.from(types)));
      list.appendChild(sideList());
    }

    function sideList() {
      var box = el('div');
      box.appendChild(el('h4', { text: 'Entities' }));
      var ul = el('ul', { 'aria-label': 'Entities in the graph', 'data-testid': 'entity-list' });
      current.entities.forEach(function (e) {
        ul.appendChild(el('li', { 'data-id': e.id }, [el('button', { type: 'button', text: (e.name || e.id) + (e.type ? ' (' + e.type + ')' : ''), onclick: function () { select(false, e); cy.$id(e.id).select(); } })]));
      });
      box.appendChild(ul);
      box.appendChild(el('h4', { text: 'Relations' }));
      var rl = el('ul', { 'aria-label': 'Relations in the graph', 'data-testid': 'relation-list' });
      current.relations.forEach(function (r) {
        rl.appendChild(el('li', { 'data-id': r.id, 'data-type': r.type || '' }, [el('button', {
          type: 'button',
          text: nameOf(r.fromId) + ' ' + (r.type || 'related to') + ' ' + nameOf(r.toId) + (r.validFrom || r.validTo ? ' (' + (r.validFrom || '…') + '–' + (r.validTo || '') + ')' : ''),
          onclick: function () { select(true, r); },
        })]));
      });
      box.appendChild(rl);
      return box;
    }

    return { show: show, destroy: function () { watch.disconnect(); cy.destroy(); } };
  }

  var graphPlugin = {
    title: 'Graph',
    icon: function () {
      return h('svg', { viewBox: '0 0 24 24', width: 20, height: 20, fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, 'aria-hidden': true },
        h('circle', { cx: 5, cy: 6, r: 2.5 }), h('circle', { cx: 19, cy: 7, r: 2.5 }), h('circle', { cx: 11, cy: 18, r: 2.5 }),
        h('path', { d: 'M7.3 6.3l9.3.6M6.3 8.2l3.6 7.6M17.6 9.1l-5.3 7' }));
    },
    content: function () { return h(GraphPanel); },
  };

  // openGraph shows the plugin when a result has a network in it, unless
  // the user hid it. GraphiQL opens a plugin's panel only from its sidebar
  // button (its visiblePlugin prop selects the plugin but leaves the panel
  // collapsed), so the button is what we press.
  var closedByUser = false, pressing = false;
  function openGraph() {
    var show = document.querySelector('.graphiql-sidebar button[aria-label="Show Graph"]');
    if (!show || closedByUser) return;
    pressing = true;
    show.click();
    pressing = false;
  }
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('.graphiql-sidebar button[aria-label$=" Graph"]');
    if (b && !pressing) closedByUser = b.getAttribute('aria-label') === 'Hide Graph';
  }, true);

  function App() {
    return h(GraphiQL, {
      fetcher: fetcher,
      plugins: [graphPlugin],
      isHeadersEditorEnabled: true,
      query: params.query,
      variables: params.variables,
      headers: params.headers,
      onEditQuery: function (q) { params.query = q; updateURL(); },
      onEditVariables: function (v) { params.variables = v; updateURL(); },
      onEditHeaders: function (v) { params.headers = v; updateURL(); },
      inputValueDeprecation: true,
    });
  }

  // A drawing needs more room than GraphiQL's default plugin width (a
  // quarter of the page). GraphiQL keeps the width the user drags to
  // under this key; only a first visit gets ours.
  try {
    if (localStorage.getItem('graphiql:docExplorerFlex') === null) localStorage.setItem('graphiql:docExplorerFlex', '0.7');
  } catch (e) { /* storage disabled: GraphiQL's default */ }

  // stackSplit makes the split between the editor and the result
  // draggable where ties.css stacks them (GraphiQL's own drag bar only
  // resizes sideways): a separator, by pointer or arrow keys, that sets
  // the editor's share of the height. The share is kept in localStorage,
  // as GraphiQL keeps its side-by-side split, and apart from it: the two
  // are different layouts. The separator is ours inside GraphiQL's DOM,
  // so it is put back whenever GraphiQL renders the session anew.
  function stackSplit(root) {
    var key = 'ties:stackedEditorShare', lo = 0.15, hi = 0.85, fallback = 0.5;
    var share = fallback;
    try { share = clamp(parseFloat(localStorage.getItem(key))); } catch (e) { /* storage disabled: the default */ }
    function clamp(v) { return isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback; }
    var bar = document.createElement('div');
    bar.className = 'tg-stack-split';
    bar.tabIndex = 0;
    bar.title = 'Drag, or use the arrow keys, to share the height between the editor and the result; double-click to even it';
    bar.setAttribute('role', 'separator');
    bar.setAttribute('aria-orientation', 'horizontal');
    bar.setAttribute('aria-label', 'Editor and result height');
    bar.setAttribute('aria-valuemin', String(lo * 100));
    bar.setAttribute('aria-valuemax', String(hi * 100));
    function apply(v, keep) {
      share = clamp(v);
      var session = bar.parentElement;
      if (session) session.style.setProperty('--tg-split', String(share));
      bar.setAttribute('aria-valuenow', String(Math.round(share * 100)));
      if (keep) {
        try { localStorage.setItem(key, String(share)); } catch (e) { /* storage disabled: kept until the page closes */ }
      }
    }
    // The editor's share from where the pointer is: the height between
    // the editor's top and the pointer (less where the bar was grabbed)
    // over the height of the two.
    var grab = null;
    function shareAt(y) {
      var editors = bar.previousElementSibling, response = bar.nextElementSibling;
      while (response && !response.classList.contains('graphiql-response')) response = response.nextElementSibling;
      if (!editors || !response) return share;
      var top = editors.getBoundingClientRect().top;
      var both = editors.getBoundingClientRect().height + response.getBoundingClientRect().height;
      return both > 0 ? (y - grab - top) / both : share;
    }
    bar.addEventListener('pointerdown', function (ev) {
      if (ev.button !== 0) return;
      ev.preventDefault();
      bar.focus();
      grab = ev.clientY - bar.getBoundingClientRect().top;
      bar.setPointerCapture(ev.pointerId);
      bar.classList.add('tg-dragging');
    });
    bar.addEventListener('pointermove', function (ev) {
      if (grab !== null) apply(shareAt(ev.clientY), false);
    });
    function release() {
      if (grab === null) return;
      grab = null;
      bar.classList.remove('tg-dragging');
      apply(share, true);
    }
    bar.addEventListener('pointerup', release);
    bar.addEventListener('pointercancel', release);
    bar.addEventListener('dblclick', function () { apply(fallback, true); });
    bar.addEventListener('keydown', function (ev) {
      var step = { ArrowUp: -0.05, ArrowDown: 0.05, PageUp: -0.2, PageDown: 0.2 }[ev.key];
      if (step !== undefined) apply(share + step, true);
      else if (ev.key === 'Home') apply(lo, true);
      else if (ev.key === 'End') apply(hi, true);
      else return;
      ev.preventDefault();
    });
    function place() {
      var session = document.getElementById('graphiql-session');
      var editors = session && session.querySelector(':scope > .graphiql-editors');
      if (!editors || editors.nextElementSibling === bar) return;
      editors.after(bar);
      apply(share, false);
    }
    new MutationObserver(place).observe(root, { childList: true, subtree: true });
    place();
  }

  var root = document.getElementById('graphiql');
  stackSplit(root);
  if (ReactDOM.createRoot) ReactDOM.createRoot(root).render(h(App));
  else ReactDOM.render(h(App), root);
})();
