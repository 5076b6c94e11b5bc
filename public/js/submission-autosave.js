// Autosave of the entry form: values are saved as a draft shortly after typing stops ("Đã lưu lúc hh:mm"); a
// heartbeat tells who else has the report open. A save refused as stale (409) never discards what was typed: the
// differences are listed and the user chooses to save over them or reload.
(function () {
  'use strict';
  var form = document.getElementById('values-form');
  if (!form || !form.dataset.autosave) return;
  var statusEl = document.getElementById('autosave-status');
  var conflictEl = document.getElementById('conflict');
  var presenceEl = document.getElementById('presence');
  var DEBOUNCE_MS = 1200;
  var HEARTBEAT_MS = 30000;
  var timer = null;
  var saving = false;
  var pending = false;
  var blocked = false;

  function versionInputs() {
    return document.querySelectorAll('input[name="version"]');
  }
  function currentVersion() {
    return Number(form.querySelector('input[name="version"]').value);
  }
  function setVersion(v) {
    var inputs = versionInputs();
    for (var i = 0; i < inputs.length; i++) inputs[i].value = String(v);
  }
  function say(text, cls) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.className = 'muted' + (cls ? ' ' + cls : '');
  }

  /** v[CODE][field] inputs as { CODE: { field: value } }. */
  function collect() {
    var values = {};
    var fields = form.querySelectorAll('input[name^="v["], select[name^="v["], textarea[name^="v["]');
    for (var i = 0; i < fields.length; i++) {
      var m = /^v\[([^\]]+)\]\[(value|denominator|option|comment)\]$/.exec(fields[i].name);
      if (!m) continue;
      values[m[1]] = values[m[1]] || {};
      values[m[1]][m[2]] = fields[i].value;
    }
    return values;
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'x-csrf-token': form.dataset.csrf },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(
        function (data) { return { status: res.status, data: data }; },
        function () { return { status: res.status, data: {} }; }
      );
    });
  }

  function showConflict(data) {
    document.getElementById('conflict-message').textContent = data.error.message;
    var list = document.getElementById('conflict-list');
    list.textContent = '';
    (data.error.details || []).forEach(function (d) {
      var li = document.createElement('li');
      li.textContent = d.message;
      list.appendChild(li);
    });
    conflictEl.dataset.version = String(data.current.version);
    conflictEl.hidden = false;
    conflictEl.scrollIntoView({ block: 'center' });
  }

  function save() {
    timer = null;
    if (blocked) return;
    if (saving) {
      pending = true;
      return;
    }
    saving = true;
    say('Đang lưu…');
    post(form.dataset.autosave, { version: currentVersion(), values: collect() })
      .then(function (r) {
        if (r.status === 200) {
          setVersion(r.data.version);
          say('Đã lưu lúc ' + r.data.savedAtText, 'saved');
        } else if (r.status === 409 && r.data.current) {
          blocked = true;
          say('Chưa lưu: báo cáo đã được người khác cập nhật.', 'failed');
          showConflict(r.data);
        } else {
          var e = r.data.error || {};
          var first = (e.details || []).map(function (d) { return d.message; }).join(' ');
          say('Chưa lưu: ' + (e.message || 'lỗi không xác định') + (first ? ' ' + first : ''), 'failed');
        }
      })
      .catch(function () {
        say('Chưa lưu: mất kết nối tới máy chủ. Số liệu vẫn còn trên màn hình; hệ thống sẽ thử lại khi bạn nhập tiếp.', 'failed');
      })
      .then(function () {
        saving = false;
        if (submitAfterSave) {
          submitAfterSave = false;
          form.submit();
          return;
        }
        if (pending) {
          pending = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (blocked) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, DEBOUNCE_MS);
    say('Có thay đổi chưa lưu…');
  }

  form.addEventListener('input', function (ev) {
    if (ev.target && /^v\[/.test(ev.target.name || '')) schedule();
  });
  form.addEventListener('change', function (ev) {
    if (ev.target && /^v\[/.test(ev.target.name || '')) schedule();
  });
  // The save button posts every value anyway; while an autosave is under way it waits for it, so the form carries
  // the version that autosave produced rather than being refused as stale by its own earlier save.
  var submitAfterSave = false;
  form.addEventListener('submit', function (ev) {
    if (timer) clearTimeout(timer);
    timer = null;
    if (saving) {
      ev.preventDefault();
      submitAfterSave = true;
    }
  });

  document.getElementById('conflict-overwrite').addEventListener('click', function () {
    setVersion(Number(conflictEl.dataset.version));
    conflictEl.hidden = true;
    blocked = false;
    save();
  });

  function heartbeat() {
    post(form.dataset.presence, {}).then(function (r) {
      if (r.status !== 200 || !presenceEl) return;
      var others = r.data.others || [];
      document.getElementById('presence-names').textContent = others
        .map(function (o) { return o.name + ' (' + o.username + ')'; })
        .join(', ');
      presenceEl.hidden = others.length === 0;
    }, function () { /* the next beat tries again */ });
  }
  heartbeat();
  setInterval(heartbeat, HEARTBEAT_MS);
})();
