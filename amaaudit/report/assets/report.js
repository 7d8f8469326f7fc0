/* amaaudit report: the VM x step matrix and the details panel.
 *
 * Runs where it is included, before pytest-html's own script, so the matrix shows first.
 * The matrix is virtualized (only the rows in view are in the DOM) so 10,000 VMs cost the
 * same as 30; a VM's details are built from a JSON blob only when it is opened.
 * Every string from the estate is untrusted: DOM nodes are built with textContent, never
 * innerHTML, and the URL hash is only ever used as a lookup key.
 */
(function () {
  'use strict';
  var T0 = performance.now();
  var D = JSON.parse(document.getElementById('aa-data').textContent);
  var W = D.words, STEPS = D.steps, ROWS = D.vms;
  var ROW_H = 28, OVERSCAN = 12;
  var SYM = {p: '\u2713', f: '\u2717', w: '!', s: '\u2013', e: '?', v: '~', '.': ''};
  var OUT = {p: 'pass', f: 'fail', w: 'warn', s: 'skip', e: 'error', v: 'waived', '.': 'none'};
  var RANK = {e: 0, f: 1, v: 2, w: 3, s: 4, p: 5, '.': 6};
  var LONG = {pass: 'o_pass', fail: 'o_fail', warn: 'o_warn', skip: 'o_skip', error: 'o_error', waived: 'o_waived'};
  var byRid = new Map();
  var vmRank = new Array(ROWS.length);
  ROWS.forEach(function (r, i) {
    byRid.set(r[5].toLowerCase(), i);
    var best = 6;
    for (var k = 0; k < r[3].length; k++) { best = Math.min(best, RANK[r[3][k]]); }
    vmRank[i] = best <= 1 ? 0 : best <= 3 ? 1 : 2;   // broken, findings, clean
  });
  var KINDS = D.kinds || [{code: 'vm', label: 'VM'}];
  var state = {sub: -1, rg: -1, kind: -1, q: '', show: 'all', sort: 'status', asc: true, selected: -1, step: null};
  var view = [];
  var details = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) { if (arguments[i]) { parent.appendChild(arguments[i]); } }
    return parent;
  }
  function fmt(key, values) {
    return W[key].replace(/\{(\w+)\}/g, function (_, k) { return values[k] === undefined ? '' : String(values[k]); });
  }
  function shortSub(s) { return s.length > 13 ? s.slice(0, 8) + '\u2026' : s; }
  function hashFor(i, step) {
    return '#r=' + encodeURIComponent(ROWS[i][5].toLowerCase()) + (step ? '&s=' + encodeURIComponent(step) : '');
  }

  /* ---- toolbar ------------------------------------------------------------------------ */
  function option(value, label) { var o = el('option', null, label); o.value = String(value); return o; }
  var bar = document.getElementById('aa-toolbar');
  var subSel = el('select', 'aa-in'), rgSel = el('select', 'aa-in'), showSel = el('select', 'aa-in');
  var kindSel = el('select', 'aa-in');
  var search = el('input', 'aa-in aa-search');
  subSel.id = 'aa-f-sub'; rgSel.id = 'aa-f-rg'; showSel.id = 'aa-f-show'; search.id = 'aa-f-q'; kindSel.id = 'aa-f-kind';
  kindSel.setAttribute('aria-label', W.machine_kind);
  add(kindSel, option(-1, W.all_kinds));
  KINDS.forEach(function (k, i) { add(kindSel, option(i, k.label)); });
  subSel.setAttribute('aria-label', W.subscription); rgSel.setAttribute('aria-label', W.resource_group);
  showSel.setAttribute('aria-label', W.show_all);
  search.type = 'search'; search.placeholder = W.filter_vm; search.setAttribute('aria-label', W.filter_vm);
  add(subSel, option(-1, W.all_subs));
  D.subs.forEach(function (s, i) { add(subSel, option(i, s)); });
  function fillRgs() {
    var used = new Set();
    ROWS.forEach(function (r) { if (state.sub < 0 || r[1] === state.sub) { used.add(r[2]); } });
    rgSel.textContent = '';
    add(rgSel, option(-1, W.all_rgs));
    D.rgs.forEach(function (g, i) { if (used.has(i)) { add(rgSel, option(i, g)); } });
    rgSel.value = used.has(state.rg) ? String(state.rg) : '-1';
    state.rg = Number(rgSel.value);
  }
  [['all', W.show_all], ['broken', W.show_broken], ['findings', W.show_findings], ['healthy', W.show_healthy]]
    .concat(D.baseline ? [['new', W.show_new]] : [])
    .forEach(function (p) { add(showSel, option(p[0], p[1])); });
  add(bar, search, KINDS.length > 1 ? kindSel : null, subSel, rgSel, showSel);
  kindSel.addEventListener('change', function () { state.kind = Number(kindSel.value); refresh(); });
  fillRgs();
  subSel.addEventListener('change', function () { state.sub = Number(subSel.value); fillRgs(); refresh(); });
  rgSel.addEventListener('change', function () { state.rg = Number(rgSel.value); refresh(); });
  showSel.addEventListener('change', function () { state.show = showSel.value; refresh(); });
  search.addEventListener('input', function () { state.q = search.value.trim().toLowerCase(); refresh(); });

  /* ---- matrix ------------------------------------------------------------------------- */
  var mx = document.getElementById('aa-matrix');
  mx.style.setProperty('--aa-cols', 'minmax(100px, 1.4fr) 56px 80px minmax(84px, 1fr) repeat(' + STEPS.length + ', 58px)');
  var head = el('div', 'aa-mx-head');
  head.setAttribute('role', 'row');
  function sortButton(key, label, title) {
    var b = el('button', 'aa-sort', label);
    b.type = 'button'; b.dataset.sort = key; b.title = title || label;
    b.setAttribute('role', 'columnheader');
    b.addEventListener('click', function () {
      state.asc = state.sort === key ? !state.asc : true;
      state.sort = key; refresh();
    });
    return b;
  }
  add(head, sortButton('name', W.vm), sortButton('kind', W.machine_kind), sortButton('sub', W.subscription),
      sortButton('rg', W.resource_group));
  STEPS.forEach(function (s, i) {
    var b = sortButton('step' + i, D.short[i], (i + 1) + '. ' + s.title + (s.run ? '' : ' \u2014 ' + W.not_run_step));
    b.classList.add('aa-step-h');
    if (!s.run) { b.classList.add('aa-not-run'); }
    head.appendChild(b);
  });
  var scroller = el('div', 'aa-mx-scroll');
  var canvas = el('div', 'aa-mx-canvas');
  canvas.setAttribute('role', 'rowgroup');
  var empty = el('p', 'aa-muted aa-mx-empty', W.no_match);
  add(scroller, canvas);
  add(mx, head, scroller, empty);

  function matches(r, i) {
    if (state.sub >= 0 && r[1] !== state.sub) { return false; }
    if (state.rg >= 0 && r[2] !== state.rg) { return false; }
    if (state.kind >= 0 && (r[7] || 0) !== state.kind) { return false; }
    if (state.q && r[0].toLowerCase().indexOf(state.q) < 0) { return false; }
    if (state.show === 'broken') { return vmRank[i] === 0; }
    if (state.show === 'findings') { return vmRank[i] <= 1; }
    if (state.show === 'healthy') { return vmRank[i] > 0; }
    if (state.show === 'new') { return (r[6] || 0) > 0; }   // --baseline / --what-if: a step is new
    return true;
  }
  function cmpText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function comparator() {
    var key = state.sort, dir = state.asc ? 1 : -1;
    var name = function (i, j) { return cmpText(ROWS[i][0].toLowerCase(), ROWS[j][0].toLowerCase()) || i - j; };
    if (key === 'name') { return function (i, j) { return dir * name(i, j); }; }
    if (key === 'sub') {
      return function (i, j) { return dir * (cmpText(D.subs[ROWS[i][1]], D.subs[ROWS[j][1]]) || ROWS[i][2] - ROWS[j][2]) || name(i, j); };
    }
    if (key === 'kind') {
      return function (i, j) { return dir * ((ROWS[i][7] || 0) - (ROWS[j][7] || 0)) || name(i, j); };
    }
    if (key === 'rg') {
      return function (i, j) { return dir * (cmpText(D.rgs[ROWS[i][2]].toLowerCase(), D.rgs[ROWS[j][2]].toLowerCase())) || name(i, j); };
    }
    if (key.indexOf('step') === 0) {
      var k = Number(key.slice(4));
      return function (i, j) { return dir * (RANK[ROWS[i][3][k]] - RANK[ROWS[j][3][k]]) || vmRank[i] - vmRank[j] || name(i, j); };
    }
    // status: broken VMs first, ordered by where their chain breaks, then findings, then clean
    return function (i, j) {
      var fi = ROWS[i][4] < 0 ? 99 : ROWS[i][4], fj = ROWS[j][4] < 0 ? 99 : ROWS[j][4];
      return dir * (vmRank[i] - vmRank[j] || fi - fj) || name(i, j);
    };
  }
  function refresh() {
    view = [];
    for (var i = 0; i < ROWS.length; i++) { if (matches(ROWS[i], i)) { view.push(i); } }
    view.sort(comparator());
    head.querySelectorAll('.aa-sort').forEach(function (b) {
      b.classList.toggle('aa-sorted', b.dataset.sort === state.sort);
      b.classList.toggle('aa-desc', b.dataset.sort === state.sort && !state.asc);
    });
    document.getElementById('aa-shown').textContent = fmt('shown', {shown: view.length.toLocaleString('en-US'), total: ROWS.length.toLocaleString('en-US')});
    canvas.style.height = (view.length * ROW_H) + 'px';
    empty.style.display = view.length ? 'none' : '';
    scroller.scrollTop = 0;
    paint(true);
  }
  var painted = {from: -1, to: -1};
  function paint(force) {
    var top = scroller.scrollTop, height = scroller.clientHeight || 560;
    var from = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    var to = Math.min(view.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    if (!force && from === painted.from && to === painted.to) { return; }
    painted = {from: from, to: to};
    var frag = document.createDocumentFragment();
    for (var p = from; p < to; p++) { frag.appendChild(row(view[p], p)); }
    canvas.textContent = '';
    canvas.appendChild(frag);
  }
  function row(i, position) {
    var r = ROWS[i];
    var line = el('div', 'aa-mx-row' + (i === state.selected ? ' aa-selected' : ''));
    line.setAttribute('role', 'row');
    line.style.top = (position * ROW_H) + 'px';
    line.dataset.vm = String(i);
    var name = el('a', 'aa-vm', r[0]);
    name.href = hashFor(i, null); name.title = r[0]; name.setAttribute('role', 'rowheader');
    var sub = el('span', 'aa-sub aa-mono', shortSub(D.subs[r[1]]));
    sub.title = D.subs[r[1]]; sub.setAttribute('role', 'gridcell');
    var rg = el('span', 'aa-rg', D.rgs[r[2]]);
    rg.title = D.rgs[r[2]]; rg.setAttribute('role', 'gridcell');
    var kind = KINDS[r[7] || 0] || KINDS[0];
    var badge = el('span', 'aa-kind-cell aa-mk-' + kind.code, kind.label);
    badge.title = kind.label; badge.setAttribute('role', 'gridcell');
    add(line, name, badge, sub, rg);
    for (var k = 0; k < STEPS.length; k++) {
      var c = r[3][k];
      var cell = el('a', 'aa-c aa-c-' + (c === '.' ? 'n' : c), SYM[c]);
      cell.href = hashFor(i, STEPS[k].name);
      cell.dataset.step = STEPS[k].name;
      cell.setAttribute('role', 'gridcell');
      cell.title = r[0] + ' \u00b7 ' + STEPS[k].title + ': ' + W[LONG[OUT[c]] || 'o_none'];
      if (k === r[4]) { cell.classList.add('aa-first'); cell.title += ' (' + W.first_tag + ')'; }
      if ((r[6] || 0) & (1 << k)) { cell.classList.add('aa-new'); cell.title += ' (' + W.new_tag + ')'; }
      line.appendChild(cell);
    }
    return line;
  }
  var ticking = false;
  scroller.addEventListener('scroll', function () {
    if (ticking) { return; }
    ticking = true;
    requestAnimationFrame(function () { ticking = false; paint(false); });
  });
  refresh();
  var T1 = performance.now();
  document.documentElement.dataset.aaMatrixMs = (T1).toFixed(0);
  document.documentElement.dataset.aaMatrixBuildMs = (T1 - T0).toFixed(0);
  requestAnimationFrame(function () {
    setTimeout(function () { document.documentElement.dataset.aaMatrixPaintMs = performance.now().toFixed(0); }, 0);
  });

  /* ---- details ------------------------------------------------------------------------ */
  var S = [];   // the details' string table: text that repeats across VMs is stored once
  var NAME = '';   // the VM whose details are built: an entry of S that is a list is the pieces around its name
  function loadDetails() {
    if (details === null) {
      var node = document.getElementById('aa-details-data');
      if (!node) { return {}; }
      var blob = JSON.parse(node.textContent);
      S = blob.s; details = blob.d;
    }
    return details;
  }
  function str(i) {
    var v = typeof i === 'number' ? S[i] : i;
    return Array.isArray(v) ? v.join(NAME) : v;
  }
  function lines(list) { return list.map(str).join('\n'); }
  function copyButton(getText) {
    var b = el('button', 'aa-copy', W.copy);
    b.type = 'button';
    b.addEventListener('click', function () {
      var text = getText();
      var done = function () { b.textContent = W.copied; setTimeout(function () { b.textContent = W.copy; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
      } else { fallbackCopy(text); done(); }
    });
    return b;
  }
  function fallbackCopy(text) {
    var area = el('textarea');
    area.value = text; area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } catch (e) { /* nothing else to try */ }
    area.remove();
  }
  function badge(outcome) { return el('span', 'aa-badge aa-o-' + outcome, W[LONG[outcome]] || outcome); }
  function pre(text, cls) { var p = el('pre', 'aa-pre ' + (cls || ''), text); return p; }
  function waiverNote(w) {
    var key = w.status === 'applied' ? 'waiver_applied' : w.status === 'expired' ? 'waiver_expired' : 'waiver_error';
    return el('p', 'aa-waiver aa-waiver-' + (w.status === 'applied' ? 'ok' : 'bad'), fmt(key, w));
  }
  function resultBlock(res) {
    var box = el('div', 'aa-res');
    if (res.w) { box.appendChild(waiverNote(res.w)); }
    (res.f || []).forEach(function (f) {
      var fb = el('div', 'aa-finding aa-sev-' + f.sev);
      var title = el('div', 'aa-f-title');
      add(title, el('span', 'aa-sev', f.sev), el('code', 'aa-code', f.code));
      add(fb, title, el('p', 'aa-msg', str(f.msg)));
      var fix = el('div', 'aa-fix');
      add(fix, el('div', 'aa-label', W.fix), el('p', null, str(f.fix)));
      fb.appendChild(fix);
      if (f.cmd && f.cmd.length) {
        var cmds = el('div', 'aa-cmds');
        var text = lines(f.cmd);
        var label = el('div', 'aa-label', W.commands);
        add(label, copyButton(function () { return text; }));
        add(cmds, label, pre(text, 'aa-cmd'));
        fb.appendChild(cmds);
      }
      if (f.ev !== undefined) {
        var ev = el('details', 'aa-ev');
        add(ev, el('summary', null, W.evidence), pre(JSON.stringify(JSON.parse(str(f.ev)), null, 2), 'aa-json'));
        fb.appendChild(ev);
      }
      box.appendChild(fb);
    });
    if (res.why !== undefined && !(res.f && res.f.length)) {
      add(box, add(el('p', 'aa-why'), el('span', 'aa-label', W.reason + ': '), document.createTextNode(str(res.why))));
    }
    add(box, el('p', 'aa-test aa-muted aa-mono', W.test + ': ' + str(res.t)));
    return box;
  }
  function draftBlock(drafts) {
    var sec = el('section', 'aa-draft');
    add(sec, el('h4', null, W.support), el('p', 'aa-muted', W.support_hint));
    var tabs = el('div', 'aa-tabs');
    var body = el('div', 'aa-draft-body');
    var owner = NAME;    // a tab is switched later: the draft's lines are joined with its own VM's name
    function show(code) {
      NAME = owner;
      tabs.querySelectorAll('button').forEach(function (b) { b.classList.toggle('aa-on', b.dataset.lang === code); });
      var d = drafts[code], description = lines(d.description);
      body.textContent = '';
      var form = el('dl', 'aa-form');
      [['f_service', d.service], ['f_type', d.problem_type], ['f_subtype', d.problem_subtype]].forEach(function (p) {
        add(form, el('dt', null, W[p[0]]), el('dd', 'aa-mono', lines(p[1])));
      });
      var label = el('div', 'aa-label', W.f_description);
      add(label, copyButton(function () { return description; }));
      var text = pre(description, 'aa-draft-text');
      text.lang = code;
      add(body, form, label, text);
    }
    [['en', 'English'], ['ja', '\u65e5\u672c\u8a9e']].forEach(function (p) {
      var b = el('button', 'aa-tab', p[1]);
      b.type = 'button'; b.dataset.lang = p[0];
      b.addEventListener('click', function () { show(p[0]); });
      tabs.appendChild(b);
    });
    add(sec, tabs, body);
    show(D.lang === 'ja' ? 'ja' : 'en');
    return sec;
  }
  function renderDetails(i, focusStep) {
    var pane = document.getElementById('aa-details');
    var r = ROWS[i], info = loadDetails()[String(i)] || null;
    NAME = r[0];
    pane.textContent = '';
    pane.dataset.vm = String(i);
    var top = el('div', 'aa-d-head');
    var h = el('h3', 'aa-d-name', r[0]);
    var meta = el('p', 'aa-muted', ((KINDS[r[7] || 0] || KINDS[0]).label) + ' \u00b7 ' + D.subs[r[1]] + ' / ' +
                  D.rgs[r[2]] + (info && info.loc ? ' / ' + info.loc : ''));
    var rid = el('div', 'aa-rid');
    add(rid, el('code', 'aa-mono', r[5]), copyButton(function () { return r[5]; }));
    add(top, h, meta, rid);
    if (info && info.tags && Object.keys(info.tags).length) {
      var tags = el('div', 'aa-tags');
      Object.keys(info.tags).sort().forEach(function (k) { tags.appendChild(el('span', 'aa-tag', k + '=' + info.tags[k])); });
      top.appendChild(tags);
    }
    pane.appendChild(top);
    if (r[3].replace(/[p.]/g, '') === '') { pane.appendChild(el('p', 'aa-allpass', W.all_passed)); }
    var chain = el('ol', 'aa-chain');
    STEPS.forEach(function (s, k) {
      var c = r[3][k];
      var li = el('li', 'aa-d-step aa-s-' + (c === '.' ? 'n' : c));
      li.id = 'aa-d-' + s.name;
      li.dataset.step = s.name;
      var title = el('div', 'aa-d-title');
      add(title, el('span', 'aa-c aa-c-' + (c === '.' ? 'n' : c), SYM[c]), el('b', null, (k + 1) + '. ' + s.title));
      if (c !== '.') { title.appendChild(badge(OUT[c])); } else { title.appendChild(el('span', 'aa-muted', W.not_run_step)); }
      if (k === r[4]) { title.appendChild(el('span', 'aa-first-tag', W.first_tag)); }
      li.appendChild(title);
      var results = info && info.steps[s.name] ? info.steps[s.name] : [];
      if (s.name === focusStep || results.length) {
        li.appendChild(add(el('p', 'aa-checks'), el('span', 'aa-label', W.what_checked + ': '), document.createTextNode(s.checks)));
      }
      results.forEach(function (res) { li.appendChild(resultBlock(res)); });
      if (s.name === focusStep) { li.classList.add('aa-current'); }
      chain.appendChild(li);
    });
    pane.appendChild(chain);
    if (info && info.draft) { pane.appendChild(draftBlock(info.draft)); }
    canvas.querySelectorAll('.aa-selected').forEach(function (n) { n.classList.remove('aa-selected'); });
    var shownRow = canvas.querySelector('[data-vm="' + i + '"]');
    if (shownRow) { shownRow.classList.add('aa-selected'); }
    state.selected = i;
  }
  function fromHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    var rid = params.get('r');
    if (!rid || !byRid.has(rid.toLowerCase())) { return false; }
    var i = byRid.get(rid.toLowerCase());
    var step = params.get('s');
    if (step && !STEPS.some(function (s) { return s.name === step; })) { step = null; }
    renderDetails(i, step);
    var pos = view.indexOf(i);
    if (pos >= 0 && (pos * ROW_H < scroller.scrollTop || (pos + 1) * ROW_H > scroller.scrollTop + scroller.clientHeight)) {
      scroller.scrollTop = Math.max(0, pos * ROW_H - 3 * ROW_H);
    }
    var pane = document.getElementById('aa-details');
    var target = step ? document.getElementById('aa-d-' + step) : pane;
    var rect = pane.getBoundingClientRect();
    if (rect.top < 0 || rect.top > window.innerHeight * 0.6) { pane.scrollIntoView({block: 'start'}); }
    if (target && target !== pane) { pane.scrollTop = Math.max(0, target.offsetTop - 8); }  // the pane is sticky: offsetParent
    return true;
  }
  window.addEventListener('hashchange', fromHash);
  function start() {
    if (fromHash()) { return; }
    if (view.length && vmRank[view[0]] === 0) { renderDetails(view[0], null); }
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
