// graphview.js: what the playground's graph panel and the explorer share.
// It talks to the service (with the API key the user pasted), finds
// entities and relations in any GraphQL result, and draws them with
// cytoscape.js. No build step: a plain script that defines TiesGraph.
(function (global) {
  'use strict';

  // The key is kept in sessionStorage: it lives as long as the tab, is
  // not shared with other tabs or sites, and is never written to a URL.
  var keyName = 'ties.apiKey';
  var key = {
    get: function () {
      try { return sessionStorage.getItem(keyName) || ''; } catch (e) { return ''; }
    },
    set: function (v) {
      try {
        if (v) sessionStorage.setItem(keyName, v); else sessionStorage.removeItem(keyName);
      } catch (e) { /* storage disabled: the key lasts for this page only */ }
    },
  };

  // withKey adds the Authorization header when a key was pasted.
  function withKey(headers) {
    var h = Object.assign({}, headers || {});
    var k = key.get();
    if (k && !h.Authorization && !h.authorization) h.Authorization = 'Bearer ' + k;
    return h;
  }

  // refusal returns a message for a 401 or 403 answer, or '' for any other:
  // what to do first, then the service's own words, which often carry
  // parentheses of their own.
  function refusal(status, body) {
    var detail = '';
    if (body && body.errors && body.errors[0] && body.errors[0].message) detail = body.errors[0].message;
    else if (body && body.error && body.error.message) detail = body.error.message;
    var said = detail ? ': ' + detail.replace(/\.$/, '') : '';
    if (status === 401) return 'The service needs a valid API key: paste yours in the "API key" field. It answered 401' + said + '.';
    if (status === 403) return 'This API key may not do that. The service answered 403' + said + '.';
    return '';
  }

  // An APIError is a refused or failed request, with the message to show,
  // and for a GraphQL error its extensions' code and field, for a page to
  // explain an error it expects in its own words.
  function APIError(message, status, refused, code, field) {
    this.message = message;
    this.status = status;
    this.refused = refused;
    this.code = code || '';
    this.field = field || '';
  }
  APIError.prototype = Object.create(Error.prototype);

  // reach turns a request that got no answer at all (the service stopped,
  // the network down) into an APIError that says so, rather than the
  // browser's bare "Failed to fetch".
  function reach(request) {
    return request.catch(function (err) {
      throw new APIError('The service did not answer (' + ((err && err.message) || err) + '): is it still running?', 0, false);
    });
  }

  // query posts one GraphQL operation and resolves to its data; it rejects
  // with an APIError for a refusal, a transport failure or GraphQL errors.
  function query(text, variables) {
    return reach(fetch('/query', {
      method: 'POST',
      headers: withKey({ 'Content-Type': 'application/json', Accept: 'application/json' }),
      body: JSON.stringify({ query: text, variables: variables || {} }),
    })).then(function (resp) {
      return resp.json().catch(function () { return null; }).then(function (body) {
        var why = refusal(resp.status, body);
        if (why) throw new APIError(why, resp.status, true);
        if (!body) throw new APIError('The service answered ' + resp.status + ' without JSON.', resp.status, false);
        if (body.errors && body.errors.length) {
          var e = body.errors[0];
          var ext = e.extensions || {};
          throw new APIError((ext.code ? ext.code + ': ' : '') + e.message, resp.status, false, ext.code, ext.field);
        }
        return body.data;
      });
    });
  }

  // download fetches a URL of the service with the key and saves the answer.
  function download(url, filename) {
    return reach(fetch(url, { headers: withKey({}) })).then(function (resp) {
      if (!resp.ok) {
        return resp.json().catch(function () { return null; }).then(function (body) {
          var e = (body && body.error) || {};
          throw new APIError(refusal(resp.status, body) ||
            ('Export failed (' + resp.status + (e.message ? ': ' + e.message : '') + ')'), resp.status, resp.status === 401 || resp.status === 403, e.code, e.field);
        });
      }
      return resp.blob().then(function (b) { saveBlob(b, filename); });
    });
  }

  function saveBlob(blob, filename) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  // Colours by entity type: the default ontology's types get fixed,
  // distinguishable colours; any other type a stable one from its name.
  var palette = {
    City: '#1f77b4', Municipality: '#4a90c8', Place: '#6baed6', Region: '#9ecae1', Country: '#08519c',
    Organization: '#ff7f0e', Company: '#d62728', GovernmentBody: '#e377c2', Network: '#bcbd22',
    Person: '#2ca02c', Event: '#9467bd', Agreement: '#8c564b', Document: '#7f7f7f', Topic: '#17becf',
  };
  function colorFor(type) {
    if (palette[type]) return palette[type];
    var h = 0;
    for (var i = 0; i < (type || '').length; i++) h = (h * 31 + type.charCodeAt(i)) >>> 0;
    return 'hsl(' + (h % 360) + ', 55%, 45%)';
  }

  // year reads the year of a partial date ("2017", "2017-07-05").
  function year(d) { return d ? parseInt(String(d).slice(0, 4), 10) : NaN; }

  // holdsIn reports whether a fact valid from..to held at some time in the
  // year y: partial dates stand for the whole interval they name.
  function holdsIn(from, to, y) {
    if (from && year(from) > y) return false;
    if (to && year(to) < y) return false;
    return true;
  }

  // style is the cytoscape stylesheet both pages use. Dated relations are
  // solid, undated ones dashed; faded elements do not hold at the chosen
  // date; labels vanish when zoomed far out, so that a few thousand
  // elements stay quick to pan.
  function style() {
    return [
      { selector: 'node', style: {
        'background-color': 'data(color)', label: 'data(label)', 'font-size': 11, color: '#222',
        'text-valign': 'bottom', 'text-margin-y': 3, width: 18, height: 18,
        'text-wrap': 'ellipsis', 'text-max-width': 140, 'min-zoomed-font-size': 7,
        'border-width': 1, 'border-color': '#fff',
      } },
      { selector: 'node.focus', style: { width: 28, height: 28, 'border-width': 3, 'border-color': '#111', 'font-weight': 'bold' } },
      { selector: 'edge', style: {
        width: 1.5, 'line-color': '#9aa3ad', 'target-arrow-color': '#9aa3ad', 'target-arrow-shape': 'triangle',
        'arrow-scale': 0.8, 'curve-style': 'bezier', label: 'data(label)', 'font-size': 8, color: '#555',
        'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.8,
        'text-background-padding': 1, 'min-zoomed-font-size': 17, 'line-style': 'dashed', 'line-dash-pattern': [5, 4],
      } },
      // Relation labels appear as the user zooms in, and always on a
      // path or a selection: a busy view stays readable. Cytoscape rounds
      // the zoom up to a power of two before it compares the font size
      // with min-zoomed-font-size, so 17 on an 8-pixel label means above
      // zoom 2; 12 meant above zoom 1, and a view of sixty relations,
      // fitted at 1.1, drew every label over the entities' names.
      { selector: 'edge.path, edge:selected, edge.labelled, edge.hover', style: { 'font-size': 10, 'min-zoomed-font-size': 4 } },
      { selector: 'edge.undirected', style: { 'target-arrow-shape': 'none' } },
      { selector: 'edge.dated', style: { 'line-style': 'solid', width: 2.5, 'line-color': '#4b5563', 'target-arrow-color': '#4b5563' } },
      { selector: 'edge.path', style: { 'line-color': '#e4572e', 'target-arrow-color': '#e4572e', width: 4 } },
      { selector: 'node.path', style: { 'border-width': 3, 'border-color': '#e4572e' } },
      // Large views: straight "haystack" edges need no control points,
      // the cheapest cytoscape draws (no arrowheads; the side list and the
      // details say the direction).
      { selector: 'edge.bulk', style: { 'curve-style': 'haystack', 'haystack-radius': 0, 'line-style': 'solid', width: 1 } },
      { selector: '.faded', style: { opacity: 0.15 } },
      { selector: ':selected', style: { 'overlay-color': '#f5b700', 'overlay-opacity': 0.35, 'overlay-padding': 4 } },
    ];
  }

  // entityElement and relationElement make cytoscape elements; data.raw
  // keeps every field the service returned, for the details panel.
  function entityElement(e) {
    return { group: 'nodes', data: { id: e.id, label: e.name || e.id, type: e.type || '', color: colorFor(e.type), raw: e } };
  }
  // bulk marks a relation of a large view (see arrange); given here, at
  // creation, it costs no second style pass over every edge.
  function relationElement(r, bulk) {
    var dates = r.validFrom || r.validTo ? ' ' + (r.validFrom || '…') + '–' + (r.validTo || '') : '';
    var classes = bulk ? ['bulk'] : [];
    if (r.validFrom || r.validTo) classes.push('dated');
    if (r.undirected) classes.push('undirected');
    return {
      group: 'edges',
      data: { id: 'r:' + r.id, source: r.fromId, target: r.toId, label: (r.type || '') + dates, type: r.type || '', raw: r },
      classes: classes.join(' '),
    };
  }

  // extract finds the entities and relations in a GraphQL result: any
  // object with an id is an entity, unless it has two ends (from/to
  // objects with ids, fromId/toId, or source/target as in nodeLink), which
  // makes it a relation. A relation edge whose node has no ends ({node,
  // neighbor}) joins the entity it was listed under to its neighbour.
  // Objects under "sources" are citations, not part of the network.
  function extract(data) {
    var entities = new Map(), relations = new Map();
    // stands maps an entity asked for without its id (drawn under its
    // name) to the id its relations give it; see the end of extract.
    var stands = new Map();
    function addEntity(o) {
      var prev = entities.get(o.id) || {};
      entities.set(o.id, Object.assign({}, prev, plain(o)));
    }
    function ends(o) {
      var from = o.fromId || (o.from && o.from.id) || (typeof o.source === 'string' ? o.source : null);
      var to = o.toId || (o.to && o.to.id) || (typeof o.target === 'string' ? o.target : null);
      return from && to ? [from, to] : null;
    }
    function addRelation(o, from, to, undirected) {
      var r = Object.assign({}, plain(o), { fromId: from, toId: to });
      if (undirected) r.undirected = true;
      // nodeLink names a link's id "key", as NetworkX's multigraphs do.
      if (!r.id && typeof o.key === 'string' && typeof o.source === 'string') r.id = o.key;
      if (!r.id) {
        // Not asked for: a key for this drawing only, never shown.
        r.id = (r.type || 'RELATED') + ':' + from + ':' + to + ':' + (r.validFrom || '');
        r._drawingID = true;
      }
      relations.set(r.id, Object.assign(relations.get(r.id) || {}, r));
      if (!entities.has(from)) entities.set(from, { id: from });
      if (!entities.has(to)) entities.set(to, { id: to });
      if (o.from && typeof o.from === 'object' && o.from.id) addEntity(o.from);
      if (o.to && typeof o.to === 'object' && o.to.id) addEntity(o.to);
    }
    function walk(v, owner, key) {
      if (Array.isArray(v)) { v.forEach(function (x) { walk(x, owner, key); }); return; }
      if (!v || typeof v !== 'object' || key === 'sources') return;
      if (v.node && v.neighbor && v.neighbor.id && owner && !ends(v.node)) {
        addEntity(v.neighbor);
        addRelation(v.node, owner, v.neighbor.id, true);
        walkChildren(v.neighbor, v.neighbor.id);
        walkChildren(v.node, owner);
        return;
      }
      var e = ends(v);
      // An edge of the neighbours of an entity drawn under its name: the
      // relation's other end from the neighbour is that entity's id.
      if (!e && owner && owner.indexOf('name:') === 0 && v.node && typeof v.node.id === 'string' && v.relation && ends(v.relation)) {
        var re = ends(v.relation);
        if (re[0] !== re[1] && re.indexOf(v.node.id) >= 0) stands.set(owner, re[0] === v.node.id ? re[1] : re[0]);
      }
      if (e) {
        addRelation(v, e[0], e[1], false);
        walkChildren(v, owner);
        return;
      }
      if (typeof v.id === 'string' && !('excerpt' in v)) {
        addEntity(v);
        walkChildren(v, v.id);
        return;
      }
      if (typeof v.name === 'string' && (v.relations || v.neighbors)) {
        // An entity asked for without its id, such as the playground's
        // opening query: its name stands in, so its relations have an end.
        var named = Object.assign({}, v, { id: 'name:' + v.name });
        addEntity(named);
        entities.get(named.id)._drawingID = true;
        walkChildren(v, named.id);
        return;
      }
      walkChildren(v, owner);
    }
    function walkChildren(o, owner) {
      Object.keys(o).forEach(function (k) {
        if (o[k] && typeof o[k] === 'object') walk(o[k], owner, k);
      });
    }
    walk(data, null, '');
    // An entity asked for without its id whose relations name it (its
    // neighbours' relations, with their ends) is one node under that id,
    // not a node of its name beside a node of its id.
    stands.forEach(function (id, named) {
      var n = entities.get(named);
      if (!n) return;
      entities.delete(named);
      var merged = Object.assign({}, n, entities.get(id) || {}, { id: id });
      if (!merged.name && n.name) merged.name = n.name;
      delete merged._drawingID;
      entities.set(id, merged);
      relations.forEach(function (r) {
        if (r.fromId === named) r.fromId = id;
        if (r.toId === named) r.toId = id;
      });
    });
    // A relation's endpoints known only by id keep the id as their name.
    return { entities: entities, relations: relations };
  }

  // plain copies the scalar fields and sources of a result object, not
  // its nested connections (which are drawn as elements of their own).
  function plain(o) {
    var out = {};
    Object.keys(o).forEach(function (k) {
      var v = o[k];
      if (k === 'sources' || k === 'properties' || k === 'labels' || k === 'aliases') out[k] = v;
      else if (k === 'from' || k === 'to') { if (v && typeof v === 'object') out[k + 'Name'] = v.name; }
      else if (v === null || typeof v !== 'object') out[k] = v;
    });
    return out;
  }

  // text makes an element with text content (never HTML: excerpts are data).
  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') n.textContent = attrs[k];
      else if (k === 'class') n.className = attrs[k];
      else if (k.slice(0, 2) === 'on') n.addEventListener(k.slice(2), attrs[k]);
      else n.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return n;
  }

  // details renders one entity or relation: its fields, its properties and
  // its sources word for word. nameOf names an entity id for the ends;
  // openDocument, when given, is what a click on a source's document does
  // (see cite).
  function details(raw, isRelation, nameOf, openDocument) {
    var box = el('div', { class: 'tg-details', 'data-testid': 'details' });
    if (isRelation) {
      box.appendChild(el('h3', { text: raw.type || 'relation' }));
      box.appendChild(el('p', { class: 'tg-ends', text: (nameOf(raw.fromId)) + (raw.undirected ? ' — ' : ' → ') + nameOf(raw.toId) }));
    } else {
      box.appendChild(el('h3', { text: raw.name || raw.id }));
    }
    var dl = el('dl');
    var skip = { sources: 1, properties: 1, name: 1, undirected: 1, fromName: 1, toName: 1 };
    Object.keys(raw).forEach(function (k) {
      if (skip[k] || k.charAt(0) === '_' || (k === 'id' && raw._drawingID) || raw[k] === null || raw[k] === undefined || raw[k] === '') return;
      var v = Array.isArray(raw[k]) ? raw[k].join(', ') : typeof raw[k] === 'object' ? JSON.stringify(raw[k]) : String(raw[k]);
      if (v === '') return;
      dl.appendChild(el('dt', { text: k }));
      dl.appendChild(el('dd', { text: v }));
    });
    if (isRelation && !raw.validFrom && !raw.validTo) {
      dl.appendChild(el('dt', { text: 'valid' }));
      dl.appendChild(el('dd', { text: 'undated' }));
    }
    box.appendChild(dl);
    if (raw.properties && Object.keys(raw.properties).length) {
      box.appendChild(el('h4', { text: 'Properties' }));
      var pl = el('dl', { class: 'tg-props' });
      Object.keys(raw.properties).forEach(function (k) {
        var v = raw.properties[k];
        pl.appendChild(el('dt', { text: k }));
        // A web address (a document's url) is a link, as a locator is.
        pl.appendChild(typeof v === 'string' && /^https?:\/\/[^\s]+$/i.test(v)
          ? el('dd', {}, [el('a', { href: v, target: '_blank', rel: 'noopener noreferrer', text: v })])
          : el('dd', { text: typeof v === 'object' ? JSON.stringify(v) : String(v) }));
      });
      box.appendChild(pl);
    }
    if (raw.sources && raw.sources.length) {
      box.appendChild(el('h4', { text: 'Sources' }));
      var ol = el('ol', { class: 'tg-sources' });
      raw.sources.forEach(function (s) { ol.appendChild(el('li', { 'data-testid': 'source' }, cite(s, true, openDocument))); });
      box.appendChild(ol);
    } else if (isRelation && raw.sources === undefined) {
      box.appendChild(el('p', { class: 'tg-hint', text: 'Ask for sources { excerpt locator document { name } } to see the evidence.' }));
    }
    return box;
  }

  // cite renders a source: its excerpt word for word, when it has one, and
  // a line naming the document, the locator (a link when it is a web
  // address, opened only when clicked, in a new tab that learns nothing
  // of the page), and with confidence true the confidence. With
  // openDocument, the document's name is a button that calls it with the
  // document's id: a document is an entity with its own facts (publisher,
  // date, licence, address), which a reader checking a source wants.
  function cite(s, confidence, openDocument) {
    var doc = s.document ? (s.document.name || s.document.id) : (s.documentId || '');
    var line = el('p', { class: 'tg-cite' });
    var parts = [doc];
    // A locator that only repeats the document's name says nothing more.
    if (s.locator && s.locator !== doc) parts.push(s.locator);
    if (confidence && s.confidence != null) parts.push('confidence ' + s.confidence);
    parts.filter(Boolean).forEach(function (p, i) {
      if (i) line.appendChild(document.createTextNode(' · '));
      if (p === s.locator && /^https?:\/\/[^\s]+$/i.test(p)) {
        line.appendChild(el('a', { href: p, target: '_blank', rel: 'noopener noreferrer', text: p }));
      } else if (i === 0 && openDocument && s.document && s.document.id) {
        line.appendChild(el('button', { type: 'button', class: 'tg-doc', text: p, title: 'Show this document',
          onclick: function () { openDocument(s.document.id); } }));
      } else {
        line.appendChild(document.createTextNode(p));
      }
    });
    return [s.excerpt ? el('blockquote', { text: s.excerpt }) : null, line];
  }

  // legend lists the entity types in view with their colours, and says how
  // dated and undated relations are drawn.
  function legend(types) {
    var ul = el('ul', { class: 'tg-legend', 'aria-label': 'Legend' });
    types.slice().sort().forEach(function (t) {
      ul.appendChild(el('li', {}, [el('span', { class: 'tg-swatch', style: 'background:' + colorFor(t) }), t || '(type not asked for)']));
    });
    ul.appendChild(el('li', {}, [el('span', { class: 'tg-line tg-solid' }), 'dated relation']));
    ul.appendChild(el('li', {}, [el('span', { class: 'tg-line tg-dashed' }), 'undated relation']));
    return ul;
  }

  // layout returns the cytoscape layout options for "force" (CoSE) or
  // "concentric" (rings by distance from the focus, else by degree).
  // CoSE runs without animation and with fewer iterations on large views,
  // so that the first drawing of a few hundred entities stays under a
  // second.
  function layout(name, count, focus) {
    if (name === 'concentric') {
      return {
        name: 'concentric', animate: false, minNodeSpacing: 12, avoidOverlap: count < 1500,
        concentric: function (n) { return n.data('ring') != null ? 100 - n.data('ring') : n.degree(); },
        levelWidth: function () { return 1; },
      };
    }
    return {
      name: 'cose', animate: false, randomize: true, nodeDimensionsIncludeLabels: false,
      numIter: count > 300 ? 250 : 1000, idealEdgeLength: function () { return count > 300 ? 40 : count < 10 ? 160 : 90; },
      nodeRepulsion: function () { return count > 300 ? 20000 : count < 10 ? 400000 : 400000; }, gravity: count > 300 ? 1 : 0.25,
      componentSpacing: 60, fit: true, padding: 30,
    };
  }

  // maxFitZoom is the most a layout zooms in to fit a small view.
  var maxFitZoom = 1.5;

  // arrange lays the graph out. A force layout of more than 200 entities
  // costs seconds, so those are first drawn in rings (rings() below, linear
  // time, on screen at once) and then refined by CoSE in animation frames,
  // the page answering meanwhile. drawn is called after the first frame on
  // screen, settled when the layout has finished.
  function arrange(cy, name, opts, drawn, settled) {
    var count = cy.nodes().length;
    var big = name === 'force' && count > 200;
    // Cytoscape's selectors have no :not(); a selector it cannot parse
    // matches nothing (with a console warning), so the collection's not().
    (count > 200 ? cy.edges().not('.bulk') : cy.edges('.bulk')).toggleClass('bulk', count > 200);
    if (big) {
      // Fitted by hand: cytoscape's fit measures every label first, which
      // took most of a second for 500 entities.
      var placed = rings(cy);
      cy.nodes().positions(placed.at);
      var side = Math.min(cy.width(), cy.height()) || 600;
      cy.zoom(Math.min(1, side / (2 * placed.radius + 80)));
      cy.pan({ x: cy.width() / 2, y: cy.height() / 2 });
    } else {
      var l = cy.layout(Object.assign(layout(name, count), opts || {}));
      // Fitting a handful of entities to the canvas zoomed up to 4x: labels
      // of 30 pixels, overlapping. A small view stays at a readable size.
      l.one('layoutstop', function () {
        if (cy.zoom() > maxFitZoom) { cy.zoom(maxFitZoom); cy.center(); }
      });
      l.run();
    }
    // A timeout queued from the next animation frame runs after that
    // frame is painted: only then is the drawing on screen.
    requestAnimationFrame(function () { setTimeout(after, 0); });
    function after() {
      if (drawn) drawn();
      if (!big) { if (settled) settled(); return; }
      var refine = Object.assign(layout('force', count), { randomize: false, animate: true, refresh: 5, fit: true, animationThreshold: 0 });
      var l = cy.layout(refine);
      l.one('layoutstop', function () { if (settled) settled(); });
      l.run();
    }
  }

  // rings places entities on circles by data('ring') (the distance from
  // the focus), else by degree, spaced so that neighbours do not overlap;
  // unlike cytoscape's concentric layout it measures no labels.
  function rings(cy) {
    var byRing = new Map();
    cy.nodes().forEach(function (n) {
      var r = n.data('ring');
      if (r == null) r = n.degree() > 2 ? 1 : 2;
      if (!byRing.has(r)) byRing.set(r, []);
      byRing.get(r).push(n.id());
    });
    var pos = {}, radius = 0;
    Array.from(byRing.keys()).sort(function (a, b) { return a - b; }).forEach(function (r) {
      var ids = byRing.get(r);
      if (r === 0 && ids.length === 1) { pos[ids[0]] = { x: 0, y: 0 }; return; }
      radius = Math.max(radius + 120, ids.length * 28 / (2 * Math.PI));
      ids.forEach(function (id, i) {
        var a = 2 * Math.PI * i / ids.length;
        pos[id] = { x: radius * Math.cos(a), y: radius * Math.sin(a) };
      });
    });
    return { at: function (n) { return pos[n.id()]; }, radius: radius };
  }

  // newGraph makes a cytoscape instance with the shared style, tuned so
  // that large views stay interactive while panning and zooming.
  function newGraph(container) {
    var cy = global.cytoscape({
      container: container, style: style(), minZoom: 0.05, maxZoom: 4,
      hideEdgesOnViewport: false, textureOnViewport: false, motionBlur: false, pixelRatio: 1,
      boxSelectionEnabled: false,
    });
    // A relation's label shows while the pointer is on it.
    cy.on('mouseover', 'edge', function (ev) { ev.target.addClass('hover'); });
    cy.on('mouseout', 'edge', function (ev) { ev.target.removeClass('hover'); });
    return cy;
  }

  global.TiesGraph = {
    key: key, withKey: withKey, refusal: refusal, query: query, download: download, saveBlob: saveBlob,
    APIError: APIError, colorFor: colorFor, year: year, holdsIn: holdsIn, style: style,
    entityElement: entityElement, relationElement: relationElement, extract: extract,
    details: details, cite: cite, legend: legend, layout: layout, arrange: arrange, newGraph: newGraph, el: el,
  };
})(window);
