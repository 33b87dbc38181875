/* Field work on a phone: photos from the camera (attached without a reload, typed text kept), the
   location widget (GPS with accuracy, a Leaflet map pin when a tile URL is configured, plain
   coordinates otherwise), the searchable 立案条件 picker with the duplicate hint, and the offline
   outbox of reports (static/outbox.js, sent by the page on load and when the connection returns,
   and by the service worker). Pages work without this script; it only makes them easier. */
(function () {
  "use strict";
  var script = document.currentScript;

  function $(root, selector) { return root.querySelector(selector); }
  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function csrf(form) { var input = $(form, "input[name=csrf_token]"); return input ? input.value : ""; }

  /* --- photos ------------------------------------------------------------------------------ */
  function thumb(src, alt) {
    var img = document.createElement("img"); img.src = src; img.alt = alt; img.className = "thumb"; return img;
  }

  function uploadPhotos(input, form) {
    var url = form.action.replace(/\/complete$/, "/attachments"), name = input.getAttribute("data-photo-input");
    var choices = input.closest(".choices"), files = Array.prototype.slice.call(input.files);
    var status = input.closest(".field").querySelector("[data-previews]");
    return files.reduce(function (done, file) {
      return done.then(function () {
        var body = new FormData(); body.append("csrf_token", csrf(form)); body.append("file", file, file.name);
        return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
          .then(function (answer) {
            if (!answer.ok) { throw new Error(answer.body.message || "?"); }
            var label = document.createElement("label"), box = document.createElement("input");
            label.className = "choice"; box.type = "checkbox"; box.name = name; box.value = answer.body.reference; box.checked = true;
            label.appendChild(box); label.appendChild(thumb(answer.body.url, answer.body.name));
            label.appendChild(document.createTextNode(" " + answer.body.name));
            choices.insertBefore(label, input.closest("label"));
          });
      });
    }, Promise.resolve()).catch(function (error) {
      status.textContent = input.getAttribute("data-failed") + error.message;
      status.classList.add("field-errors");
    }).then(function () { input.value = ""; });
  }

  function keepPhotos(input, restored) {  // report form: the photos travel with the post; keep every shot taken
    var kept = input._kept || [], previews = input.closest(".field").querySelector("[data-previews]");
    Array.prototype.forEach.call(restored || input.files, function (f) { kept.push(f); });
    input._kept = kept;
    if (window.DataTransfer) {
      var transfer = new DataTransfer(); kept.forEach(function (f) { transfer.items.add(f); }); input.files = transfer.files;
    }
    previews.innerHTML = "";
    kept.forEach(function (f) { previews.appendChild(thumb(URL.createObjectURL(f), f.name)); });
    if (!restored && input.form) { saveDraftPhotos(input.form); }
  }

  function setUpPhotos(root) {
    all(root, "input[data-photo-input]").forEach(function (input) {
      input.addEventListener("change", function () {
        var form = input.form;
        if (form && form.id === "task-form") { uploadPhotos(input, form); } else { keepPhotos(input); }
      });
    });
  }

  /* --- location ---------------------------------------------------------------------------- */
  function loadLeaflet() {
    if (window.L) { return Promise.resolve(window.L); }
    return new Promise(function (resolve, reject) {
      var base = (script && script.getAttribute("data-vendor")) || "/vendor/leaflet/dist/";
      var css = document.createElement("link"); css.rel = "stylesheet"; css.href = base + "leaflet.css";
      document.head.appendChild(css);
      var js = document.createElement("script"); js.src = base + "leaflet.js";
      js.onload = function () { resolve(window.L); }; js.onerror = reject; document.head.appendChild(js);
    });
  }

  function setUpLocation(widget) {
    var lat = $(widget, "[data-lat]"), lng = $(widget, "[data-lng]"), accuracy = $(widget, "[data-accuracy]");
    var point = $(widget, "[data-point]"), tiles = widget.getAttribute("data-tiles"), map = null, marker = null;
    function text() {
      point.textContent = Number(lat.value).toFixed(5) + ", " + Number(lng.value).toFixed(5) +
        (accuracy.value ? "（±" + Math.round(Number(accuracy.value)) + " " + point.getAttribute("data-metres") + "）" : "");
    }
    if (lat.value && lng.value) { text(); }  // a position kept by a draft
    function show() {
      if (!lat.value || !lng.value) { point.textContent = point.getAttribute("data-none"); return; }
      text();
      if (map) {
        var at = [Number(lat.value), Number(lng.value)];
        if (marker) { marker.setLatLng(at); } else { marker = window.L.marker(at).addTo(map); }
        map.setView(at, Math.max(map.getZoom(), 16));
      }
      widget.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function set(a, b, acc) { lat.value = a; lng.value = b; accuracy.value = acc == null ? "" : Math.round(acc); show(); }
    if (tiles) {
      loadLeaflet().then(function (L) {
        var box = $(widget, "[data-map]"); box.hidden = false;
        var start = lat.value ? [Number(lat.value), Number(lng.value)] : [30.27, 120.15];
        map = L.map(box).setView(start, lat.value ? 16 : 11);
        L.tileLayer(tiles, { maxZoom: 19, attribution: widget.getAttribute("data-attribution") }).addTo(map);
        map.on("click", function (e) { set(e.latlng.lat.toFixed(6), e.latlng.lng.toFixed(6), null); });
        if (lat.value) { show(); }
      }).catch(function () { /* no map: coordinates still work */ });
    }
    $(widget, "[data-locate]").addEventListener("click", function () {
      if (!navigator.geolocation) { point.textContent = point.getAttribute("data-failed"); return; }
      point.textContent = point.getAttribute("data-waiting");
      navigator.geolocation.getCurrentPosition(function (p) {
        set(p.coords.latitude.toFixed(6), p.coords.longitude.toFixed(6), p.coords.accuracy);
      }, function (error) { point.textContent = locationError(point, error); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  /* Why no position came, in the page's language, with what to do (never the browser's own text). */
  function locationError(point, error) {
    var kind = { 1: "data-denied", 2: "data-unavailable", 3: "data-timeout" }[error && error.code];
    return (kind && point.getAttribute(kind)) || point.getAttribute("data-failed");
  }

  /* --- a saved inbox filter: what the filters say now (htmx updates them in place) ------------ */
  function setUpQueryFrom(form) {
    form.addEventListener("submit", function () {
      var source = document.getElementById(form.getAttribute("data-query-from")), hidden = $(form, "input[name=query]");
      if (!source || !hidden) { return; }
      var query = new URLSearchParams();
      new FormData(source).forEach(function (value, name) {
        if (typeof value === "string" && value !== "") { query.append(name, value); }
      });
      hidden.value = query.toString();
    });
  }

  /* --- the filing-condition picker and the duplicate hint ----------------------------------- */
  function setUpPicker(search) {
    var select = document.getElementById(search.getAttribute("data-filter-select"));
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean), first = null;
      all(select, "option").forEach(function (option) {  // grouped or not
        if (!option.value) { return; }
        var text = (option.getAttribute("data-search") || option.textContent).toLowerCase();
        var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
        option.hidden = !hit; if (hit) { first = first || option; }
      });
      all(select, "optgroup").forEach(function (group) {
        group.hidden = !all(group, "option").some(function (o) { return !o.hidden; });
      });
      if (first && select.selectedOptions[0] && select.selectedOptions[0].hidden) { select.value = first.value; }
      else if (first && !select.value) { select.value = first.value; }
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function setUpSimilar(form) {
    var target = $(form, "[data-similar]"), url = form.getAttribute("data-similar-url"), timer = null;
    if (!target || !url) { return; }
    function ask() {
      var data = new FormData(form), query = new URLSearchParams();
      ["condition_code", "org_unit", "address", "location.lat", "location.lng"].forEach(function (n) {
        if (data.get(n)) { query.set(n, data.get(n)); }
      });
      if (!query.get("condition_code")) { target.innerHTML = ""; return; }
      fetch(url + "?" + query.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) { target.innerHTML = html; })
        .catch(function () { /* offline: no hint */ });
    }
    form.addEventListener("change", function (e) {
      if (e.target.type === "file") { return; }
      clearTimeout(timer); timer = setTimeout(ask, 300);
    });
  }

  /* --- drafts of task forms ---------------------------------------------------------------- */
  /* What is typed into a task form is kept in this browser (localStorage, keyed by the task and the
     person: data-draft) and put back after a reload; it goes once the form has been submitted and
     the server took it (the next page no longer shows this form). Passwords, files and the form's
     hidden tokens are never kept. A page the server drew after a validation error shows what was
     sent, so the draft does not overwrite it. */
  var DRAFTS = "wf-draft:", SENT = "wf-draft-sent";

  function storage(kind) { try { return window[kind]; } catch (e) { return null; } }

  function draftable(el) {
    if (!el.name || el.disabled || el.type === "password" || el.type === "file" || el.name === "csrf_token") { return false; }
    if (el.type === "hidden") { return el.hasAttribute("data-lat") || el.hasAttribute("data-lng") || el.hasAttribute("data-accuracy"); }
    return !el.closest("[data-no-draft]");
  }

  function readDraft(form) {
    var values = {}, offered = {};
    all(form, "input, select, textarea").filter(draftable).forEach(function (el) {
      if ((el.type === "checkbox" || el.type === "radio")) {
        values[el.name] = values[el.name] || [];
        offered[el.name] = (offered[el.name] || []).concat([el.value]);
        if (el.checked) { values[el.name].push(el.value); }
      } else { values[el.name] = [el.value]; }
    });
    return { values: values, offered: offered };
  }

  function writeDraft(form, values, offered) {
    var seen = {};
    all(form, "input, select, textarea").filter(draftable).forEach(function (el) {
      if (!(el.name in values)) { return; }
      var wanted = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        // a choice the draft never saw (a photo attached since) keeps what the server says
        if ((offered[el.name] || []).indexOf(el.value) >= 0) { el.checked = wanted.indexOf(el.value) >= 0; }
      }
      else { seen[el.name] = (seen[el.name] || 0); el.value = wanted[seen[el.name]] || ""; seen[el.name] += 1; }
    });
  }

  function setUpDraft(form) {
    var local = storage("localStorage"), session = storage("sessionStorage");
    if (!local) { return; }
    var key = DRAFTS + form.getAttribute("data-draft"), timer = null;
    if (session && session.getItem(SENT) === key) { session.removeItem(SENT); }  // sent, but shown again: keep it
    var shownAgain = $(form, ".field-errors, .flash.error") ||  // or a refused report opened again: its own values
      new URLSearchParams(window.location.search).get("reedit");
    var saved = null;
    try { saved = JSON.parse(local.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved && saved.values && !shownAgain) {
      writeDraft(form, saved.values, saved.offered || {});
      var note = form.querySelector("[data-draft-note]");
      if (note) { note.hidden = false; }
    }
    function save() {
      var read = readDraft(form);
      try { local.setItem(key, JSON.stringify({ at: new Date().toISOString(), values: read.values, offered: read.offered })); }
      catch (e) { /* storage full or refused: typing still works */ }
    }
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 250); });
    form.addEventListener("change", function () { clearTimeout(timer); save(); });
    form.addEventListener("submit", function () { clearTimeout(timer); save(); if (session) { session.setItem(SENT, key); } });
    all(form, "[data-draft-clear]").forEach(function (button) {
      button.addEventListener("click", function () {
        local.removeItem(key);
        dropDraftPhotos(form.getAttribute("data-draft")).then(function () { window.location.reload(); });
      });
    });
  }

  /* A form that was sent and is not on this page any more was taken: its draft goes; so do drafts
     left for a week (a shared phone does not keep what was typed for ever). */
  function forgetSentDraft() {
    var local = storage("localStorage"), session = storage("sessionStorage");
    if (local) {
      Object.keys(local).filter(function (k) { return k.indexOf(DRAFTS) === 0; }).forEach(function (k) {
        var at = null;
        try { at = Date.parse((JSON.parse(local.getItem(k)) || {}).at); } catch (e) { at = null; }
        if (!at || Date.now() - at > 7 * 24 * 3600 * 1000) { local.removeItem(k); }
      });
    }
    var key = session && session.getItem(SENT);
    if (!key || !local) { return; }
    var still = all(document, "form[data-draft]").some(function (f) { return DRAFTS + f.getAttribute("data-draft") === key; });
    if (!still) { local.removeItem(key); session.removeItem(SENT); }
  }

  /* Logging out takes every draft with it: the next person on a shared phone sees none of them. */
  function forgetDraftsOnLogout(form) {
    form.addEventListener("submit", function () {
      var local = storage("localStorage");
      if (!local) { return; }
      Object.keys(local).filter(function (k) { return k.indexOf(DRAFTS) === 0; }).forEach(function (k) {
        local.removeItem(k);
      });
      if (window.caches) { caches.delete("wf-field-v1").catch(function () {}); }  // the pages kept offline
    });
  }

  /* A report form's draft photos (files, too big for localStorage) wait in the outbox's IndexedDB, in
     its "drafts" store (never sent), under "draft:" and the form's draft key; they go with the typed
     draft: once sent, queued, cleared, or when no typed draft is left for them. */
  var outboxReady = null;

  function draftPhotosKey(draft) { return "draft:" + draft; }

  function saveDraftPhotos(form) {
    var draft = form.getAttribute("data-draft");
    if (!draft || !window.WorkflowOutbox) { return; }
    var files = [];
    all(form, "input[data-photo-input]").forEach(function (input) {
      (input._kept || []).forEach(function (f) { files.push([input.name, f, f.name || "photo.jpg"]); });
    });
    window.WorkflowOutbox.drafts.save({ key: draftPhotosKey(draft), files: files, saved_at: new Date().toISOString() })
      .catch(function () {});
  }

  function dropDraftPhotos(draft) {
    return (outboxReady || Promise.resolve()).then(function () {
      return window.WorkflowOutbox && window.WorkflowOutbox.drafts.remove(draftPhotosKey(draft));
    }).catch(function () {});
  }

  /* Draft photos whose typed draft went (sent, logged out, a week old) go too. */
  function forgetOrphanPhotos(entries) {
    var local = storage("localStorage");
    return Promise.all(entries.filter(function (e) {
      return !(local && local.getItem(DRAFTS + e.key.slice("draft:".length)));
    }).map(function (e) { return window.WorkflowOutbox.drafts.remove(e.key).catch(function () {}); }));
  }

  function restoreDraftPhotos(form) {
    var draft = form && form.getAttribute("data-draft");
    if (!draft || !window.WorkflowOutbox || $(form, ".field-errors, .flash.error") ||
        new URLSearchParams(window.location.search).get("reedit")) { return Promise.resolve(); }
    return window.WorkflowOutbox.drafts.all().then(function (entries) {
      var entry = entries.filter(function (e) { return e.key === draftPhotosKey(draft); })[0];
      if (!entry || !entry.files.length) { return; }
      all(form, "input[data-photo-input]").forEach(function (input) {
        var files = entry.files.filter(function (f) { return f[0] === input.name; }).map(function (f) {
          return f[1] instanceof File ? f[1] : new File([f[1]], f[2], { type: f[1].type });
        });
        if (files.length && !(input._kept || []).length) { keepPhotos(input, files); }
      });
      var note = form.querySelector("[data-draft-note]");
      if (note) { note.hidden = false; }
    }).catch(function () {});
  }

  /* --- the offline outbox ------------------------------------------------------------------ */

  function note(kind, text, entry) {
    var box = document.getElementById("outbox-note");
    if (!box) { return; }
    box.hidden = false; box.setAttribute("data-state", kind);
    box.textContent = box.getAttribute("data-" + kind) + (text ? " " + text : "");
    if (kind === "failed" && entry && entry.key && entry.action) {
      box.appendChild(document.createTextNode(" "));
      box.appendChild(reeditLink(entry, box.getAttribute("data-reedit")));
    }
  }

  /* 重新编辑: a report the server refused opens in its form again, with what was kept. */
  function reeditLink(entry, label) {
    var a = document.createElement("a"), url = new URL(entry.action, window.location.href);
    url.searchParams.set("reedit", entry.key);
    a.href = url.pathname + url.search; a.className = "button small secondary"; a.setAttribute("data-reedit", entry.key);
    a.textContent = label || "重新编辑";
    return a;
  }

  function flush() {
    if (!window.WorkflowOutbox) { return Promise.resolve([]); }
    return window.WorkflowOutbox.all().then(function (kept) {
      // a refused report waits for 重新编辑, not for the connection: nothing to send for it
      if (!kept.some(function (e) { return e.state !== "failed"; })) { return kept; }
      if (navigator.onLine === false) { note("waiting"); return kept; }  // sent on "online"
      note("sending");
      return window.WorkflowOutbox.flush();
    }).then(listPending);
  }

  function listPending(entries) {
    var list = document.getElementById("outbox-list");
    document.documentElement.setAttribute("data-outbox", String((entries || []).length));
    if (!list) { return entries; }
    var ul = $(list, "ul"); ul.innerHTML = "";
    (entries || []).forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = (e.title || e.key) + (e.state === "failed" ? " — " + (e.error || "") : "");
      if (e.state === "failed" && e.action) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(reeditLink(e, list.getAttribute("data-reedit")));
      }
      ul.appendChild(li);
    });
    list.hidden = !(entries || []).length;
    return entries;
  }

  function keepOffline(form) {
    var entry = window.WorkflowOutbox.fromForm(form);
    var local = storage("localStorage"), draft = form.getAttribute("data-draft");
    return window.WorkflowOutbox.save(entry).then(function () {
      note("saved", entry.title);
      if (draft) { if (local) { local.removeItem(DRAFTS + draft); } dropDraftPhotos(draft); }  // queued: no draft
      form.reset();
      all(form, "[data-lat], [data-lng], [data-accuracy]").forEach(function (i) { i.value = ""; });
      all(form, "[data-point]").forEach(function (p) { p.textContent = ""; });
      all(form, "[data-previews]").forEach(function (p) { p.innerHTML = ""; });
      all(form, "input[data-photo-input]").forEach(function (i) { i._kept = []; });
      all(form, "input[name=replaces]").forEach(function (i) { i.remove(); });  // the next report corrects none
      $(form, "input[name=idempotency_key]").value = newKey();
      if (navigator.serviceWorker && navigator.serviceWorker.ready) {
        navigator.serviceWorker.ready.then(function (reg) { return reg.sync && reg.sync.register("wf-outbox"); })
          .catch(function () { /* the page sends it when the connection returns */ });
      }
      return listPending([entry]);
    });
  }

  /* A report the server sent back with errors: the photos chosen before are in the outbox copy kept
     under the report's key while posting; put them back into their fields (with thumbnails). */
  function restorePhotos(form) {
    var again = form && new URLSearchParams(window.location.search).get("reedit");
    var key = again || (form && form.getAttribute("data-sent-key"));
    if (!key || !window.WorkflowOutbox) { return Promise.resolve(); }
    return window.WorkflowOutbox.all().then(function (entries) {
      var entry = entries.filter(function (e) { return e.key === key; })[0];
      if (!entry) { return; }
      if (again && entry.state === "failed") { reopen(form, entry); }
      all(form, "input[data-photo-input]").forEach(function (input) {
        var files = entry.files.filter(function (f) { return f[0] === input.name; }).map(function (f) {
          return f[1] instanceof File ? f[1] : new File([f[1]], f[2], { type: f[1].type });
        });
        if (files.length) { keepPhotos(input, files); }
      });
    }).catch(function () { /* no copy: the photos must be chosen again */ });
  }

  /* A refused report opened again (?reedit=<its key>): its fields as kept, the server's errors
     next to them, and a new key (the refused key may have been used by another request). The
     refused entry stays in the outbox until the corrected report is accepted ("replaces"). */
  var OWN = ["csrf_token", "idempotency_key", "replaces"];

  function reopen(form, entry) {
    var values = {}, replaced = [];
    entry.fields.forEach(function (f) {
      if (f[0] === "replaces") { replaced = f[1].split(" ").filter(Boolean); }
      if (OWN.indexOf(f[0]) < 0) { (values[f[0]] = values[f[0]] || []).push(f[1]); }
    });
    var seen = {};
    all(form, "input, select, textarea").forEach(function (el) {
      if (!el.name || !(el.name in values) || el.type === "file" || OWN.indexOf(el.name) >= 0) { return; }
      var wanted = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = wanted.indexOf(el.value) >= 0; }
      else if (el.multiple) { all(el, "option").forEach(function (o) { o.selected = wanted.indexOf(o.value) >= 0; }); }
      else { seen[el.name] = seen[el.name] || 0; el.value = wanted[seen[el.name]] || ""; seen[el.name] += 1; }
    });
    all(form, "[data-location]").forEach(function (widget) {  // the kept position, as the widget shows one
      var lat = $(widget, "[data-lat]"), lng = $(widget, "[data-lng]"), point = $(widget, "[data-point]");
      if (lat && lng && point && lat.value && lng.value) {
        point.textContent = Number(lat.value).toFixed(5) + ", " + Number(lng.value).toFixed(5);
      }
    });
    var hidden = $(form, "input[name=replaces]");
    if (!hidden) {
      hidden = document.createElement("input"); hidden.type = "hidden"; hidden.name = "replaces"; form.appendChild(hidden);
    }
    hidden.value = replaced.concat([entry.key]).join(" ");
    showErrors(form, entry);
  }

  function showErrors(form, entry) {
    var errors = entry.errors || {}, general = [];
    Object.keys(errors).forEach(function (name) {
      var messages = [].concat(errors[name]).map(function (m) { return typeof m === "string" ? m : JSON.stringify(m); });
      var box = $(form, "[data-field=\"" + name.split(".")[0] + "\"]");
      if (!box) { general = general.concat(messages); return; }
      box.classList.add("invalid");
      var ul = document.createElement("ul"); ul.className = "field-errors"; ul.setAttribute("role", "alert");
      messages.forEach(function (m) { var li = document.createElement("li"); li.textContent = m; ul.appendChild(li); });
      box.appendChild(ul);
    });
    var alert = document.createElement("div"); alert.className = "error flash"; alert.id = "reedit-errors";
    alert.setAttribute("role", "alert");
    [entry.error].concat(general).filter(Boolean).forEach(function (m) {
      var div = document.createElement("div"); div.textContent = m; alert.appendChild(div);
    });
    if (alert.childNodes.length) { form.insertBefore(alert, form.firstChild); }
  }

  function setUpReport(form) {
    form.setAttribute("data-token-url", form.getAttribute("data-token-url") || "/report/token");
    var sent = $(form, "input[name=idempotency_key]");
    if ($(form, ".field-errors, .flash.error")) { form.setAttribute("data-sent-key", sent.value); }
    sent.value = newKey();  // one key per report (a cached page is reused)
    form.addEventListener("submit", function (event) {
      if (!window.WorkflowOutbox) { return; }  // no IndexedDB: the usual post
      event.preventDefault();
      if (navigator.onLine === false) { keepOffline(form); return; }
      // Online, maybe on a weak signal: keep a copy under the report's key, then post as usual. The
      // answer's page drops the copy (cookie wf_answered); if no answer comes, the copy is sent later
      // with the same key, and the server starts the case once.
      var entry = window.WorkflowOutbox.fromForm(form);
      entry.state = "posting";
      var post = function () { HTMLFormElement.prototype.submit.call(form); };
      window.WorkflowOutbox.save(entry).then(post, post);
    });
  }

  /* The key of a report the server has answered (set on the answer to a posted report form). */
  function answeredKey() {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf("wf_answered=") === 0; })[0];
    if (!found) { return null; }
    document.cookie = "wf_answered=; Max-Age=0; Path=/; SameSite=Lax";
    return decodeURIComponent(found.slice("wf_answered=".length));
  }

  /* The refused reports a corrected one replaced, once the server accepted it (cookie wf_replaced). */
  function replacedKeys() {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf("wf_replaced=") === 0; })[0];
    if (!found) { return []; }
    document.cookie = "wf_replaced=; Max-Age=0; Path=/; SameSite=Lax";
    return decodeURIComponent(found.slice("wf_replaced=".length)).replace(/^"|"$/g, "").split("~").filter(Boolean);
  }

  function forgetAnswered() {
    var keys = [answeredKey()].concat(replacedKeys()).filter(Boolean);
    if (!keys.length || !window.WorkflowOutbox) { return Promise.resolve(); }
    return Promise.all(keys.map(function (key) { return window.WorkflowOutbox.remove(key).catch(function () {}); }));
  }

  function start() {
    if ("serviceWorker" in navigator && script && script.getAttribute("data-sw")) {
      navigator.serviceWorker.register(script.getAttribute("data-sw"), { scope: "/" }).catch(function () {});
      navigator.serviceWorker.addEventListener("message", function (event) {
        var m = event.data || {};
        if (m.type === "outbox") {
          note(m.kind, m.title, { key: m.key, action: m.action });
          if (window.WorkflowOutbox) { window.WorkflowOutbox.all().then(listPending); }
        }
      });
    }
    window.addEventListener("outbox", function (event) { note(event.detail.kind, event.detail.title, event.detail.entry); });
    forgetSentDraft();
    all(document, "form[data-logout]").forEach(forgetDraftsOnLogout);
    all(document, "form[data-draft]").forEach(setUpDraft);
    setUpPhotos(document);
    all(document, "[data-location]").forEach(setUpLocation);
    all(document, "[data-filter-select]").forEach(setUpPicker);
    all(document, "form[data-query-from]").forEach(setUpQueryFrom);
    var report = document.getElementById("report-form");
    if (report) { setUpReport(report); setUpSimilar(report); }
    window.addEventListener("online", flush);
    outboxReady = new Promise(function (resolve) {
      if (window.WorkflowOutbox || !window.indexedDB) { resolve(); return; }
      var js = document.createElement("script");
      js.src = script.src.replace(/field\.js(\?.*)?$/, "outbox.js");
      js.onload = js.onerror = function () { resolve(); };
      document.head.appendChild(js);
    });
    outboxReady.then(function () {
      if (!window.WorkflowOutbox) { return null; }
      return window.WorkflowOutbox.drafts.all().then(forgetOrphanPhotos).catch(function () {})
        .then(function () { return restorePhotos(report); })
        .then(function () { return restoreDraftPhotos(report); }).then(forgetAnswered).then(flush);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
