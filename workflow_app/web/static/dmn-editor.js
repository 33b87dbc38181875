/* The decision-table editor: dmn-js Modeler on the DMN in #dmn-xml, opened on the decision table
   (the platform's DMN are single decision tables). On submit the DMN is exported into the form. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("dmn-editor"), field = document.getElementById("dmn-xml");
    var form = document.getElementById("dmn-form"), error = document.getElementById("dmn-error");
    if (!container || !field || typeof window.DmnJS === "undefined") { return; }
    var translated = window.WorkflowI18n ? window.WorkflowI18n.modules() : [];  /* zh-CN labels */
    var modeler = new window.DmnJS({ container: container, keyboard: { bindTo: window },  /* per view: */
                                     drd: { additionalModules: translated },  /* "common" ones are dropped */
                                     decisionTable: { additionalModules: translated },
                                     literalExpression: { additionalModules: translated },
                                     boxedExpression: { additionalModules: translated } });
    window.workflowDmn = modeler;
    modeler.importXML(field.value).then(function (result) {
      var table = modeler.getViews().filter(function (v) { return v.type === "decisionTable"; })[0];
      return table ? modeler.open(table).then(function () { return result; }) : result;
    }).then(function (result) {
      container.setAttribute("data-warnings", String((result.warnings || []).length));
      container.setAttribute("data-ready", "1");
    }).catch(function (e) {
      container.setAttribute("data-error", String(e));
      error.textContent = String(e); error.hidden = false;
    });
    var exported = false;
    form.addEventListener("submit", function (event) {
      if (exported || container.getAttribute("data-ready") !== "1") { return; }
      event.preventDefault();
      modeler.saveXML({ format: true }).then(function (result) {
        field.value = result.xml; exported = true; form.submit();
      });
    });
  });
})();
