/* Casework pages: photos that wait for a signal. Everything else works without this file (htmx
   2.0.11, vendored beside it, only makes some forms answer in place).

   A photo chosen in a form marked data-upload is kept in the page's IndexedDB before anything is
   sent, so no signal, a dropped connection or a closed tab loses nothing; it is sent as it was taken
   (never re-encoded) with its progress shown, retried under the same Idempotency-Key until the
   server has answered, and only then is the case submitted. If the session has ended meanwhile the
   queue is kept and the person is asked to sign in; the next page they open sends it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var STORE = "uploads";
  var RETRY_FIRST = 2000, RETRY_MOST = 60000;
  var memory = {};  // where the queue lives when the browser has no IndexedDB
  var chosenHere = {};  // queue keys of photos sent from this page: the person is watching them
  var state = {draining: false, signedOut: false, delay: RETRY_FIRST, timer: null, percent: null, sending: null,
               notice: null};

  function app() { return document.getElementById("app"); }
  function me() { var a = app(); return a ? a.getAttribute("data-user") : ""; }
  function csrf() { var a = app(); return a ? a.getAttribute("data-csrf") : ""; }

  function msg(code, params) {
    var t = document.getElementById("msgs");
    var el = t && t.content.querySelector('[data-code="' + code + '"]');
    var text = el ? el.textContent : code;
    Object.keys(params || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(params[k])); });
    return text;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  /* The queue: IndexedDB, one object per photo */
  var opened = null;
  function database() {
    if (!window.indexedDB) { return Promise.resolve(null); }
    if (!opened) {
      opened = new Promise(function (resolve) {
        var request = indexedDB.open("casework", 1);
        request.onupgradeneeded = function () { request.result.createObjectStore(STORE, {keyPath: "key"}); };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { resolve(null); };
      });
    }
    return opened;
  }
  function withStore(mode, work) {
    return database().then(function (db) {
      if (!db) { return work(null); }
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result;
        var request = work(tx.objectStore(STORE));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function listAll() {
    return withStore("readonly", function (s) {
      return s ? s.getAll() : null;
    }).then(function (items) {
      items = items || Object.keys(memory).map(function (k) { return memory[k]; });
      return items.filter(function (i) { return i.user === me(); })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }
  function save(item) {
    return withStore("readwrite", function (s) { if (!s) { memory[item.key] = item; return null; } return s.put(item); });
  }
  function drop(key) {
    return withStore("readwrite", function (s) { if (!s) { delete memory[key]; return null; } return s["delete"](key); });
  }

  /* What the server said */
  function Retry() {}
  function SignedOut() {}
  function Refused(message) { this.message = message; }

  function judge(status, body) {
    if (status >= 200 && status < 300) { return body || {}; }
    if (status === 401) { throw new SignedOut(); }
    if (status === 0 || status >= 500 || status === 429) { throw new Retry(); }
    var error = body && body.error;
    throw new Refused(error && error.message ? error.message : String(status));
  }

  function upload(item) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", item.url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("Idempotency-Key", item.key);
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { state.percent = Math.round(e.loaded * 100 / e.total); show(); }
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
        try { resolve(judge(xhr.status, body)); } catch (verdict) { reject(verdict); }
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(new Retry()); };
      var form = new FormData();
      form.append("kind", item.kind);
      form.append("note", item.note);
      form.append("file", item.file, item.name);
      xhr.send(form);
    });
  }

  function submitCase(item) {
    var form = new FormData();
    form.append("event", item.then);
    form.append("version", item.version);
    return fetch(item.eventsUrl, {
      method: "POST", body: form, credentials: "same-origin",
      headers: {"Accept": "application/json", "Idempotency-Key": item.key, "X-CSRFToken": csrf()}
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        return judge(response.status, body);
      });
    }, function () { throw new Retry(); });
  }

  /* Sending, one photo at a time, oldest first */
  function send(item) {
    state.sending = item;
    state.percent = item.uploaded ? 100 : 0;
    show();
    var uploaded = item.uploaded ? Promise.resolve() : upload(item).then(function () {
      item.uploaded = true;
      return save(item);
    });
    return uploaded.then(function () {
      if (!item.then) { return null; }
      return submitCase(item).then(null, function (verdict) {
        if (verdict instanceof Refused) { return {refused: verdict.message}; }
        throw verdict;
      });
    }).then(function (answer) {
      return drop(item.key).then(function () { return finished(item, answer); });
    }, function (verdict) {
      if (verdict instanceof Refused) {
        item.failed = verdict.message;
        return save(item);
      }
      throw verdict;
    });
  }

  function finished(item, answer) {
    state.sending = null;
    state.percent = null;
    var refused = answer && answer.refused;
    state.notice = refused
      ? {text: msg("page_queue_submit_failed", {number: item.number, message: refused}), href: item.after, problem: true}
      : {text: msg("page_queue_done", {number: item.number}), href: item.after, problem: false};
    var watched = chosenHere[item.key];
    delete chosenHere[item.key];
    if (refused) { return; }
    // Show the case as it is now: where the person sent it from, or wherever this page lists it.
    if (watched || location.pathname === item.after) {
      keepNotice();
      location.assign(item.after);
    } else if (document.querySelector('[data-case="' + item.caseId + '"]')) {
      keepNotice();
      location.reload();
    }
  }

  function keepNotice() {
    try { sessionStorage.setItem("casework-notice", JSON.stringify(state.notice)); } catch (ignored) { /* private mode */ }
  }

  function keptNotice() {
    try {
      var kept = sessionStorage.getItem("casework-notice");
      sessionStorage.removeItem("casework-notice");
      return kept ? JSON.parse(kept) : null;
    } catch (ignored) { return null; }
  }

  function drain() {
    if (state.draining || !me()) { return; }
    state.draining = true;
    clearTimeout(state.timer);
    listAll().then(function next(items) {
      var waiting = items.filter(function (i) { return !i.failed; });
      show(items);
      if (!waiting.length || state.signedOut || navigator.onLine === false) { return null; }
      return send(waiting[0]).then(function () {
        state.delay = RETRY_FIRST;
        return listAll().then(next);
      });
    }).then(null, function (verdict) {
      state.sending = null;
      state.percent = null;
      if (verdict instanceof SignedOut) {
        state.signedOut = true;
      } else {
        state.timer = setTimeout(drain, state.delay);
        state.delay = Math.min(state.delay * 2, RETRY_MOST);
      }
    }).then(function () {
      state.draining = false;
      return listAll().then(show);
    });
  }

  /* Showing it: the bar at the top, and each form's own line */
  var lastItems = [];
  function show(items) {
    if (items) { lastItems = items; }
    items = lastItems;
    var bar = document.getElementById("queue");
    var waiting = items.filter(function (i) { return !i.failed; });
    var failed = items.filter(function (i) { return i.failed; });
    var text = "", kind = "", progress = null, action = null;
    if (waiting.length) {
      if (state.signedOut) {
        text = msg("page_queue_signed_out", {count: waiting.length});
        kind = "is-problem";
        action = {text: msg("page_queue_sign_in_again"),
                  href: app().getAttribute("data-sign-in") + "?next=" + encodeURIComponent(location.pathname)};
      } else if (state.sending && state.percent !== null) {
        text = sendingText();
        kind = "is-sending";
        progress = state.percent;
      } else if (navigator.onLine === false) {
        text = msg("page_queue_offline", {count: waiting.length});
      } else {
        text = msg("page_queue_waiting", {count: waiting.length});
      }
    } else if (failed.length) {
      text = msg("page_queue_failed", {number: failed[0].number, message: failed[0].failed});
      kind = "is-problem";
      action = {text: msg("page_queue_remove"), href: "#", remove: failed[0].key};
    } else if (state.notice) {
      text = state.notice.text;
      kind = state.notice.problem ? "is-problem" : "is-sending";
      action = {text: msg("page_queue_open"), href: state.notice.href};
    }
    if (bar) {
      bar.hidden = !text;
      bar.className = "queue " + kind;
      bar.querySelector(".queue-text").textContent = text;
      var meter = bar.querySelector(".queue-progress");
      meter.hidden = progress === null;
      if (progress !== null) { meter.value = progress; }
      var link = bar.querySelector(".queue-action");
      link.hidden = !action;
      if (action) {
        link.textContent = action.text;
        link.href = action.href;
        if (action.remove) { link.setAttribute("data-remove", action.remove); } else { link.removeAttribute("data-remove"); }
      }
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
      var mine = items.filter(function (i) { return i.caseId === form.getAttribute("data-case"); });
      var line = form.querySelector(".camera-status"), bar2 = form.querySelector(".camera-progress");
      if (!line) { return; }
      var pending = mine.filter(function (i) { return !i.failed; });
      var sendingHere = state.sending && state.sending.caseId === form.getAttribute("data-case");
      line.className = "camera-status";
      bar2.hidden = !(sendingHere && state.percent !== null);
      if (sendingHere && state.percent !== null) {
        bar2.value = state.percent;
        line.textContent = sendingText();
      } else if (pending.length) {
        line.textContent = navigator.onLine === false ? msg("page_queue_offline", {count: pending.length})
          : state.signedOut ? msg("page_queue_signed_out", {count: pending.length})
          : msg("page_queue_waiting", {count: pending.length});
        line.className = "camera-status is-waiting";
      } else if (mine.length) {
        line.textContent = msg("page_queue_failed", {number: mine[0].number, message: mine[0].failed});
        line.className = "camera-status is-problem";
      } else {
        line.textContent = "";
      }
      var button = form.querySelector("[type=submit]");
      if (button) { button.disabled = pending.length > 0; }
    });
  }

  function sendingText() {
    var number = state.sending.number;
    return state.percent < 100 ? msg("page_queue_sending", {number: number, percent: state.percent})
      : msg("page_queue_confirming", {number: number});
  }

  /* The forms */
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches("form[data-upload] input[type=file]")) { return; }
    var form = input.form, file = input.files && input.files[0];
    var chosen = form.querySelector(".camera-chosen");
    form.classList.toggle("is-chosen", !!file);
    if (chosen) {
      chosen.hidden = !file;
      if (file) {
        var preview = chosen.querySelector("img");
        if (/^image\//.test(file.type)) { preview.src = URL.createObjectURL(file); preview.hidden = false; }
        else { preview.hidden = true; }
        chosen.querySelector(".camera-name").textContent = msg("page_photo_chosen", {name: file.name});
      }
    }
    var send = form.querySelector("[type=submit]");
    if (file && send) { send.focus(); }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-upload]") || !me()) { return; }
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) { return; }
    e.preventDefault();
    var fields = form.elements;
    var item = {
      key: newKey(), user: me(), created: Date.now(), caseId: form.getAttribute("data-case"),
      number: form.getAttribute("data-number"), url: form.action, eventsUrl: form.getAttribute("data-events") || "",
      after: form.getAttribute("data-after"), then: form.getAttribute("data-then") || "",
      version: form.getAttribute("data-version") || "", kind: fields.kind ? fields.kind.value : "photo",
      note: fields.note ? fields.note.value : "", file: file, name: file.name, uploaded: false
    };
    save(item).then(function () {
      chosenHere[item.key] = true;
      state.notice = null;
      show();
      drain();
    }, function () {
      form.submit();  // nowhere to keep it: send it as a plain form
    });
  });

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-remove]");
    if (!link) { return; }
    e.preventDefault();
    var key = link.getAttribute("data-remove");
    link.removeAttribute("data-remove");
    drop(key).then(function () { return listAll(); }).then(show);
  });

  window.addEventListener("online", function () { state.delay = RETRY_FIRST; drain(); });
  window.addEventListener("offline", function () { show(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { drain(); } });
  document.addEventListener("htmx:afterSettle", function () { show(); });

  function start() {
    state.notice = keptNotice();
    drain();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
