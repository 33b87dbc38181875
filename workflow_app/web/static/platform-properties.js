/* 平台属性: the platform's own properties of the selected element, next to bpmn-js-properties-panel
   (which edits the standard BPMN ones: name, id, documentation, timers, multi-instance…).
   - lanes: the role (角色) and how its unit is found (scope_level, scope_from, role_from);
   - user and manual tasks: the form (spiffworkflow:formJsonSchemaFilename), the time limit (sla,
     sla_from), the stage;
   - script tasks: the script; sequence flows: the condition; timer events: the timer expression;
     business-rule tasks: the decision (spiffworkflow:calledDecisionId);
   - every element: all its spiffworkflow:property name/value pairs.
   Edits go through bpmn-js commands (undo works) and are written as the spiffworkflow moddle
   extension, as the engine reads them. */
(function () {
  "use strict";
  var TEXT = {
    zh: { role: "角色（lane 名或 role 属性）", scope_level: "单位层级 scope_level", scope_from: "单位来自数据 scope_from",
          role_from: "角色来自数据 role_from", form: "表单文件", sla: "时限 sla（如 4 work_hours）",
          sla_from: "时限来自数据 sla_from", stage: "阶段 stage", script: "脚本（Python）", condition: "条件（Python 表达式）",
          timer: "定时器表达式", decision: "决策 calledDecisionId", props: "全部平台属性", add: "添加属性",
          name: "名称", value: "值", remove: "删除", input: "多实例集合 loopDataInputRef",
          output: "结果集合 loopDataOutputRef", item: "每项变量 inputDataItem", outItem: "每项结果 outputDataItem" },
    en: { role: "Role (lane name or role property)", scope_level: "Unit level (scope_level)",
          scope_from: "Unit from data (scope_from)", role_from: "Role from data (role_from)", form: "Form file",
          sla: "Time limit (sla, e.g. 4 work_hours)", sla_from: "Time limit from data (sla_from)", stage: "Stage",
          script: "Script (Python)", condition: "Condition (Python expression)", timer: "Timer expression",
          decision: "Decision (calledDecisionId)", props: "All platform properties", add: "Add property",
          name: "Name", value: "Value", remove: "Remove", input: "Multi-instance collection (loopDataInputRef)",
          output: "Result collection (loopDataOutputRef)", item: "Item variable (inputDataItem)",
          outItem: "Item result (outputDataItem)" }
  };
  var t = TEXT[(document.documentElement.lang || "zh").slice(0, 2) === "en" ? "en" : "zh"];

  function ext(bo, type) {
    var ee = bo.extensionElements;
    return ee ? (ee.values || []).filter(function (v) { return v.$type === type; })[0] : undefined;
  }

  function ensureExtensions(modeler, element, bo) {
    var modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    if (!bo.extensionElements) {
      modeling.updateModdleProperties(element, bo, { extensionElements: moddle.create("bpmn:ExtensionElements", { values: [] }) });
    }
    return bo.extensionElements;
  }

  function getProp(bo, name) {
    var props = ext(bo, "spiffworkflow:Properties");
    var found = props && (props.properties || []).filter(function (p) { return p.name === name; })[0];
    return found ? found.value || "" : "";
  }

  function setProp(modeler, element, bo, name, value) {
    var modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    var ee = ensureExtensions(modeler, element, bo);
    var props = ext(bo, "spiffworkflow:Properties");
    if (!props) {
      props = moddle.create("spiffworkflow:Properties", { properties: [] });
      modeling.updateModdleProperties(element, ee, { values: (ee.values || []).concat([props]) });
    }
    var list = (props.properties || []).slice();
    var found = list.filter(function (p) { return p.name === name; })[0];
    if (value === "" || value === null) {
      list = list.filter(function (p) { return p !== found; });
    } else if (found) {
      modeling.updateModdleProperties(element, found, { value: value });
      return;
    } else {
      list.push(moddle.create("spiffworkflow:Property", { name: name, value: value }));
    }
    modeling.updateModdleProperties(element, props, { properties: list });
  }

  function setBody(modeler, element, bo, type, value) {
    var modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    var ee = ensureExtensions(modeler, element, bo);
    var found = ext(bo, type);
    if (found) {
      if (value === "") { modeling.updateModdleProperties(element, ee, { values: ee.values.filter(function (v) { return v !== found; }) }); }
      else { modeling.updateModdleProperties(element, found, { value: value }); }
    } else if (value !== "") {
      modeling.updateModdleProperties(element, ee, { values: (ee.values || []).concat([moddle.create(type, { value: value })]) });
    }
  }

  function field(box, id, label, value, multiline, onChange) {
    var wrap = document.createElement("div"); wrap.className = "field";
    var lab = document.createElement("label"); lab.htmlFor = id; lab.textContent = label;
    var input = document.createElement(multiline ? "textarea" : "input");
    input.id = id; input.value = value || ""; if (multiline) { input.rows = 4; input.className = "code"; }
    input.addEventListener("change", function () { onChange(input.value); });
    wrap.appendChild(lab); wrap.appendChild(input); box.appendChild(wrap);
    return input;
  }

  function timerDefinition(bo) {
    return (bo.eventDefinitions || []).filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0];
  }

  function render(modeler, element) {
    var section = document.getElementById("platform-properties"), box = document.getElementById("pp-fields");
    if (!section || !box) { return; }
    section.hidden = false;
    box.innerHTML = "";
    var hint = document.getElementById("pp-hint");
    if (!element || element.type === "bpmn:Process" || element.type === "bpmn:Collaboration") {
      hint.hidden = false; document.getElementById("pp-element").textContent = ""; return;
    }
    hint.hidden = true;
    var bo = element.businessObject, modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    document.getElementById("pp-element").textContent = (bo.name || "") + " " + bo.id;
    var prop = function (name, label) {
      field(box, "pp-" + name, label, getProp(bo, name), false, function (v) { setProp(modeler, element, bo, name, v.trim()); });
    };
    if (element.type === "bpmn:Lane") {
      prop("role", t.role); prop("scope_level", t.scope_level); prop("scope_from", t.scope_from); prop("role_from", t.role_from);
    }
    if (/^bpmn:(UserTask|ManualTask|StartEvent)$/.test(element.type)) {
      var form = ext(bo, "spiffworkflow:FormJsonSchemaFilename");
      field(box, "pp-form", t.form, form ? form.value : "", false, function (v) {
        setBody(modeler, element, bo, "spiffworkflow:FormJsonSchemaFilename", v.trim());
      });
    }
    if (/^bpmn:(UserTask|ManualTask)$/.test(element.type)) { prop("sla", t.sla); prop("sla_from", t.sla_from); prop("stage", t.stage); }
    if (element.type === "bpmn:ScriptTask") {
      field(box, "pp-script", t.script, bo.script || "", true, function (v) { modeling.updateProperties(element, { script: v }); });
    }
    if (element.type === "bpmn:BusinessRuleTask") {
      var decision = ext(bo, "spiffworkflow:CalledDecisionId");
      field(box, "pp-decision", t.decision, decision ? decision.value : "", false, function (v) {
        setBody(modeler, element, bo, "spiffworkflow:CalledDecisionId", v.trim());
      });
    }
    if (element.type === "bpmn:SequenceFlow") {
      var condition = bo.conditionExpression;
      field(box, "pp-condition", t.condition, condition ? condition.body : "", true, function (v) {
        modeling.updateProperties(element, { conditionExpression: v.trim() ?
          moddle.create("bpmn:FormalExpression", { body: v.trim() }) : undefined });
      });
    }
    var loop = bo.loopCharacteristics;
    if (loop && loop.$type === "bpmn:MultiInstanceLoopCharacteristics") { renderLoop(modeler, element, loop, box); }
    var timer = timerDefinition(bo);
    if (timer) {
      var kind = timer.timeDuration ? "timeDuration" : (timer.timeDate ? "timeDate" : (timer.timeCycle ? "timeCycle" : "timeDuration"));
      field(box, "pp-timer", t.timer + " (" + kind + ")", timer[kind] ? timer[kind].body : "", false, function (v) {
        var update = {}; update[kind] = moddle.create("bpmn:FormalExpression", { body: v.trim() });
        modeling.updateModdleProperties(element, timer, update);
      });
    }
    renderAll(modeler, element, bo, box);
  }

  /* SpiffWorkflow's multi-instance loop data: the collections and item variables are names of
     process data (written as references by id, as the engine reads them). */
  function renderLoop(modeler, element, loop, box) {
    var modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    var entries = [["loopDataInputRef", t.input, "bpmn:ItemAwareElement"],
                   ["loopDataOutputRef", t.output, "bpmn:ItemAwareElement"],
                   ["inputDataItem", t.item, "bpmn:DataInput"], ["outputDataItem", t.outItem, "bpmn:DataOutput"]];
    entries.forEach(function (entry) {
      var current = loop.get(entry[0]);
      field(box, "pp-" + entry[0], entry[1], current ? current.id : "", false, function (v) {
        var update = {};
        update[entry[0]] = v.trim() ? moddle.create(entry[2], { id: v.trim() }) : undefined;
        if (update[entry[0]]) { update[entry[0]].$parent = loop; }
        modeling.updateModdleProperties(element, loop, update);
      });
    });
  }

  function renderAll(modeler, element, bo, box) {
    var props = ext(bo, "spiffworkflow:Properties");
    var title = document.createElement("h3"); title.textContent = t.props; box.appendChild(title);
    var table = document.createElement("div"); table.className = "pp-all";
    ((props && props.properties) || []).forEach(function (p, i) {
      var row = document.createElement("div"); row.className = "row";
      var name = document.createElement("input"); name.value = p.name || ""; name.setAttribute("aria-label", t.name);
      var value = document.createElement("input"); value.value = p.value || ""; value.setAttribute("aria-label", t.value);
      value.id = "pp-all-" + i;
      value.addEventListener("change", function () { setProp(modeler, element, bo, p.name, value.value); });
      name.addEventListener("change", function () {
        modeler.get("modeling").updateModdleProperties(element, p, { name: name.value.trim() });
      });
      var remove = document.createElement("button"); remove.type = "button"; remove.className = "small secondary";
      remove.textContent = t.remove;
      remove.addEventListener("click", function () { setProp(modeler, element, bo, p.name, ""); render(modeler, element); });
      row.appendChild(name); row.appendChild(value); row.appendChild(remove); table.appendChild(row);
    });
    box.appendChild(table);
    var add = document.createElement("button"); add.type = "button"; add.className = "small secondary"; add.textContent = t.add;
    add.addEventListener("click", function () {
      var name = window.prompt(t.name);
      if (name && name.trim()) { setProp(modeler, element, bo, name.trim(), "?"); render(modeler, element); }
    });
    box.appendChild(add);
  }

  document.addEventListener("workflow:modeler-ready", function (event) {
    var modeler = event.detail;
    modeler.on("selection.changed", function (e) { render(modeler, e.newSelection[0]); });
    render(modeler, null);
  });
})();
