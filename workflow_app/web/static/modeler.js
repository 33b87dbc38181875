/* The designer's editor: bpmn-js Modeler on the XML in #xml; on submit the edited diagram is
   exported back into #xml and posted with the form (the server validates and deploys). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("modeler"), field = document.getElementById("xml");
    var form = document.getElementById("deploy-form");
    if (!container || !field || typeof window.BpmnJS === "undefined") { return; }
    var modeler = new window.BpmnJS({ container: container, keyboard: { bindTo: document } });
    window.workflowModeler = modeler;
    modeler.importXML(field.value).then(function () {
      modeler.get("canvas").zoom("fit-viewport", "auto");
      container.setAttribute("data-ready", "1");
    }).catch(function (error) { container.setAttribute("data-error", String(error)); });
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
