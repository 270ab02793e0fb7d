/* IndexPilot analytics: the overview page's script.
 *
 * The server renders the key figures and every table, so the page is
 * complete without this file. The script draws the charts with uPlot,
 * keeps the view (period, version) in the URL, and refreshes figures,
 * charts and tables from /api/v1/dashboard/overview every data-refresh
 * seconds without reloading the page.
 *
 * Rules: strings from the data (versions, features, OS names come from
 * the internet) are only ever set with textContent, option.text or drawn
 * on a canvas, never parsed as HTML; no inline style or script (the
 * Content-Security-Policy forbids them); number formatting matches
 * internal/server/page_view.go, so nothing jumps when the script takes
 * over from the server's rendering.
 */
(function () {
  'use strict';

  var main = document.getElementById('dashboard');
  if (!main || typeof window.uPlot === 'undefined') {
    return;
  }
  var uPlot = window.uPlot;
  var api = main.getAttribute('data-api');
  var refreshSeconds = Number(main.getAttribute('data-refresh')) || 30;
  var palette = ['#1f5fa8', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#8c6d31', '#6b6ecf'];
  var otherColor = '#8a939c';
  var otherVersions = '(other versions)';
  var maxBars = 12;
  var narrowBars = 8; // below 500 px, so that labels stay readable

  function $(id) { return document.getElementById(id); }

  // ---- Formatting (mirrors page_view.go) ----

  function round1(f) {
    var r = Math.sign(f) * Math.round(Math.abs(f) * 10) / 10;
    return r === 0 ? 0 : r;
  }
  function formatPlain(f) { return round1(f).toFixed(1); }
  function formatPct(f) { return f === null || f === undefined ? '\u2013' : formatPlain(f) + ' %'; }
  function formatCount(n) { return n === null || n === undefined ? '\u2013' : Number(n).toLocaleString('en-US'); }
  function formatDecimal(f) { return (Math.round(f * 100) / 100).toFixed(2); }
  function signed(d, text) { return (d > 0 ? '+' : d < 0 ? '\u2212' : '\u00b1') + text; }
  function trend(d, higherIsBetter) {
    if (d === 0) { return 'flat'; }
    return (d > 0) === higherIsBetter ? 'good' : 'bad';
  }
  function countCard(cur, prev) {
    var d = cur - prev;
    var text = signed(d, formatCount(Math.abs(d)));
    if (prev !== 0) {
      var r = d / prev * 100;
      text += ' (' + signed(round1(r), formatPlain(Math.abs(r))) + ' %)';
    }
    return { value: formatCount(cur), change: text, trend: trend(d, true) };
  }
  function pctCard(cur, prev, higherIsBetter) {
    var c = { value: formatPct(cur), change: '\u2013', trend: 'flat' };
    if (cur !== null && prev !== null) {
      var d = round1(cur - prev);
      c.change = signed(d, formatPlain(Math.abs(d))) + ' pp';
      c.trend = trend(d, higherIsBetter);
    }
    return c;
  }
  function shortLabel(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
  function daySeconds(day) { return Date.parse(day + 'T00:00:00Z') / 1000; }
  function dayOf(ts) { return new Date(ts * 1000).toISOString().slice(0, 10); }

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
    var days = p.get('days') || (p.get('from') ? 'custom' : '30');
    if (days !== 'custom' && !/^[0-9]{1,3}$/.test(days)) { days = '30'; }
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

  function renderFigures(ov) {
    var f = ov.figures, p = ov.previous;
    var cards = {
      total_installations: countCard(f.total_installations, p.total_installations),
      active_installations: countCard(f.active_installations, p.active_installations),
      reports_last_day: ov.to === ov.today ? { value: formatCount(f.reports_last_day), change: 'day in progress', trend: 'flat' }
        : countCard(f.reports_last_day, p.reports_last_day),
      reports: countCard(f.reports, p.reports),
      total_indexes_created: countCard(f.total_indexes_created, p.total_indexes_created),
      avg_performance_improvement: pctCard(f.avg_performance_improvement, p.avg_performance_improvement, true),
      error_rate_pct: pctCard(f.error_rate_pct, p.error_rate_pct, false)
    };
    Object.keys(cards).forEach(function (id) {
      var c = cards[id];
      $(id).textContent = c.value;
      var ch = $(id + '_change');
      ch.textContent = c.change;
      ch.className = 'change ' + c.trend;
    });
    $('reports_last_day_label').textContent = ov.to === ov.today ? 'Reports today' : 'Reports on ' + ov.to;
    $('period').textContent = ov.from + ' to ' + ov.to + ' (UTC)' + (ov.version ? ', version ' + ov.version : '');
    $('previous').textContent = ov.previous_from + ' to ' + ov.previous_to;
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

  // ---- Charts: each turns the overview into a table and a plot ----

  function timeTable(ov, series, fmt) {
    return {
      head: ['Day (UTC)'].concat(series.map(function (s) { return s.name; })),
      rows: ov.day.map(function (d, i) {
        return [d].concat(series.map(function (s) { return fmt(s.values[i]); }));
      })
    };
  }

  function adoptionTable(what, rows) {
    return {
      head: [what, 'Installations', '% of active installations'],
      rows: rows.map(function (a) { return [a.name, formatCount(a.installations), formatPct(a.pct)]; })
    };
  }

  function adoptionPlot(what, rows) {
    rows = rows.slice(0, maxBars);
    return {
      kind: 'bars', xLabel: what, labels: rows.map(function (a) { return a.name; }), yLabel: '% of active installations', yMax: 100,
      series: [{ label: '% of active installations', values: rows.map(function (a) { return a.pct; }), fmt: formatPct }]
    };
  }

  var charts = [
    {
      id: 'active',
      empty: function (ov) { return ov.active_by_day.every(function (n) { return n === 0; }); },
      table: function (ov) {
        return timeTable(ov, [{ name: 'Installations', values: ov.active_by_day }], formatCount);
      },
      plot: function (ov) {
        return { kind: 'time', yLabel: 'installations', fill: true,
          series: [{ label: 'Active installations', values: ov.active_by_day, fmt: formatCount }] };
      }
    },
    {
      id: 'versions',
      empty: function (ov) {
        return ov.version_by_day.every(function (s) { return s.values.every(function (n) { return n === 0; }); });
      },
      table: function (ov) { return timeTable(ov, ov.version_by_day, formatCount); },
      plot: function (ov) {
        return { kind: 'time', yLabel: 'installations', stacked: true,
          series: ov.version_by_day.map(function (s) { return { label: s.name, values: s.values, fmt: formatCount }; }) };
      }
    },
    {
      id: 'features',
      empty: function (ov) { return ov.feature_adoption.length === 0; },
      table: function (ov) { return adoptionTable('Feature', ov.feature_adoption); },
      plot: function (ov) { return adoptionPlot('Feature', ov.feature_adoption); }
    },
    {
      id: 'feature-success',
      empty: function (ov) { return ov.feature_success.length === 0; },
      note: function (ov) { return ov.version ? 'Feature usage is not recorded per version, so a version filter shows none.' : ''; },
      desc: function () {
        return 'Successes per use of each feature over the period, with a 95 % interval that counts installations, not uses, as the unit.';
      },
      table: function (ov) {
        return {
          head: ['Feature', 'Uses', 'Successes', 'Success rate', '95 % interval', 'Installations'],
          rows: ov.feature_success.map(function (f) {
            var interval = f.low_pct === null ? '\u2013' : formatPlain(f.low_pct) + ' \u2013 ' + formatPct(f.high_pct);
            return [f.name, formatCount(f.uses), formatCount(f.successes), formatPct(f.success_rate_pct), interval,
              formatCount(f.installations)];
          })
        };
      },
      plot: function (ov) {
        var rows = ov.feature_success.slice(0, maxBars);
        return { kind: 'bars', xLabel: 'Feature', labels: rows.map(function (f) { return f.name; }), yLabel: 'success rate (%)', yMax: 100,
          series: [
            { label: 'Success rate', values: rows.map(function (f) { return f.success_rate_pct; }), fmt: formatPct },
            { label: '95 % interval, low', values: rows.map(function (f) { return f.low_pct; }), fmt: formatPct, points: true },
            { label: '95 % interval, high', values: rows.map(function (f) { return f.high_pct; }), fmt: formatPct, points: true }
          ] };
      }
    },
    {
      id: 'algorithms',
      empty: function (ov) { return ov.algorithms.length === 0; },
      note: function (ov) {
        return ov.version ? 'Uses and decisions are not recorded per version, so a version filter shows installations only.' : '';
      },
      desc: function (ov) {
        return ov.version ? 'Share of the version\u2019s active installations that used each algorithm.'
          : 'Uses over the period, and decisions per use (%).';
      },
      table: function (ov) {
        return {
          head: ['Algorithm', 'Uses', 'Decisions', 'Decision rate', 'Installations', '% of active installations'],
          rows: ov.algorithms.map(function (a) {
            return [a.name, formatCount(a.uses), formatCount(a.decisions), formatPct(a.decision_rate_pct),
              formatCount(a.installations), formatPct(a.pct)];
          })
        };
      },
      plot: function (ov) {
        var rows = ov.algorithms.slice(0, maxBars);
        var labels = rows.map(function (a) { return a.name; });
        if (ov.version) {
          return { kind: 'bars', xLabel: 'Algorithm', labels: labels, yLabel: '% of active installations', yMax: 100,
            series: [{ label: '% of active installations', values: rows.map(function (a) { return a.pct; }), fmt: formatPct }] };
        }
        return { kind: 'bars', xLabel: 'Algorithm', labels: labels, yLabel: 'uses', y2Label: 'decisions per use (%)',
          series: [
            { label: 'Uses', values: rows.map(function (a) { return a.uses; }), fmt: formatCount },
            { label: 'Decision rate', values: rows.map(function (a) { return a.decision_rate_pct; }), fmt: formatPct, scale: '%', points: true }
          ] };
      }
    },
    {
      id: 'performance',
      empty: function (ov) {
        return ov.performance_by_version.every(function (s) { return s.values.every(function (v) { return v === null; }); });
      },
      table: function (ov) { return timeTable(ov, ov.performance_by_version, formatPct); },
      plot: function (ov) {
        return { kind: 'time', yLabel: 'avg. improvement (%)',
          series: ov.performance_by_version.map(function (s) { return { label: s.name, values: s.values, fmt: formatPct }; }) };
      }
    },
    {
      id: 'errors',
      empty: function (ov) { return ov.error_rates.length === 0; },
      table: function (ov) {
        return {
          head: ['Version', 'Reports', 'Reports with errors', 'Error rate', 'Errors', 'Errors per installation',
            'Error reports', 'Error reports per active installation'],
          rows: ov.error_rates.map(function (e) {
            return [e.version, formatCount(e.reports), formatCount(e.reports_with_errors), formatPct(e.reports_with_errors_pct),
              formatCount(e.errors), formatDecimal(e.errors_per_installation),
              formatCount(e.error_reports || 0), formatDecimal(e.error_reports_per_active_installation || 0)];
          })
        };
      },
      plot: function (ov) {
        var rows = ov.error_rates.slice().sort(function (a, b) { return b.reports - a.reports; }).slice(0, maxBars);
        return { kind: 'bars', xLabel: 'Version', labels: rows.map(function (e) { return e.version; }), yLabel: '% of reports with errors',
          series: [{ label: 'Reports with errors', values: rows.map(function (e) { return e.reports_with_errors_pct; }), fmt: formatPct }] };
      }
    },
    {
      id: 'postgresql',
      empty: function (ov) { return ov.postgresql_versions.length === 0; },
      table: function (ov) { return adoptionTable('PostgreSQL major version', ov.postgresql_versions); },
      plot: function (ov) { return adoptionPlot('PostgreSQL', ov.postgresql_versions); }
    },
    {
      id: 'os',
      empty: function (ov) { return ov.operating_systems.length === 0; },
      table: function (ov) { return adoptionTable('Operating system', ov.operating_systems); },
      plot: function (ov) { return adoptionPlot('OS', ov.operating_systems); }
    }
  ];

  function fillTable(id, t) {
    var table = $('table-' + id);
    var head = document.createElement('tr');
    t.head.forEach(function (h) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      head.appendChild(th);
    });
    var body = document.createElement('tbody');
    t.rows.forEach(function (r) {
      var tr = document.createElement('tr');
      r.forEach(function (cell) {
        var td = document.createElement('td');
        td.textContent = cell;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.tHead.textContent = '';
    table.tHead.appendChild(head);
    table.replaceChild(body, table.tBodies[0]);
  }

  function colorOf(label, i) { return label === otherVersions ? otherColor : palette[i % palette.length]; }

  function axisValues(fmt) {
    return function (u, splits) { return splits.map(function (v) { return v === null ? '' : fmt(v); }); };
  }

  function plotSize(el) {
    var width = Math.max(240, Math.floor(el.clientWidth));
    return { width: width, height: width < 500 ? 200 : 240 };
  }

  // timeOptions draws per-day series against a UTC day axis; stacked
  // series are drawn largest first, each over the one before.
  function timeOptions(spec, size) {
    var series = [{ label: 'Day (UTC)', value: function (u, ts) { return ts === null ? '\u2013' : dayOf(ts); } }];
    spec.series.forEach(function (s, i) {
      var color = colorOf(s.label, i);
      series.push({
        label: s.label, stroke: color, width: 2, spanGaps: false,
        fill: spec.stacked ? color : spec.fill ? color + '33' : undefined,
        points: spec.stacked ? { show: false } : {},
        value: function (u, v, si, idx) {
          return idx === null || idx === undefined ? '\u2013' : s.fmt(s.values[idx]);
        }
      });
    });
    return {
      width: size.width, height: size.height,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
      axes: [
        { label: 'day (UTC)', labelSize: 20 },
        { label: spec.yLabel, labelSize: 20, size: 56, values: axisValues(spec.yLabel.indexOf('%') >= 0 ? formatPlain : formatCount) }
      ],
      series: series,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true }
    };
  }

  function barOptions(spec, size) {
    var n = spec.labels.length;
    var narrow = size.width < 500;
    var rotate = n > 4 || narrow;
    var series = [{ label: spec.xLabel, value: function (u, i) { return i === null ? '\u2013' : (spec.labels[i] || ''); } }];
    spec.series.forEach(function (s, i) {
      var color = palette[i % palette.length];
      var opt = {
        label: s.label, stroke: color, fill: color + 'cc', scale: s.scale || 'y',
        value: function (u, v) { return v === null || v === undefined ? '\u2013' : s.fmt(v); }
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
      { label: spec.yLabel, labelSize: 20, size: 56, values: axisValues(spec.yLabel.indexOf('%') >= 0 ? formatPlain : formatCount) }
    ];
    var scales = {
      x: { time: false, range: function () { return [-0.5, n - 0.5]; } },
      y: { range: function (u, min, max) { return [0, spec.yMax || (max > 0 ? max * 1.1 : 1)]; } }
    };
    if (spec.y2Label) {
      axes.push({ scale: '%', side: 1, label: spec.y2Label, labelSize: 20, size: 56, grid: { show: false }, values: axisValues(formatPlain) });
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

  var plots = {};

  function renderChart(ov, c) {
    var el = $('chart-' + c.id);
    var empty = c.empty(ov);
    $('empty-' + c.id).hidden = !empty;
    el.hidden = empty;
    fillTable(c.id, c.table(ov));
    if (c.note) {
      var note = c.note(ov);
      $('note-' + c.id).textContent = note;
      $('note-' + c.id).hidden = note === '';
      $('desc-' + c.id).textContent = c.desc(ov);
    }
    var old = plots[c.id];
    if (empty) {
      if (old) { old.plot.destroy(); delete plots[c.id]; }
      return;
    }
    var spec = c.plot(ov);
    if (spec.kind === 'bars' && el.clientWidth < 500 && spec.labels.length > narrowBars) {
      spec.labels = spec.labels.slice(0, narrowBars);
      spec.series.forEach(function (s) { s.values = s.values.slice(0, narrowBars); });
    }
    var data = plotData(ov, spec);
    // Same series and categories: update in place, keeping the cursor.
    var key = JSON.stringify([spec.kind, spec.labels || ov.day.length, spec.series.map(function (s) { return s.label; })]);
    if (old && old.key === key) {
      old.plot.setData(data);
      return;
    }
    if (old) { old.plot.destroy(); }
    var size = plotSize(el);
    var opts = spec.kind === 'bars' ? barOptions(spec, size) : timeOptions(spec, size);
    plots[c.id] = { key: key, plot: new uPlot(opts, data, el) };
  }

  var last = null; // the overview drawn last

  // resize redraws the charts whose width changed: sizes, label rotation
  // and the number of bars depend on it.
  function resize() {
    if (!last) { return; }
    charts.forEach(function (c) {
      var p = plots[c.id];
      if (p && p.plot.width !== plotSize($('chart-' + c.id)).width) {
        p.plot.destroy();
        delete plots[c.id];
        renderChart(last, c);
      }
    });
  }

  function render(ov) {
    last = ov;
    renderFigures(ov);
    setVersionOptions(ov.versions, $('version').value);
    charts.forEach(function (c) { renderChart(ov, c); });
    main.setAttribute('data-loaded', ov.figures.active_installations);
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
    var now = new Date();
    var t = document.createElement('time');
    t.id = 'updated';
    t.dateTime = now.toISOString();
    t.textContent = now.toISOString().slice(11, 19) + ' UTC';
    var status = $('status');
    status.textContent = 'Updated ';
    status.appendChild(t);
    status.appendChild(document.createTextNode('; refreshes every ' + refreshSeconds + ' s.'));
    $('alert').textContent = '';
    status.parentNode.classList.remove('stale');
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
}());
