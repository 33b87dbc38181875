// Fields a form shows only for some answers (web/formconditions.py): a form with
// data-show-when='{"field": [{"answers": {"other": [values]}, "negate": false}]}' hides each named
// field, and disables its inputs so nothing of it is sent, until one of its conditions holds.
(function () {
  "use strict";

  function answer(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio") { if (input.checked) return input.value; continue; }
      if (input.type === "checkbox") return input.checked ? "true" : "false";
      return input.value;
    }
    return null;
  }

  function holds(form, condition) {
    var met = Object.keys(condition.answers).every(function (name) {
      var value = answer(form, name);
      return value !== null && condition.answers[name].some(function (v) { return String(v) === value; });
    });
    return condition.negate ? !met : met;
  }

  function apply(form, rules) {
    Object.keys(rules).forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (!box) return;
      var show = rules[name].some(function (condition) { return holds(form, condition); });
      box.hidden = !show;
      box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }

  function wire(form) {
    var rules;
    try { rules = JSON.parse(form.getAttribute("data-show-when") || "{}"); } catch (e) { return; }
    var update = function () { apply(form, rules); };
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
    window.addEventListener("pageshow", update);  // a restored draft or "back" keeps the answers
  }

  function start() { document.querySelectorAll("form[data-show-when]").forEach(wire); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
