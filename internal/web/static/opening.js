// The opening hall, live: the server pushes the hall (Server-Sent Events)
// every second; this keeps the countdown ticking from the server's time,
// updates the state, the count received and who has decrypted, and
// reloads the page when the opening moves on (the record and its forms
// are rendered by the server). Without JavaScript the page shows the
// state at load time.
(function () {
  var hall = document.getElementById('hall');
  if (!hall || !window.EventSource) return;
  var lot = hall.dataset.lot, state = hall.dataset.state;
  var offset = Number(hall.dataset.server) - Date.now();
  var deadline = Number(hall.dataset.deadline) || 0, windowEnds = Number(hall.dataset.window) || 0;
  function el(id) { return document.getElementById(id); }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function beijing(ms) {
    var d = new Date(ms + 8 * 3600 * 1000);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds());
  }
  function left(ms) {
    var s = Math.floor(ms / 1000), days = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var out = '';
    if (days > 0) out += days + '天';
    if (days > 0 || h > 0) out += h + '小时';
    return out + Math.floor(s % 3600 / 60) + '分' + (s % 60) + '秒';
  }
  function tick() {
    var now = Date.now() + offset;
    if (el('hall-server-time')) el('hall-server-time').textContent = beijing(now);
    var target = state === 'decrypting' ? windowEnds : (state === 'waiting' ? deadline : 0);
    var line = el('hall-countdown-line');
    if (!line) return;
    if (target && target > now) {
      line.hidden = false;
      el('hall-countdown-label').textContent = state === 'decrypting' ? '距解密结束' : '距开标';
      el('hall-countdown').textContent = left(target - now);
    } else {
      line.hidden = true;
    }
  }
  tick();
  setInterval(tick, 1000);
  // The stream follows the round shown (轮次), not a later one.
  var source = new EventSource('/api/v1/lots/' + encodeURIComponent(lot) + '/opening/events?round=' +
    encodeURIComponent(hall.dataset.round || '0'));
  source.addEventListener('hall', function (e) {
    var h;
    try { h = JSON.parse(e.data); } catch (err) { return; }
    offset = Date.parse(h.server_time) - Date.now();
    if (h.bid_deadline) deadline = Date.parse(h.bid_deadline);
    if (h.window_ends_at) windowEnds = Date.parse(h.window_ends_at);
    if (h.state !== state) {
      // The opening started, failed or ended: the server renders the rest.
      source.close();
      window.location.reload();
      return;
    }
    if (el('hall-state')) el('hall-state').textContent = h.state_text;
    if (el('hall-received') && h.bids_received !== undefined) el('hall-received').textContent = h.bids_received;
    if (el('hall-decrypted')) el('hall-decrypted').textContent = (h.decrypted && h.decrypted.length) ? h.decrypted.join('、') : '暂无';
    tick();
    if (h.state === 'recorded' || h.state === 'failed') source.close();
  });
})();
