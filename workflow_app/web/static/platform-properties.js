/* 平台属性: a bpmn-js-properties-panel properties provider for the platform's own properties, shown
   as groups of the same panel as the standard BPMN ones (name, id, documentation, timers…):
   - lanes: the role (a select of the platform's roles, embedded by the page as window.WorkflowRoles)
     and how its unit is found (scope_level, scope_from, role_from);
   - user and manual tasks: the form (spiffworkflow:formJsonSchemaFilename), the time limit (sla,
     sla_from), the stage; start events: the form;
   - script tasks: the script; sequence flows: the condition; business-rule tasks: the decision
     (spiffworkflow:calledDecisionId); multi-instance activities: SpiffWorkflow's loop data;
   - every element: all its spiffworkflow:property name/value pairs (a list group).
   Timers are edited in the panel's own 定时 group. Entries are the library's components
   (TextFieldEntry, TextAreaEntry, SelectEntry, ListGroup: vendor.py adds them to the bundle's
   exports); every edit is one bpmn-js command (undo works), written as the spiffworkflow moddle
   extension the engine reads. Labels are English templates, put into Chinese by designer-i18n.js. */
(function () {
  "use strict";
  var PROPERTIES = "spiffworkflow:Properties";
  var LEVELS = [["county", "County"], ["town", "Town / street"], ["community", "Community"], ["grid", "Grid"],
                ["micro_grid", "Micro-grid"]];
  var SLA = /^\s*\d+(\.\d+)?\s*(emergency_hours|work_hours|work_days|days)\s*$/;
  var LOOP = [["loopDataInputRef", "Multi-instance collection", "bpmn:ItemAwareElement"],
              ["loopDataOutputRef", "Result collection", "bpmn:ItemAwareElement"],
              ["inputDataItem", "Item variable", "bpmn:DataInput"], ["outputDataItem", "Item result", "bpmn:DataOutput"]];

  function lib() { return window.BpmnJSPropertiesPanel || {}; }
  function available() {
    var l = lib();
    return !!(l.TextFieldEntry && l.TextAreaEntry && l.SelectEntry && l.ListGroup);
  }
  function isEdited(node) { return !!(node && node.value); }
  function is(bo, type) { return !!(bo && bo.$instanceOf && bo.$instanceOf(type)); }
  function blank(value) { return value === undefined || value === null || !String(value).trim(); }

  /* ---- the model: spiffworkflow extension elements of a business object ---- */

  function ext(bo, type) {
    var ee = bo.extensionElements;
    return ee ? (ee.values || []).filter(function (v) { return v.$type === type; })[0] : undefined;
  }

  function propertyList(bo) { var props = ext(bo, PROPERTIES); return (props && props.properties) || []; }

  function getProp(bo, name) {
    var found = propertyList(bo).filter(function (p) { return p.name === name; })[0];
    return found ? found.value || "" : "";
  }

  function created(ctx, type, attrs, parent) {
    var made = ctx.moddle.create(type, attrs);
    made.$parent = parent;
    return made;
  }

  /* Add `child` to the element's extension elements: one command, whatever exists already. */
  function addExtension(ctx, child) {
    var ee = ctx.bo.extensionElements;
    if (!ee) {
      ee = created(ctx, "bpmn:ExtensionElements", { values: [child] }, ctx.bo);
      child.$parent = ee;
      ctx.modeling.updateModdleProperties(ctx.target, ctx.bo, { extensionElements: ee });
      return;
    }
    child.$parent = ee;
    ctx.modeling.updateModdleProperties(ctx.target, ee, { values: (ee.values || []).concat([child]) });
  }

  function setProp(ctx, name, value) {
    var props = ext(ctx.bo, PROPERTIES), list = propertyList(ctx.bo);
    var found = list.filter(function (p) { return p.name === name; })[0];
    if (blank(value)) {
      if (found) { ctx.modeling.updateModdleProperties(ctx.target, props, { properties: list.filter(function (p) { return p !== found; }) }); }
    } else if (found) {
      ctx.modeling.updateModdleProperties(ctx.target, found, { value: value });
    } else if (props) {
      ctx.modeling.updateModdleProperties(ctx.target, props, {
        properties: list.concat([created(ctx, "spiffworkflow:Property", { name: name, value: value }, props)]) });
    } else {
      props = ctx.moddle.create(PROPERTIES, { properties: [] });
      props.properties.push(created(ctx, "spiffworkflow:Property", { name: name, value: value }, props));
      addExtension(ctx, props);
    }
  }

  /* An extension element whose text is the value (formJsonSchemaFilename, calledDecisionId). */
  function setBody(ctx, type, value) {
    var found = ext(ctx.bo, type), ee = ctx.bo.extensionElements;
    if (found && blank(value)) {
      ctx.modeling.updateModdleProperties(ctx.target, ee, { values: ee.values.filter(function (v) { return v !== found; }) });
    } else if (found) {
      ctx.modeling.updateModdleProperties(ctx.target, found, { value: value });
    } else if (!blank(value)) {
      addExtension(ctx, ctx.moddle.create(type, { value: value }));
    }
  }

  /* ---- entries ---- */

  function entry(ctx, key, component, label, getValue, setValue, more) {
    var made = { id: "platform-" + key, component: component, isEdited: isEdited, label: ctx.t(label),
                 getValue: getValue, setValue: setValue, debounce: ctx.debounce };
    Object.keys(more || {}).forEach(function (k) { made[k] = more[k]; });
    return made;
  }

  function propEntry(ctx, name, label, more) {
    return entry(ctx, name, lib().TextFieldEntry, label, function () { return getProp(ctx.bo, name); },
                 function (value) { setProp(ctx, name, value); }, more);
  }

  function propSelect(ctx, name, label, options) {
    return entry(ctx, name, lib().SelectEntry, label, function () { return getProp(ctx.bo, name); },
                 function (value) { setProp(ctx, name, value); }, { getOptions: function () {
                   var current = getProp(ctx.bo, name), listed = options();
                   var known = listed.some(function (o) { return o.value === current; });
                   return known ? listed : listed.concat([{ value: current, label: current }]);
                 } });
  }

  function bodyEntry(ctx, key, type, label) {
    return entry(ctx, key, lib().TextFieldEntry, label, function () { var f = ext(ctx.bo, type); return f ? f.value || "" : ""; },
                 function (value) { setBody(ctx, type, value); });
  }

  function roleOptions(ctx) {
    return function () {
      var roles = window.WorkflowRoles || [];
      return [{ value: "", label: ctx.t("By the lane name ({name})", { name: ctx.bo.name || "" }) },
              { value: "initiator", label: ctx.t("Initiator") }].concat(roles.map(function (r) {
        return { value: r.code, label: r.name };
      }));
    };
  }

  function laneEntries(ctx) {
    return [propSelect(ctx, "role", "Role", roleOptions(ctx)),
            propSelect(ctx, "scope_level", "Unit level", function () {
              return [{ value: "", label: ctx.t("The role's default") }].concat(LEVELS.map(function (l) {
                return { value: l[0], label: ctx.t(l[1]) };
              }));
            }),
            propEntry(ctx, "scope_from", "Unit from process data", { description: ctx.t("The data key holding the unit code") }),
            propEntry(ctx, "role_from", "Role from process data", { description: ctx.t("The data key holding the role") })];
  }

  function taskEntries(ctx) {
    return [propEntry(ctx, "sla", "Time limit", {
              description: ctx.t("An amount and a unit: work_days, work_hours, days or emergency_hours"),
              validate: function (v) { return blank(v) || SLA.test(v) ? null : ctx.t("e.g. 3 work_days"); } }),
            propEntry(ctx, "sla_from", "Time limit from process data"), propEntry(ctx, "stage", "Stage")];
  }

  function scriptEntry(ctx) {
    return entry(ctx, "script", lib().TextAreaEntry, "Script (Python)", function () { return ctx.bo.script || ""; },
                 function (value) { ctx.modeling.updateProperties(ctx.target, { script: value || undefined }); },
                 { monospace: true, rows: 6, autoResize: true });
  }

  function conditionEntry(ctx) {
    return entry(ctx, "condition", lib().TextAreaEntry, "Condition (Python expression)", function () {
      var c = ctx.bo.conditionExpression; return c ? c.body || "" : "";
    }, function (value) {
      var c = ctx.bo.conditionExpression;
      if (blank(value)) { ctx.modeling.updateProperties(ctx.target, { conditionExpression: undefined }); }
      else if (c) { ctx.modeling.updateModdleProperties(ctx.target, c, { body: value }); }
      else { ctx.modeling.updateProperties(ctx.target, { conditionExpression: ctx.moddle.create("bpmn:FormalExpression", { body: value }) }); }
    }, { monospace: true, rows: 2, autoResize: true });
  }

  /* SpiffWorkflow's multi-instance loop data: names of process data, written as references by id. */
  function loopEntries(ctx, loop) {
    return LOOP.map(function (spec) {
      return entry(ctx, spec[0], lib().TextFieldEntry, spec[1], function () {
        var current = loop.get(spec[0]); return current ? current.id || "" : "";
      }, function (value) {
        var update = {};
        update[spec[0]] = blank(value) ? undefined : created(ctx, spec[2], { id: value.trim() }, loop);
        ctx.modeling.updateModdleProperties(ctx.target, loop, update);
      });
    });
  }

  function platformEntries(ctx) {
    var bo = ctx.bo, entries = [];
    if (is(bo, "bpmn:Lane")) { entries = entries.concat(laneEntries(ctx)); }
    if (is(bo, "bpmn:UserTask") || is(bo, "bpmn:ManualTask") || is(bo, "bpmn:StartEvent")) {
      entries.push(bodyEntry(ctx, "form", "spiffworkflow:FormJsonSchemaFilename", "Form file"));
    }
    if (is(bo, "bpmn:UserTask") || is(bo, "bpmn:ManualTask")) { entries = entries.concat(taskEntries(ctx)); }
    if (is(bo, "bpmn:ScriptTask")) { entries.push(scriptEntry(ctx)); }
    if (is(bo, "bpmn:BusinessRuleTask")) { entries.push(bodyEntry(ctx, "decision", "spiffworkflow:CalledDecisionId", "Decision")); }
    if (is(bo, "bpmn:SequenceFlow")) { entries.push(conditionEntry(ctx)); }
    if (is(bo.loopCharacteristics, "bpmn:MultiInstanceLoopCharacteristics")) {
      entries = entries.concat(loopEntries(ctx, bo.loopCharacteristics));
    }
    return entries;
  }

  /* ---- all spiffworkflow:property pairs, as a list group ---- */

  var itemIds = new WeakMap(), nextItem = 0;
  function itemId(property) {
    if (!itemIds.has(property)) { itemIds.set(property, "platform-property-" + (nextItem += 1)); }
    return itemIds.get(property);
  }

  function unusedName(bo) {
    var names = propertyList(bo).map(function (p) { return p.name; });
    for (var n = 1; ; n += 1) { if (names.indexOf("property_" + n) < 0) { return "property_" + n; } }
  }

  function propertyItem(ctx, property) {
    var id = itemId(property), lib_ = lib();
    return { id: id, label: property.name || "", autoFocusEntry: id + "-name", entries: [
      entry(ctx, id.replace("platform-", "") + "-name", lib_.TextFieldEntry, "Name", function () { return property.name || ""; },
            function (value) { ctx.modeling.updateModdleProperties(ctx.target, property, { name: (value || "").trim() }); }),
      entry(ctx, id.replace("platform-", "") + "-value", lib_.TextFieldEntry, "Value", function () { return property.value || ""; },
            function (value) { ctx.modeling.updateModdleProperties(ctx.target, property, { value: value || "" }); })
    ], remove: function () {
      var props = ext(ctx.bo, PROPERTIES);
      ctx.modeling.updateModdleProperties(ctx.target, props, {
        properties: propertyList(ctx.bo).filter(function (p) { return p !== property; }) });
    } };
  }

  function propertiesGroup(ctx) {
    return { id: "platform-properties-all", label: ctx.t("All platform properties"), component: lib().ListGroup,
             translate: ctx.translate, items: propertyList(ctx.bo).map(function (p) { return propertyItem(ctx, p); }),
             add: function (event) {
               if (event && event.stopPropagation) { event.stopPropagation(); }
               setProp(ctx, unusedName(ctx.bo), "?");
             } };
  }

  /* ---- the provider ---- */

  function PlatformPropertiesProvider(propertiesPanel, injector) {
    this._injector = injector;
    propertiesPanel.registerProvider(500, this);  /* after the standard BPMN provider (1000) */
  }
  PlatformPropertiesProvider.$inject = ["propertiesPanel", "injector"];

  PlatformPropertiesProvider.prototype.groupsFor = function (element) {
    var bo = element && element.businessObject;
    if (!bo || !available() || is(bo, "bpmn:Process") || is(bo, "bpmn:Collaboration")) { return []; }
    var injector = this._injector, translate = injector.get("translate");
    var ctx = { target: element.labelTarget || element, bo: bo, translate: translate, t: translate,
                modeling: injector.get("modeling"), moddle: injector.get("moddle"), debounce: injector.get("debounceInput") };
    var groups = [], entries = platformEntries(ctx);
    if (entries.length) { groups.push({ id: "platform", label: translate("Platform properties"), entries: entries, translate: translate,
                                      shouldOpen: true }); }
    groups.push(propertiesGroup(ctx));
    return groups;
  };

  PlatformPropertiesProvider.prototype.getGroups = function (element) {
    var self = this;
    return function (groups) {
      var general = groups.findIndex(function (g) { return g.id === "general"; });
      var at = general < 0 ? 0 : general + 1;
      return groups.slice(0, at).concat(self.groupsFor(element), groups.slice(at));
    };
  };

  window.WorkflowPlatformProperties = {
    available: available,
    module: { __init__: ["platformPropertiesProvider"], platformPropertiesProvider: ["type", PlatformPropertiesProvider] }
  };
})();
