/* The form editor: the JSON-schema form in #form-source, previewed live in #form-preview as the
   person doing the task would see it (titles, required marks, choices, formats, read-only fields),
   with JSON errors shown in place. Nothing here is sent anywhere: saving posts the text. */
(function () {
  "use strict";
  var en = (document.documentElement.lang || "zh").slice(0, 2) === "en";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== undefined && attrs[k] !== false) { node.setAttribute(k, attrs[k]); } });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function title(spec, name) { return (en && spec["x-title-en"]) || spec.title || name; }

  function control(name, spec) {
    var id = "preview-" + name, kind = Array.isArray(spec.type) ? spec.type[0] : spec.type;
    var readOnly = spec.readOnly ? "readonly" : undefined;
    if (spec["enum"]) {
      var select = el("select", { id: id, disabled: spec.readOnly ? "disabled" : undefined });
      select.appendChild(el("option", { value: "" }, en ? "Choose…" : "请选择"));
      var labels = spec["x-enum-labels"] || {};
      spec["enum"].forEach(function (v) {
        var label = labels[v]; if (label && typeof label === "object") { label = en ? label.en || label.zh : label.zh || label.en; }
        select.appendChild(el("option", { value: String(v) }, label || String(v)));
      });
      return select;
    }
    if (kind === "boolean") { return el("input", { id: id, type: "checkbox", disabled: readOnly }); }
    if (kind === "integer" || kind === "number") {
      return el("input", { id: id, type: "number", min: spec.minimum, max: spec.maximum, readonly: readOnly });
    }
    if (kind === "array") {
      var items = spec.items || {}, box = el("div", { id: id, "class": "preview-choices" });
      (items["enum"] || []).forEach(function (v) {
        var label = el("label"); label.appendChild(el("input", { type: "checkbox", value: String(v) }));
        label.appendChild(document.createTextNode(" " + String(v))); box.appendChild(label);
      });
      if (!(items["enum"] || []).length) { box.appendChild(el("small", {}, en ? "(list)" : "（列表）")); }
      return box;
    }
    if (kind === "object") { return el("small", { id: id }, en ? "(group of fields)" : "（字段组）"); }
    var widget = spec["x-widget"];
    if (widget === "org_unit" || widget === "catalogue") {
      var ref = el("select", { id: id }); ref.appendChild(el("option", {}, widget === "org_unit" ? (en ? "(an org unit)" : "（选择单位）") : (en ? "(a filing condition)" : "（选择立案条件）")));
      return ref;
    }
    if (widget === "textarea" || (spec.maxLength || 0) > 200) { return el("textarea", { id: id, rows: "3", readonly: readOnly }); }
    var type = { date: "date", "date-time": "datetime-local", email: "email", uri: "url" }[spec.format] || "text";
    return el("input", { id: id, type: type, maxlength: spec.maxLength, pattern: spec.pattern, readonly: readOnly });
  }

  function render(preview, doc) {
    preview.innerHTML = "";
    if (doc.title || doc["x-title-en"]) { preview.appendChild(el("h3", {}, title(doc, ""))); }
    var props = doc.properties || {}, required = doc.required || [];
    var order = (doc["x-order"] || []).concat(Object.keys(props).filter(function (k) { return (doc["x-order"] || []).indexOf(k) < 0; }));
    order.forEach(function (name) {
      var spec = props[name];
      if (!spec || typeof spec !== "object") { return; }
      var wrap = el("div", { "class": "field", "data-field": name });
      var label = el("label", { "for": "preview-" + name }, title(spec, name) + (required.indexOf(name) >= 0 ? " *" : ""));
      wrap.appendChild(label);
      wrap.appendChild(control(name, spec));
      var help = (en && spec["x-description-en"]) || spec.description;
      if (help) { wrap.appendChild(el("small", { "class": "muted" }, help)); }
      preview.appendChild(wrap);
    });
    if (!order.length) { preview.appendChild(el("p", { "class": "muted" }, en ? "No fields yet." : "还没有字段。")); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("form-source"), preview = document.getElementById("form-preview");
    var error = document.getElementById("form-error");
    if (!source || !preview) { return; }
    var timer = null;
    function update() {
      try {
        var doc = JSON.parse(source.value);
        error.hidden = true;
        render(preview, doc);
        preview.setAttribute("data-fields", String(preview.querySelectorAll("[data-field]").length));
      } catch (e) {
        error.textContent = (en ? "Not valid JSON: " : "不是有效的 JSON：") + e.message;
        error.hidden = false;
        preview.setAttribute("data-fields", "error");
      }
    }
    source.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
    update();
  });
})();
