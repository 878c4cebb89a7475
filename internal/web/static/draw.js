// The expert draw page. The witness's random value comes from the
// browser's own CSPRNG (crypto.getRandomValues) when asked; the call-out
// progress follows the server live (Server-Sent Events) with masked names
// only. Without JavaScript the witness types a value and the page shows
// the progress at load time.
(function () {
  var gen = document.getElementById('draw-generate');
  var input = document.getElementById('draw-contribution');
  if (gen && input && window.crypto && window.crypto.getRandomValues) {
    gen.hidden = false;
    gen.addEventListener('click', function () {
      var b = new Uint8Array(32);
      window.crypto.getRandomValues(b);
      var s = '';
      for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
      input.value = s;
    });
  }

  var live = document.getElementById('draw-live');
  if (!live || !window.EventSource) return;
  var state = live.dataset.state;
  function cell(tr, text) {
    var td = document.createElement('td');
    td.textContent = text;
    tr.appendChild(td);
  }
  function rows(id, items, fill) {
    var table = document.getElementById(id);
    if (!table) return;
    var body = table.tBodies[0];
    // Rows with forms (staff's replace buttons) are the server's: keep the
    // page's own rows when the number of calls is unchanged.
    if (id === 'draw-calls' && body.rows.length === items.length && body.querySelector('form')) {
      items.forEach(function (it, i) {
        var tr = body.rows[i];
        tr.cells[4].textContent = it.state_label;
        tr.cells[5].textContent = it.role === 'formal' ? '正式' : it.role === 'alternate' ? '候补' : '';
      });
      return;
    }
    while (body.firstChild) body.removeChild(body.firstChild);
    items.forEach(function (it) {
      var tr = document.createElement('tr');
      fill(tr, it);
      body.appendChild(tr);
    });
  }
  var source = new EventSource('/api/v1/draws/' + encodeURIComponent(live.dataset.id) + '/events');
  source.addEventListener('draw', function (e) {
    var d;
    try { d = JSON.parse(e.data); } catch (err) { return; }
    var badge = document.getElementById('draw-state');
    if (badge) badge.textContent = d.state_label;
    rows('draw-progress', d.progress || [], function (tr, p) {
      cell(tr, p.specialty + ' ' + (p.name || ''));
      cell(tr, p.formal + ' + ' + p.alternates);
      cell(tr, p.pool);
      cell(tr, p.called);
      cell(tr, p.accepted);
      cell(tr, p.waiting);
      cell(tr, p.missing + (p.exhausted ? '（专家池已用尽）' : ''));
    });
    rows('draw-calls', d.calls || [], function (tr, c) {
      cell(tr, c.specialty);
      cell(tr, c.position + 1);
      cell(tr, c.masked);
      cell(tr, c.channel);
      cell(tr, c.state_label);
      cell(tr, c.role === 'formal' ? '正式' : c.role === 'alternate' ? '候补' : '');
    });
    var alerts = document.getElementById('draw-alerts');
    if (alerts) {
      while (alerts.firstChild) alerts.removeChild(alerts.firstChild);
      (d.alerts || []).forEach(function (a) {
        var p = document.createElement('p');
        p.className = 'errors';
        p.setAttribute('role', 'alert');
        p.textContent = a.message;
        alerts.appendChild(p);
      });
    }
    state = d.state;
  });
})();
