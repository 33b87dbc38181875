/* Draws a BPMN file with bpmn-js (NavigatedViewer) in every element that has data-bpmn-url, and
   marks elements: data-marks is {"css-class": ["ElementId", ...]}. Sequence flows between two
   completed elements are marked done too. The bpmn.io watermark stays visible (its licence). */
(function () {
  "use strict";

  function markFlows(registry, canvas, done) {
    registry.filter(function (el) { return el.type === "bpmn:SequenceFlow"; }).forEach(function (flow) {
      var from = flow.source && flow.source.id, to = flow.target && flow.target.id;
      if (done.has(from) && done.has(to)) { canvas.addMarker(flow.id, "m-done"); }
    });
  }

  function applyMarks(viewer, marks, badges) {
    var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry"), overlays = viewer.get("overlays");
    var reached = new Set();
    Object.keys(marks || {}).forEach(function (cls) {
      (marks[cls] || []).forEach(function (id) {
        var element = registry.get(id);
        if (!element) { return; }
        canvas.addMarker(id, cls);
        if (cls === "m-done" || cls === "m-active") { reached.add(id); }
        if (badges && badges[cls] && /Task$|SubProcess$|CallActivity$/.test(element.type)) {
          overlays.add(id, { position: { top: -14, right: 10 },
            html: '<span class="chip ' + badges[cls][1] + '">' + badges[cls][0] + "</span>" });
        }
      });
    });
    markFlows(registry, canvas, reached);
  }

  /* On a phone the whole diagram is too small to read: zoom to the step that is being worked on. */
  function zoomToActive(viewer, container, marks) {
    var active = (marks && marks["m-active"]) || [];
    if (container.clientWidth > 700 || !active.length) { return; }
    var registry = viewer.get("elementRegistry"), canvas = viewer.get("canvas");
    var found = active.map(function (id) { return registry.get(id); }).filter(Boolean);
    var element = found.filter(function (el) { return /Task$|SubProcess$|CallActivity$/.test(el.type); })[0] || found[0];
    if (!element) { return; }
    canvas.zoom(0.9);
    var box = canvas.viewbox();
    canvas.viewbox({ x: element.x + element.width / 2 - box.width / 2, y: element.y + element.height / 2 - box.height / 2,
                     width: box.width, height: box.height });
    container.setAttribute("data-zoomed", element.id);
  }

  function show(container) {
    var note = container.querySelector(".diagram-note");
    if (typeof window.BpmnJS === "undefined") {
      if (note) { note.hidden = false; }
      return Promise.resolve(null);
    }
    var viewer = new window.BpmnJS({ container: container,  /* zh-CN tooltips ("打开 …") */
                                     additionalModules: window.WorkflowI18n ? window.WorkflowI18n.modules() : [] });
    var marks = JSON.parse(container.getAttribute("data-marks") || "{}");
    var badges = JSON.parse(container.getAttribute("data-badges") || "{}");
    return fetch(container.getAttribute("data-bpmn-url"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + r.statusText); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        viewer.get("canvas").zoom("fit-viewport", "auto");
        applyMarks(viewer, marks, badges);
        zoomToActive(viewer, container, marks);
        container.setAttribute("data-ready", "1");
        return viewer;
      })
      .catch(function (error) {
        container.setAttribute("data-error", String(error));
        if (note) { note.textContent = note.getAttribute("data-failed") + " " + error; note.hidden = false; }
      });
  }

  window.WorkflowDiagram = { show: show, applyMarks: applyMarks };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bpmn-url]").forEach(show);
  });
})();
