// The Quiesce operator console (SPEC §11). Plain script, no framework, no build step.
//
// Safety: every value from the gateway (state, audit log, error descriptions) reaches the page only
// through textContent or a data-* attribute; nothing is ever parsed as HTML. The token lives in
// sessionStorage (this tab only) and travels only in the authorization header, never in a URL.
'use strict';

(() => {
  const TOKEN_KEY = 'quiesce.token';
  const STREAM = '/api/gateway/state/stream';
  const AUDIT = '/api/gateway/audit?limit=20';
  // Longer than two of the server's keep-alives (15 s by default): silence this long means the
  // connection is dead even though the socket did not say so (a suspended laptop, a dropped proxy).
  const SILENCE_MS = 40000;
  const RETRY_MS = [500, 1000, 2000, 3000, 5000];

  const $ = (id) => document.getElementById(id);

  let state = null;        // the last DrainState received
  let clockOffsetMs = 0;   // server clock minus this browser's, from the stream's Date header
  let stream = null;       // {controller, lastHeard} of the open stream
  let attempt = 0;
  let retryTimer = null;
  let auditBusy = false;
  let auditAgain = false;

  // ---- small helpers -------------------------------------------------------------------------

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  function setText(id, value) {
    $(id).textContent = value === undefined || value === null || value === '' ? '—' : String(value);
  }

  function cell(text) {
    const td = document.createElement('td');
    td.textContent = text === undefined || text === null ? '' : String(text);
    return td;
  }

  // Proto3 JSON timestamps carry up to nine fraction digits; Date wants at most three.
  function parseTime(value) {
    if (!value) {
      return null;
    }
    const ms = Date.parse(String(value).replace(/(\.\d{3})\d+/, '$1'));
    return Number.isNaN(ms) ? null : ms;
  }

  function serverNow() {
    return Date.now() + clockOffsetMs;
  }

  function duration(ms) {
    let s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    if (h > 0) {
      return h + 'h ' + m + 'm ' + s + 's';
    }
    return m > 0 ? m + 'm ' + s + 's' : s + 's';
  }

  function localTime(value) {
    const ms = parseTime(value);
    return ms === null ? '' : new Date(ms).toLocaleString();
  }

  function strip(prefix, value) {
    return value && value.startsWith(prefix) ? value.slice(prefix.length) : value || '';
  }

  function setConnection(kind, text) {
    const el = $('connection');
    el.dataset.state = kind;
    el.textContent = text;
    $('view').classList.toggle('stale', kind !== 'live');
  }

  // ---- rendering -----------------------------------------------------------------------------

  function render(s) {
    const phase = strip('PHASE_', s.phase);
    $('phase').textContent = phase || '—';
    $('phase').dataset.phase = phase.toLowerCase();
    const drained = s.drained ? 'yes' : 'no';
    $('drained').textContent = drained;
    $('drained').dataset.drained = drained;
    setText('in-flight', s.inFlight);
    setText('version', s.version);
    setText('changed-at', localTime(s.changedAt));

    const d = s.drain && s.drain.drainId ? s.drain : null;
    $('drain').hidden = !d;
    $('no-drain').hidden = !!d;
    if (d) {
      setText('drain-id', d.drainId);
      setText('drain-principal', d.principal);
      setText('drain-reason', d.reason);
      setText('drain-suppress', d.suppressNotification ? 'suppressed' : 'sent at shutdown');
      setText('drain-source', d.source);
      setText('drain-requested', localTime(d.requestedAt));
    }
    $('renew').disabled = !d;
    $('cancel').disabled = !d;

    const turns = s.inFlightTurns || [];
    $('turns').hidden = turns.length === 0;
    $('no-turns').hidden = turns.length > 0;
    $('turn-rows').replaceChildren(...turns.map((t) => {
      const row = document.createElement('tr');
      const age = cell('');
      age.className = 'age';
      age.dataset.startedAt = t.startedAt || '';
      row.append(cell(t.sessionId), cell(t.channel), cell(t.internal ? 'internal' : 'user'), age);
      return row;
    }));

    const inbox = s.inbox || {};
    setText('inbox-waiting', inbox.waiting === undefined ? '' : inbox.waiting);
    $('inbox-oldest').dataset.since = inbox.oldestReceivedAt || '';
    setText('inbox-replaying', inbox.replaying ? 'yes' : 'no');
    setText('inbox-error', inbox.error || 'none');

    const marker = s.marker || {};
    setText('marker-status', strip('MARKER_STATUS_', marker.status));
    const why = strip('IGNORED_REASON_', marker.ignoredReason);
    setText('marker-reason', why === 'UNSPECIFIED' ? '' : why);
    setText('marker-detail', marker.detail);
    setText('marker-path', marker.path);
    tick();
  }

  // What moves with the clock alone: the lease countdown, the turns' and the oldest entry's ages.
  function tick() {
    if (!state) {
      return;
    }
    const now = serverNow();
    const d = state.drain && state.drain.drainId ? state.drain : null;
    if (d) {
      const expires = parseTime(d.leaseExpiresAt);
      setText('drain-lease', expires === null ? 'no lease'
        : expires > now ? 'expires in ' + duration(expires - now) : 'expired');
    }
    for (const age of document.querySelectorAll('#turn-rows .age')) {
      const started = parseTime(age.dataset.startedAt);
      age.textContent = started === null ? '' : duration(now - started);
    }
    const oldest = parseTime($('inbox-oldest').dataset.since);
    setText('inbox-oldest', oldest === null ? 'none' : duration(now - oldest) + ' ago');
  }

  function renderAudit(events) {
    $('audit-rows').replaceChildren(...events.map((e) => {
      const row = document.createElement('tr');
      row.append(cell(localTime(e.time) || e.time), cell(e.event), cell(e.principal), cell(e.outcome),
        cell(e.drain_id), cell(e.reason), cell(e.detail));
      return row;
    }));
    $('audit-note').textContent = events.length === 0 ? 'No audit events yet.' : '';
  }

  // ---- the state stream ----------------------------------------------------------------------

  async function describe(response) {
    try {
      const body = await response.json();
      if (body && typeof body.error === 'string') {
        return body.error + (body.code ? ' (' + body.code + ')' : '');
      }
    } catch (ignored) {
      // not JSON: say what the status was
    }
    return 'HTTP ' + response.status;
  }

  function stopStream() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (stream) {
      stream.controller.abort();
      stream = null;
    }
  }

  function scheduleReconnect(why) {
    const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
    attempt += 1;
    setConnection('lost', 'stream lost (' + why + ') — reconnecting in ' + duration(delay) + ', attempt ' + attempt);
    retryTimer = setTimeout(connect, delay);
  }

  async function connect() {
    stopStream();
    if (!token()) {
      setConnection('no-token', 'paste a token with scope read to watch the gateway');
      return;
    }
    const mine = { controller: new AbortController(), lastHeard: Date.now() };
    stream = mine;
    setConnection(attempt === 0 ? 'connecting' : 'lost', attempt === 0 ? 'connecting…' : 'reconnecting…');
    let response;
    try {
      response = await fetch(STREAM, {
        headers: { authorization: 'Bearer ' + token(), accept: 'text/event-stream' },
        cache: 'no-store',
        signal: mine.controller.signal,
      });
    } catch (e) {
      if (stream === mine) {
        stream = null;
        scheduleReconnect('no connection');
      }
      return;
    }
    if (!response.ok) {
      const text = await describe(response);
      if (stream !== mine) {
        return;
      }
      stream = null;
      if (response.status === 401 || response.status === 403) {
        // Retrying cannot help: the token must change first.
        setConnection('refused', 'the gateway refused the token: ' + text);
        return;
      }
      scheduleReconnect(text);
      return;
    }
    const date = Date.parse(response.headers.get('date') || '');
    clockOffsetMs = Number.isNaN(date) ? 0 : date - Date.now();
    try {
      await readEvents(response.body.getReader(), mine);
    } catch (e) {
      // aborted by us, or the connection broke: handled below
    }
    if (stream === mine) {
      stream = null;
      scheduleReconnect('the connection closed');
    }
  }

  // Server-Sent Events by hand (EventSource cannot send the authorization header).
  async function readEvents(reader, mine) {
    const decoder = new TextDecoder();
    let buffer = '';
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done || stream !== mine) {
        return;
      }
      mine.lastHeard = Date.now();
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop();
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) {
            onState(data.join('\n'));
          }
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
        // ':' comments (keep-alives) and other fields only prove the stream is alive.
      }
    }
  }

  function onState(json) {
    let next;
    try {
      next = JSON.parse(json);
    } catch (e) {
      return;
    }
    const changed = !state || state.version !== next.version;
    state = next;
    attempt = 0;
    setConnection('live', 'live');
    render(state);
    if (changed) {
      loadAudit();
    }
  }

  function watchdog() {
    if (stream && Date.now() - stream.lastHeard > SILENCE_MS) {
      stream.controller.abort();
      stream = null;
      scheduleReconnect('nothing heard for ' + duration(SILENCE_MS));
    }
  }

  // ---- the audit log -------------------------------------------------------------------------

  // At most one request at a time; changes during one ask for exactly one more.
  async function loadAudit() {
    if (auditBusy) {
      auditAgain = true;
      return;
    }
    auditBusy = true;
    try {
      const response = await fetch(AUDIT, { headers: { authorization: 'Bearer ' + token() }, cache: 'no-store' });
      if (response.ok) {
        renderAudit((await response.json()).events || []);
      } else {
        $('audit-note').textContent = 'The audit log could not be read: ' + (await describe(response));
      }
    } catch (e) {
      $('audit-note').textContent = 'The audit log could not be read: no connection';
    } finally {
      auditBusy = false;
      if (auditAgain) {
        auditAgain = false;
        loadAudit();
      }
    }
  }

  // ---- actions -------------------------------------------------------------------------------

  async function act(body, done) {
    const error = $('action-error');
    error.hidden = true;
    error.textContent = '';
    $('action-result').textContent = 'sending…';
    try {
      const response = await fetch('/api/gateway/drain', {
        method: 'POST',
        headers: { authorization: 'Bearer ' + token(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
        cache: 'no-store',
      });
      if (response.ok) {
        const after = await response.json();
        $('action-result').textContent = done(after);
      } else {
        $('action-result').textContent = '';
        error.textContent = await describe(response);
        error.hidden = false;
      }
    } catch (e) {
      $('action-result').textContent = '';
      error.textContent = 'the gateway could not be reached';
      error.hidden = false;
    }
  }

  function leaseSeconds() {
    const value = $('lease').value.trim();
    return value === '' ? 0 : Number(value);
  }

  function begin(event) {
    event.preventDefault();
    act({
      action: 'drain',
      reason: $('reason').value,
      lease_seconds: leaseSeconds(),
      suppress_notification: $('suppress').checked,
    }, (after) => 'draining: ' + ((after.drain && after.drain.drainId) || ''));
  }

  // BeginDrain again: the same drain, its lease renewed from the lease field, its reason and suppression kept.
  function renew() {
    const d = state && state.drain;
    if (!d || !d.drainId) {
      return;
    }
    act({
      action: 'drain',
      reason: d.reason || '',
      lease_seconds: leaseSeconds(),
      suppress_notification: !!d.suppressNotification,
    }, (after) => 'lease renewed: ' + ((after.drain && after.drain.drainId) || ''));
  }

  function cancel() {
    const d = state && state.drain;
    if (!d || !d.drainId) {
      return;
    }
    act({ action: 'cancel', drain_id: d.drainId }, () => 'cancelled: ' + d.drainId);
  }

  function useToken(event) {
    event.preventDefault();
    const value = $('token').value.trim();
    $('token').value = '';
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
    }
    attempt = 0;
    connect();
  }

  function forgetToken() {
    sessionStorage.removeItem(TOKEN_KEY);
    attempt = 0;
    connect();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('token-form').addEventListener('submit', useToken);
    $('forget-token').addEventListener('click', forgetToken);
    $('drain-form').addEventListener('submit', begin);
    $('renew').addEventListener('click', renew);
    $('cancel').addEventListener('click', cancel);
    setInterval(tick, 250);
    setInterval(watchdog, 1000);
    connect();
  });
})();
