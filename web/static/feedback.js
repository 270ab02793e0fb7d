/* IndexPilot analytics: the Feedback page's script.
 *
 * The server renders the figures, both tables and the latest messages,
 * so the page is complete without this file. The script draws the two
 * charts with uPlot from GET /api/v1/feedback (the page's data-api, the
 * same period and version, no messages) and submits the filters when
 * they change.
 *
 * Rules: it never touches the messages (user text, escaped by the
 * server); feature names, which users type, are only drawn on a canvas
 * or set with textContent by uPlot's legend; no inline style or script
 * (the Content-Security-Policy forbids them); it writes no number: a
 * chart's legend shows the cells of its table, which the server wrote
 * (internal/dashboard/format.go).
 */
window.IndexPilot.page('feedback', function (main, uPlot) {
  'use strict';

  var ratingColors = ['#b42318', '#e66c37', '#e6b800', '#7cb342', '#1a7f37'];
  var sourceColors = ['#1f5fa8', '#8a939c'];
  var maxBars = 12;

  function $(id) { return document.getElementById(id); }
  function daySeconds(day) { return Date.parse(day + 'T00:00:00Z') / 1000; }

  // cell returns the legend of point idx: the text of column col in row
  // idx of the chart's table, as the server wrote it.
  function cell(chart, col) {
    return function (u, v, si, idx) {
      var row = idx === null || idx === undefined ? null : $('table-' + chart).tBodies[0].rows[idx];
      return row ? row.cells[col].textContent : '\u2013';
    };
  }
  function shortLabel(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  function size(el, extra) {
    var width = Math.max(240, Math.floor(el.clientWidth));
    return { width: width, height: (width < 500 ? 200 : 240) + (extra || 0) };
  }

  // ratingsPlot stacks the day's ratings as bars, 1 at the bottom, and
  // draws the day's average on its own axis.
  function ratingsPlot(sum, el) {
    var days = sum.ratings_by_day;
    var xs = days.map(function (d) { return daySeconds(d.day); });
    var data = [xs];
    var acc = days.map(function () { return 0; });
    var stacked = [];
    for (var r = 0; r < 5; r++) {
      acc = acc.map(function (a, i) { return a + days[i].counts[r]; });
      stacked.push(acc);
    }
    var series = [{ label: 'Day (UTC)', value: cell('ratings', 0) }];
    // Drawn from the total down, each bar over the one before; a day
    // without this rating draws no bar of it (not even a line at zero).
    for (r = 4; r >= 0; r--) {
      data.push(stacked[r].map(function (v, i) { return days[i].counts[r] > 0 ? v : null; }));
      series.push(countSeries('Rated ' + (r + 1), ratingColors[r], r));
    }
    data.push(days.map(function (d) { return d.average; }));
    series.push({
      label: 'Average', scale: 'avg', stroke: '#1b1f24', width: 2, spanGaps: false,
      points: { show: true, size: 6, fill: '#1b1f24' },
      value: cell('ratings', 6)
    });
    var s = size(el);
    return new uPlot({
      width: s.width, height: s.height,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } }, avg: { range: [1, 5] } },
      axes: [
        { label: 'day (UTC)', labelSize: 20 },
        { label: 'feedback with a rating', labelSize: 20, size: 56 },
        { scale: 'avg', side: 1, label: 'average rating', labelSize: 20, size: 48, grid: { show: false } }
      ],
      series: series,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true }
    }, data, el);
  }

  // countSeries is one rating's bars; its legend shows the day's own
  // count, not the stacked total it is drawn at.
  function countSeries(label, color, r) {
    return {
      label: label, stroke: color, fill: color, points: { show: false },
      paths: uPlot.paths.bars({ size: [0.8, 24] }),
      value: cell('ratings', r + 1)
    };
  }

  // requestsPlot puts each feature's votes from users and from GitHub
  // side by side.
  function requestsPlot(sum, el) {
    var rows = sum.feature_requests.slice(0, el.clientWidth < 500 ? 8 : maxBars);
    var labels = rows.map(function (v) { return v.feature; });
    var series = [{ label: 'Feature', value: function (u, i) { return i === null ? '\u2013' : (labels[i] || ''); } }];
    [['From users (feedback)', 'client'], ['From GitHub', 'github']].forEach(function (s, i) {
      series.push({
        label: s[0], stroke: sourceColors[i], fill: sourceColors[i] + 'cc', points: { show: false },
        paths: uPlot.paths.bars({ size: [0.4, 48], align: i === 0 ? -1 : 1 }),
        value: cell('requests', i + 2)
      });
    });
    var s = size(el, 60);
    return new uPlot({
      width: s.width, height: s.height,
      scales: { x: { time: false, range: function () { return [-0.5, rows.length - 0.5]; } },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      axes: [
        { splits: function () { return labels.map(function (_, i) { return i; }); },
          values: function (u, splits) { return splits.map(function (i) { return shortLabel(labels[i] || '', 14); }); },
          rotate: 50, size: 100, gap: 4 },
        { label: 'votes', labelSize: 20, size: 56 }
      ],
      series: series,
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: true, live: true }
    }, [labels.map(function (_, i) { return i; }),
      rows.map(function (v) { return v.client; }), rows.map(function (v) { return v.github; })], el);
  }

  var charts = [
    { id: 'ratings', empty: function (sum) { return sum.rated === 0; }, plot: ratingsPlot },
    { id: 'requests', empty: function (sum) { return sum.feature_requests.length === 0; }, plot: requestsPlot }
  ];
  var plots = {};

  function draw(sum) {
    charts.forEach(function (c) {
      var el = $('chart-' + c.id);
      var empty = c.empty(sum);
      $('empty-' + c.id).hidden = !empty;
      el.hidden = empty;
      if (plots[c.id]) { plots[c.id].destroy(); delete plots[c.id]; }
      if (!empty) { plots[c.id] = c.plot(sum, el); }
    });
  }

  var last = null;
  function load() {
    fetch(main.getAttribute('data-api'), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) { throw new Error('status ' + res.status); }
        return res.json();
      })
      .then(function (sum) {
        last = sum;
        draw(sum);
        main.setAttribute('data-loaded', String(sum.total));
      })
      .catch(function (err) {
        var note = $('note-ratings');
        note.textContent = 'The charts could not be drawn (' + err.message + '); the tables hold every number.';
        note.hidden = false;
      });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (last) { draw(last); } }, 100);
  });
  ['days', 'version'].forEach(function (id) {
    $(id).addEventListener('change', function () { $('controls').submit(); });
  });
  $('apply').hidden = true;
  load();
});
