/* The offline outbox of reports (上报), in IndexedDB, shared by the pages and the service worker.
   A report that cannot be sent is kept here with its photos (as Blobs) and its idempotency key;
   flush() sends what is waiting, one at a time (a Web Lock keeps tabs and the worker from sending
   together), and deletes an entry only once the server has answered it: a retry after a lost
   answer or a reload carries the same key, and the server returns the case it already started. */
(function (scope) {
  "use strict";
  var DB = "wf-outbox", STORE = "reports", DRAFTS = "drafts";  // drafts: a report form's photos, never sent

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB, 2);
      request.onupgradeneeded = function () {
        [STORE, DRAFTS].forEach(function (name) {
          if (!request.result.objectStoreNames.contains(name)) { request.result.createObjectStore(name, { keyPath: "key" }); }
        });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work, name) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name || STORE, mode), request = work(tx.objectStore(name || STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function save(entry) { return withStore("readwrite", function (s) { return s.put(entry); }); }
  function all() { return withStore("readonly", function (s) { return s.getAll(); }); }
  function remove(key) { return withStore("readwrite", function (s) { return s.delete(key); }); }
  var drafts = {  // {key, files: [[field, Blob, name]], saved_at}
    save: function (entry) { return withStore("readwrite", function (s) { return s.put(entry); }, DRAFTS); },
    all: function () { return withStore("readonly", function (s) { return s.getAll(); }, DRAFTS); },
    remove: function (key) { return withStore("readwrite", function (s) { return s.delete(key); }, DRAFTS); }
  };

  /* An entry from a report form: its fields and chosen files, under its idempotency key. */
  function fromForm(form) {
    var fields = [], files = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { fields.push([name, value]); }
      else if (value && value.size > 0) { files.push([name, value, value.name || "photo.jpg"]); }
    });
    var key = (fields.find(function (f) { return f[0] === "idempotency_key"; }) || [])[1];
    var title = ["description", "address"].map(function (n) {  // what the list shows it as
      return (fields.find(function (f) { return f[0] === n && f[1]; }) || [])[1];
    }).filter(Boolean)[0] || "";
    return { key: key, action: form.action, token: form.getAttribute("data-token-url"),
             author: form.getAttribute("data-author") || null, fields: fields,
             files: files, title: title.slice(0, 60), saved_at: new Date().toISOString(), state: "waiting" };
  }

  function tell(kind, entry, body) {
    var message = { type: "outbox", kind: kind, key: entry.key, title: entry.title, action: entry.action,
                    body: body || {} };
    if (scope.clients && scope.registration) {  // in the service worker: tell the open pages
      return scope.clients.matchAll({ includeUncontrolled: true }).then(function (pages) {
        pages.forEach(function (page) { page.postMessage(message); });
      });
    }
    message.entry = { key: entry.key, action: entry.action };
    scope.dispatchEvent(new CustomEvent("outbox", { detail: message }));
    return Promise.resolve();
  }

  /* The keys of the refused reports this one corrects (重新编辑), removed once it is accepted. */
  function replaced(entry) {
    var field = entry.fields.filter(function (f) { return f[0] === "replaces"; })[0];
    return field ? field[1].split(" ").filter(Boolean) : [];
  }

  function sendOne(entry) {
    var accept = { Accept: "application/json" };
    return fetch(entry.token, { credentials: "same-origin", headers: accept, cache: "no-store" })
      .then(function (r) {
        if (!r.ok || (r.headers.get("content-type") || "").indexOf("json") < 0) { throw new Error("login"); }
        return r.json();
      })
      .then(function (token) {
        if (entry.author && String(token.author) !== String(entry.author)) { throw new Error("author"); }
        var body = new FormData();
        entry.fields.forEach(function (f) { body.append(f[0], f[0] === "csrf_token" ? token.csrf_token : f[1]); });
        entry.files.forEach(function (f) { body.append(f[0], f[1], f[2]); });
        return fetch(entry.action, { method: "POST", body: body, credentials: "same-origin", headers: accept });
      })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
      })
      .then(function (answer) {
        if (answer.status === 200 || answer.status === 201) {  // with the refused reports it corrects
          return replaced(entry).concat([entry.key]).reduce(function (done, key) {
            return done.then(function () { return remove(key); });
          }, Promise.resolve()).then(function () { return tell("sent", entry, answer.body); });
        }
        if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
          entry.state = "failed";
          entry.error = answer.body.shown_message || answer.body.message || String(answer.status);
          entry.errors = answer.body.shown || answer.body.errors || null;
          return save(entry).then(function () { return tell("failed", entry, answer.body); });
        }
        return null;  // the server is busy or failing: keep it for the next try
      })
      .catch(function () { return null; });  // no connection, not logged in, or someone else is: keep it
  }

  function sendAll() {
    return all().then(function (entries) {
      return entries.filter(function (e) { return e.state !== "failed"; }).reduce(function (done, entry) {
        return done.then(function () { return sendOne(entry); });
      }, Promise.resolve());
    }).then(all);
  }

  function flush() {
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request("wf-outbox", sendAll);
    }
    return sendAll();
  }

  scope.WorkflowOutbox = { save: save, all: all, remove: remove, fromForm: fromForm, flush: flush, drafts: drafts };
})(self);
