// Keeps the server-time clock ticking from the server's own time, not the
// visitor's, so deadlines shown match the deadlines enforced (RULES B12).
(function () {
  var el = document.getElementById('server-time');
  if (!el) return;
  var offset = Number(el.dataset.now) - Date.now();
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function tick() {
    // Render in Beijing time (UTC+8, no daylight saving).
    var d = new Date(Date.now() + offset + 8 * 3600 * 1000);
    el.textContent = d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds());
  }
  tick();
  setInterval(tick, 1000);
  // Ask before irreversible actions.
  document.querySelectorAll('form[data-confirm]').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
})();
