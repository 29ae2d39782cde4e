(function (d) {
  'use strict';
  function copy(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { fallback(text, done); });
    } else {
      fallback(text, done);
    }
  }
  function fallback(text, done) {
    var area = d.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    d.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = d.execCommand('copy'); } catch (e) { ok = false; }
    d.body.removeChild(area);
    done(ok);
  }
  var status = d.getElementById('copy-status');
  d.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var source = d.getElementById(button.getAttribute('data-copy'));
      if (!source) { return; }
      copy(source.textContent, function (ok) {
        var label = button.getAttribute('data-label') || 'text';
        status.textContent = ok ? 'Copied the ' + label + '.' : 'Could not copy: select the ' + label + ' and press Ctrl+C.';
        button.textContent = ok ? 'Copied' : 'Copy';
        setTimeout(function () { button.textContent = 'Copy'; }, 2000);
      });
    });
  });
})(document);
