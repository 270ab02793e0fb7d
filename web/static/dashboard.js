/* IndexPilot analytics: the overview page's script.
 *
 * The server renders the key figures and every table, so the page is
 * complete without this file. The script draws the charts with uPlot,
 * keeps the view (period, version) in the URL, and refreshes figures,
 * charts and tables every data-refresh seconds without reloading the page
 * from /api/v1/dashboard/overview/view: the overview's numbers, and every
 * figure, heading and table cell as the server writes them
 * (internal/server/page_view.go). The script writes no number itself: a
 * chart's legend shows the cells of its table.
 *
 * Rules: strings from the data (versions, features, OS names come from
 * the internet) are only ever set with textContent, option.text or drawn
 * on a canvas, never parsed as HTML; no inline style or script (the
 * Content-Security-Policy forbids them).
 */
window.IndexPilot.page('dashboard', function (main, uPlot) {
  'use strict';

  var fillTable = window.IndexPilot.fillTable;
  var api = main.getAttribute('data-api');
  var refreshSeconds = Number(main.getAttribute('data-refresh')) || 30;
  var defaultDays = main.getAttribute('data-default-days') || '30';
  var palette = ['#1f5fa8', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#8c6d31', '#6b6ecf'];
  var otherColor = '#8a939c';
  var otherVersions = main.getAttribute('data-other-versions'); // drawn grey
  var maxBars = 12;
  var narrowBars = 8; // below 500 px, so that labels stay readable

  function $(id) { return document.getElementById(id); }

  var none = '\u2013'; // a legend with no point under the cursor

  function shortLabel(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
  function daySeconds(day) { return Date.parse(day + 'T00:00:00Z') / 1000; }

  // ---- The view in the URL ----

  function viewParams() {
    var p = new URLSearchParams();
    var days = $('days').value;
    if (days === 'custom') {
      p.set('days', 'custom');
      p.set('from', $('from').value);
      p.set('to', $('to').value);
    } else {
      p.set('days', days);
    }
    if ($('version').value) { p.set('version', $('version').value); }
    return p;
  }

  function pageURL() {
    var p = viewParams();
    var refresh = new URLSearchParams(location.search).get('refresh');
    if (refresh) { p.set('refresh', refresh); }
    return '/?' + p.toString();
  }

  function readURL() {
    var p = new URLSearchParams(location.search);
    var days = p.get('days') || (p.get('from') ? 'custom' : defaultDays);
    if (days !== 'custom' && !/^[0-9]{1,3}$/.test(days)) { days = defaultDays; }
    var select = $('days');
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === days; })) {
      select.add(new Option('Last ' + days + ' days', days), select.options[select.options.length - 1]);
    }
    select.value = days;
    if (p.get('from')) { $('from').value = p.get('from'); }
    if (p.get('to')) { $('to').value = p.get('to'); }
    setVersionOptions(null, p.get('version') || '');
    showCustom();
  }

  function showCustom() { $('custom-range').hidden = $('days').value !== 'custom'; }

  function customReady() {
    return $('days').value !== 'custom' || ($('from').value !== '' && $('to').value !== '');
  }

  function apply() {
    showCustom();
    if (!customReady()) { return; }
    history.pushState(null, '', pageURL());
    load();
  }

  // ---- Key figures ----

  function renderFigures(view) {
    view.cards.forEach(function (c) {
      $(c.id).textContent = c.value;
      $(c.id + '_label').textContent = c.label;
      var ch = $(c.id + '_change');
      ch.textContent = c.change;
      ch.className = 'change ' + c.trend;
    });
    $('period').textContent = view.period;
    $('previous').textContent = view.previous;
  }

  function setVersionOptions(versions, selected) {
    var select = $('version');
    var list = versions || Array.prototype.slice.call(select.options, 1).map(function (o) { return o.value; });
    if (selected && list.indexOf(selected) < 0) { list = list.concat([selected]); }
    select.textContent = '';
    select.add(new Option('All versions', ''));
    list.forEach(function (v) { select.add(new Option(v, v)); });
    select.value = selected;
  }

  // ---- Charts: each turns the overview into a plot ----
  //
  // plot(ov, t) returns what to draw of the overview ov for the chart whose
  // view (title, table) is t. Each series names the table column whose
  // cells its legend shows: the table's row i is the plot's point i for
  // per-day charts; for bars, the row is found by its first cell.

  // column returns the legend texts of column col of table t, by point.
  function column(t, col) {
    return function (i) { return t.rows[i] ? t.rows[i][col] : none; };
  }
  function byName(t, labels, col) {
    var cells = {};
    t.rows.forEach(function (r) { cells[r[0]] = r[col]; });
    return function (i) { return cells[labels[i]] === undefined ? none : cells[labels[i]]; };
  }

  function timeSeries(series, t) {
    return series.map(function (s, j) { return { label: s.name, values: s.values, text: column(t, j + 1) }; });
  }

  function adoptionPlot(what, rows, t) {
    rows = rows.slice(0, maxBars);
    var labels = rows.map(function (a) { return a.name; });
    return {
      kind: 'bars', xLabel: what, labels: labels, yLabel: '% of active installations', yMax: 100,
      series: [{ label: '% of active installations', values: rows.map(function (a) { return a.pct; }), text: byName(t, labels, 2) }]
    };
  }

  var plots = {
    active: function (ov, t) {
      return { kind: 'time', yLabel: 'installations', fill: true,
        series: [{ label: 'Active installations', values: ov.active_by_day, text: column(t, 1) }] };
    },
    versions: function (ov, t) {
      return { kind: 'time', yLabel: 'installations', stacked: true, series: timeSeries(ov.version_by_day, t) };
    },
    features: function (ov, t) { return adoptionPlot('Feature', ov.feature_adoption, t); },
    'feature-success': function (ov, t) {
      var rows = ov.feature_success.slice(0, maxBars);
      var labels = rows.map(function (f) { return f.name; });
      return { kind: 'bars', xLabel: 'Feature', labels: labels, yLabel: 'success rate (%)', yMax: 100,
        series: [
          { label: 'Success rate', values: rows.map(function (f) { return f.success_rate_pct; }), text: byName(t, labels, 3) },
          { label: '95 % interval, low', values: rows.map(function (f) { return f.low_pct; }), text: byName(t, labels, 4), points: true },
          { label: '95 % interval, high', values: rows.map(function (f) { return f.high_pct; }), text: byName(t, labels, 4), points: true }
        ] };
    },
    algorithms: function (ov, t) {
      var rows = ov.algorithms.slice(0, maxBars);
      var labels = rows.map(function (a) { return a.name; });
      if (ov.version) {
        return { kind: 'bars', xLabel: 'Algorithm', labels: labels, yLabel: '% of active installations', yMax: 100,
          series: [{ label: '% of active installations', values: rows.map(function (a) { return a.pct; }), text: byName(t, labels, 5) }] };
      }
      return { kind: 'bars', xLabel: 'Algorithm', labels: labels, yLabel: 'uses', y2Label: 'decisions per use (%)',
        series: [
          { label: 'Uses', values: rows.map(function (a) { return a.uses; }), text: byName(t, labels, 1) },
          { label: 'Decision rate', values: rows.map(function (a) { return a.decision_rate_pct; }), text: byName(t, labels, 3), scale: '%', points: true }
        ] };
    },
    performance: function (ov, t) {
      return { kind: 'time', yLabel: 'avg. improvement (%)', series: timeSeries(ov.performance_by_version, t) };
    },
    errors: function (ov, t) {
      var rows = ov.error_rates.slice().sort(function (a, b) { return b.reports - a.reports; }).slice(0, maxBars);
      var labels = rows.map(function (e) { return e.version; });
      return { kind: 'bars', xLabel: 'Version', labels: labels, yLabel: '% of reports with errors',
        series: [{ label: 'Reports with errors', values: rows.map(function (e) { return e.reports_with_errors_pct; }), text: byName(t, labels, 3) }] };
    },
    postgresql: function (ov, t) { return adoptionPlot('PostgreSQL', ov.postgresql_versions, t); },
    os: function (ov, t) { return adoptionPlot('OS', ov.operating_systems, t); }
  };

  function colorOf(label, i) { return label === otherVersions ? otherColor : palette[i % palette.length]; }

  function plotSize(el) {
    var width = Math.max(240, Math.floor(el.clientWidth));
    return { width: width, height: width < 500 ? 200 : 240 };
  }

  // legend returns the legend text of series j at point idx of what the
  // chart shows now.
  function legend(shown, j) {
    return function (u, v, si, idx) { return idx === null || idx === undefined ? none : shown.spec.series[j].text(idx); };
  }

  // timeOptions draws per-day series against a UTC day axis; stacked
  // series are drawn largest first, each over the one before.
  function timeOptions(shown, size) {
    var spec = shown.spec;
    var series = [{ label: 'Day (UTC)', value: function (u, ts, si, idx) { return idx === null || idx === undefined ? none : shown.ov.day[idx]; } }];
    spec.series.forEach(function (s, i) {
      var color = colorOf(s.label, i);
      series.push({
        label: s.label, stroke: color, width: 2, spanGaps: false,
        fill: spec.stacked ? color : spec.fill ? color + '33' : undefined,
        points: spec.stacked ? { show: false } : {},
        value: legend(shown, i)
      });
    });
    return {
      width: size.width, height: size.height,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
      axes: [
        { label: 'day (UTC)', labelSize: 20 },
        { label: spec.yLabel, labelSize: 20, size: 56 }
      ],
      series: series,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true }
    };
  }

  function barOptions(shown, size) {
    var spec = shown.spec;
    var n = spec.labels.length;
    var narrow = size.width < 500;
    var rotate = n > 4 || narrow;
    var series = [{ label: spec.xLabel, value: function (u, i) { return i === null ? none : (spec.labels[i] || ''); } }];
    spec.series.forEach(function (s, i) {
      var color = palette[i % palette.length];
      var opt = {
        label: s.label, stroke: color, fill: color + 'cc', scale: s.scale || 'y',
        value: legend(shown, i)
      };
      if (s.points) {
        opt.paths = function () { return null; };
        opt.points = { show: true, size: 10, fill: color, stroke: '#fff', width: 2, space: 0 };
      } else {
        opt.paths = uPlot.paths.bars({ size: [spec.series.length > 1 ? 0.5 : 0.65, 64] });
        opt.points = { show: false };
      }
      series.push(opt);
    });
    var axes = [
      {
        splits: function () { return spec.labels.map(function (_, i) { return i; }); },
        values: function (u, splits) {
          return splits.map(function (i) { return shortLabel(spec.labels[i] || '', 12); });
        },
        rotate: rotate ? 50 : 0,
        size: rotate ? 92 : 36,
        gap: 4
      },
      { label: spec.yLabel, labelSize: 20, size: 56 }
    ];
    var scales = {
      x: { time: false, range: function () { return [-0.5, n - 0.5]; } },
      y: { range: function (u, min, max) { return [0, spec.yMax || (max > 0 ? max * 1.1 : 1)]; } }
    };
    if (spec.y2Label) {
      axes.push({ scale: '%', side: 1, label: spec.y2Label, labelSize: 20, size: 56, grid: { show: false } });
      scales['%'] = { range: function (u, min, max) { return [0, Math.max(100, max > 0 ? max * 1.1 : 1)]; } };
    }
    return {
      width: size.width, height: rotate ? size.height + 40 : size.height, scales: scales, axes: axes, series: series,
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: true, live: true }
    };
  }

  function plotData(ov, spec) {
    if (spec.kind === 'bars') {
      return [spec.labels.map(function (_, i) { return i; })].concat(spec.series.map(function (s) { return s.values; }));
    }
    var xs = ov.day.map(daySeconds);
    if (!spec.stacked) {
      return [xs].concat(spec.series.map(function (s) { return s.values; }));
    }
    // Cumulative from the last series up, so the first is the total.
    var out = [], acc = xs.map(function () { return 0; });
    for (var i = spec.series.length - 1; i >= 0; i--) {
      acc = acc.map(function (a, d) { return a + spec.series[i].values[d]; });
      out.unshift(acc);
    }
    return [xs].concat(out);
  }

  var drawn = {}; // by chart id: the uPlot, the key of its shape, and what it draws

  // renderChart shows the chart whose view is t, of the overview ov.
  function renderChart(ov, t) {
    var el = $('chart-' + t.id);
    $('empty-' + t.id).hidden = !t.empty;
    el.hidden = t.empty;
    fillTable($('table-' + t.id), t.head, t.rows);
    $('desc-' + t.id).textContent = t.desc;
    $('note-' + t.id).textContent = t.note;
    $('note-' + t.id).hidden = t.note === '';
    var old = drawn[t.id];
    if (t.empty || !plots[t.id]) {
      if (old) { old.plot.destroy(); delete drawn[t.id]; }
      return;
    }
    var spec = plots[t.id](ov, t);
    if (spec.kind === 'bars' && el.clientWidth < 500 && spec.labels.length > narrowBars) {
      spec.labels = spec.labels.slice(0, narrowBars);
      spec.series.forEach(function (s) { s.values = s.values.slice(0, narrowBars); });
    }
    var data = plotData(ov, spec);
    // Same series and categories: update in place, keeping the cursor;
    // the legend reads what it shows from shown, which follows.
    var key = JSON.stringify([spec.kind, spec.labels || ov.day.length, spec.series.map(function (s) { return s.label; })]);
    if (old && old.key === key) {
      old.shown.ov = ov;
      old.shown.spec = spec;
      old.plot.setData(data);
      return;
    }
    if (old) { old.plot.destroy(); }
    var shown = { ov: ov, spec: spec };
    var size = plotSize(el);
    var opts = spec.kind === 'bars' ? barOptions(shown, size) : timeOptions(shown, size);
    drawn[t.id] = { key: key, shown: shown, plot: new uPlot(opts, data, el) };
  }

  var last = null; // the view drawn last

  // resize redraws the charts whose width changed: sizes, label rotation
  // and the number of bars depend on it.
  function resize() {
    if (!last) { return; }
    last.charts.forEach(function (t) {
      var d = drawn[t.id];
      if (d && d.plot.width !== plotSize($('chart-' + t.id)).width) {
        d.plot.destroy();
        delete drawn[t.id];
        renderChart(last.overview, t);
      }
    });
  }

  function render(view) {
    last = view;
    renderFigures(view);
    setVersionOptions(view.overview.versions, $('version').value);
    view.charts.forEach(function (t) { renderChart(view.overview, t); });
    main.setAttribute('data-loaded', view.overview.figures.active_installations);
  }

  // ---- Loading and refreshing ----

  var inflight = null;
  var timer = null;
  var signedOut = false; // no point asking again until the visitor signs in
  var loads = 0;

  // setStatus says what went wrong, in a live region: screen readers hear
  // problems, not every successful refresh.
  function setStatus(text, stale, link) {
    var status = $('alert');
    status.textContent = text;
    if (link) {
      var a = document.createElement('a');
      a.href = link.href;
      a.textContent = link.text;
      status.appendChild(document.createTextNode(' '));
      status.appendChild(a);
    }
    status.parentNode.classList.toggle('stale', stale);
  }

  function setUpdated() {
    window.IndexPilot.setUpdated(refreshSeconds);
    $('status').parentNode.classList.remove('stale');
  }

  function load() {
    clearTimeout(timer);
    if (inflight) { inflight.abort(); }
    var ctl = new AbortController();
    inflight = ctl;
    fetch(api + '?' + viewParams().toString(), { headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: ctl.signal })
      .then(function (res) {
        return res.json().then(function (body) { return { res: res, body: body }; });
      })
      .then(function (r) {
        if (r.res.status === 401) {
          signedOut = true;
          setStatus('Your session has ended.', true, { href: '/login?next=' + encodeURIComponent(pageURL()), text: 'Sign in again' });
          return;
        }
        if (!r.res.ok) {
          setStatus('Could not update: ' + (r.body.message || r.res.status) + '.', true);
          return;
        }
        render(r.body);
        loads++;
        main.setAttribute('data-loads', String(loads));
        setUpdated();
      })
      .catch(function (err) {
        if (err.name !== 'AbortError') { setStatus('Could not update (' + err.message + '); retrying.', true); }
      })
      .then(function () {
        if (inflight === ctl) {
          inflight = null;
          if (!signedOut) { timer = setTimeout(load, refreshSeconds * 1000); }
        }
      });
  }

  // ---- Wiring ----

  $('controls').addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  ['days', 'from', 'to', 'version'].forEach(function (id) { $(id).addEventListener('change', apply); });
  $('apply').hidden = true;
  window.addEventListener('popstate', function () { readURL(); load(); });
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resize, 100);
  });
  showCustom();
  load();
});
