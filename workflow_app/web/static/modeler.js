/* The designer's editor: bpmn-js Modeler on the XML in #xml, taught the SpiffWorkflow moddle
   extension (spiffworkflow-moddle.js) so every extension element the platform's models use is read
   and written as a typed element. What bpmn-js would otherwise drop is kept:
   - spiffworkflow elements the descriptor does not list get a generic type before import (their
     text, attributes and children survive);
   - references to ids that are not elements of the document (SpiffWorkflow's multi-instance
     loopDataInputRef/loopDataOutputRef name data variables, not data objects) are put back after
     parsing, so they are written out as they came in.
   Anything bpmn-js still could not read is listed above the diagram (#modeler-warnings).
   The properties panel (bpmn-js-properties-panel) shows the standard BPMN groups and the platform's
   own (platform-properties.js). On submit the diagram is exported into #xml and the form is posted
   (the server saves a draft). */
(function () {
  "use strict";
  var SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";

  function typeName(local) { return local.charAt(0).toUpperCase() + local.slice(1); }

  /* The shipped descriptor plus a generic type for each spiffworkflow element it does not know. */
  function descriptorFor(xml) {
    var descriptor = JSON.parse(JSON.stringify(window.SpiffworkflowModdle));
    var known = {}, generated = {};
    descriptor.types.forEach(function (t) { known[t.name] = true; });
    var doc = new DOMParser().parseFromString(xml, "application/xml");
    var nodes = doc.getElementsByTagNameNS(SPIFF, "*");
    for (var i = 0; i < nodes.length; i++) {
      var local = nodes[i].localName, name = typeName(local);
      if ((known[name] && !generated[name]) || local.charAt(0) !== local.charAt(0).toLowerCase()) { continue; }
      var type = generated[name];
      if (!type) {
        type = generated[name] = { name: name, superClass: ["Element"], properties: [
          { name: "value", isBody: true, type: "String" },
          { name: "values", type: "Element", isMany: true }] };
        known[name] = true;
        descriptor.types.push(type);
      }
      for (var a = 0; a < nodes[i].attributes.length; a++) {  /* its plain attributes, as attributes */
        var attr = nodes[i].attributes[a];
        if (attr.namespaceURI || type.properties.some(function (p) { return p.name === attr.localName; })) { continue; }
        type.properties.push({ name: attr.localName, isAttr: true, type: "String" });
      }
    }
    return descriptor;
  }

  /* Put back references bpmn-moddle could not resolve (it drops them), as stand-ins of the
     referenced type carrying the id: the writer serialises a reference by its id. */
  function keepUnresolved(modeler) {
    modeler.on("import.parse.complete", function (event) {
      var byId = event.elementsById || {}, moddle = modeler.get("moddle");
      (event.references || []).forEach(function (ref) {
        if (!ref.id || byId[ref.id] || !ref.element) { return; }
        var property = ref.element.$descriptor.propertiesByName[ref.property];
        if (!property) { return; }
        var stand = moddle.create(property.type, { id: ref.id });
        stand.$parent = ref.element;
        if (property.isMany) { ref.element.get(ref.property).push(stand); }
        else { ref.element.set(ref.property, stand); }
        ref.restored = true;
      });
    });
  }

  function showWarnings(container, warnings) {
    var lost = warnings.filter(function (w) { return !/^unresolved reference/.test(w.message || ""); });
    var box = document.getElementById("modeler-warnings");
    container.setAttribute("data-warnings", String(lost.length));
    if (!box || !lost.length) { return; }
    var list = box.querySelector("ul");
    lost.forEach(function (w) {
      var item = document.createElement("li");
      item.textContent = String(w.message || w);
      list.appendChild(item);
    });
    box.hidden = false;
  }

  /* Fit the diagram into the part of the canvas the palette leaves free (with a margin), so the
     palette on the left never covers the start event. */
  function fitBesidePalette(modeler, container) {
    var canvas = modeler.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    var box = canvas.viewbox(), inner = box.inner, outer = box.outer;
    if (!inner || !inner.width || !outer.width) { return; }
    var palette = container.querySelector(".djs-palette"), margin = 24;
    var left = margin + (palette ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left : 0);
    var free = Math.max(outer.width - left - margin, 100), high = Math.max(outer.height - 2 * margin, 100);
    var scale = Math.min(1, free / inner.width, high / inner.height);
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - (outer.height / scale - inner.height) / 2,
                     width: outer.width / scale, height: outer.height / scale });
  }

  function create(container, xml) {
    var options = { container: container, keyboard: { bindTo: document },
                    moddleExtensions: { spiffworkflow: descriptorFor(xml) } };
    var panel = document.getElementById("properties");
    options.additionalModules = window.WorkflowI18n ? window.WorkflowI18n.modules() : [];  /* zh-CN labels */
    if (panel && window.BpmnJSPropertiesPanel) {
      options.propertiesPanel = { parent: panel };
      options.additionalModules.push(window.BpmnJSPropertiesPanel.BpmnPropertiesPanelModule,
                                     window.BpmnJSPropertiesPanel.BpmnPropertiesProviderModule);
      var platform = window.WorkflowPlatformProperties;  /* 平台属性 groups (platform-properties.js) */
      if (platform && platform.available()) { options.additionalModules.push(platform.module); }
    }
    var modeler = new window.BpmnJS(options);
    keepUnresolved(modeler);
    return modeler;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("modeler"), field = document.getElementById("xml");
    var form = document.getElementById("deploy-form");
    if (!container || !field || typeof window.BpmnJS === "undefined") { return; }
    var modeler = create(container, field.value);
    window.workflowModeler = modeler;
    modeler.importXML(field.value).then(function (result) {
      fitBesidePalette(modeler, container);
      showWarnings(container, result.warnings || []);
      container.setAttribute("data-ready", "1");
      document.dispatchEvent(new CustomEvent("workflow:modeler-ready", { detail: modeler }));
    }).catch(function (error) { container.setAttribute("data-error", String(error)); });
    if (!form) { return; }
    var exported = false;
    form.addEventListener("submit", function (event) {
      if (exported) { return; }
      event.preventDefault();
      modeler.saveXML({ format: true }).then(function (result) {
        field.value = result.xml;
        exported = true;
        form.submit();
      });
    });
  });
})();
