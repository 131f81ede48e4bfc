// Structured editor of an item's answer definition (authoring site). It reads the JSON of
// the definition field, shows one editor per format (options with their "correct" tick,
// an order changed with Up/Down buttons, pairs, value and tolerance, accepted answers) and
// writes the JSON back on every change. The JSON field stays below, in a collapsed section,
// and may still be edited by hand: the editor follows it. Without JavaScript the JSON field
// is the editor. The server validates the result in every case.
(function () {
  "use strict";
  // The admin loads form scripts in the page's head: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    var field = document.querySelector("textarea[data-definition-editor]");
    var formatSelect = document.getElementById("id_format");
    if (!field || !formatSelect) { return; }
    var L = JSON.parse(field.getAttribute("data-definition-editor"));
    var CHOICES = ["single_choice", "multiple_response", "stimulus_choice"];
    var IDS = "abcdefghijklmnopqrstuvwxyz";
    var uid = 0;

    // --- state: one per kind of editor, kept when the format changes ------------------------
    var state = { options: [], pairs: [], numeric: {}, accepted: {} };

    function text(value, language) {
      return value && typeof value === "object" && typeof value[language] === "string"
        ? value[language] : "";
    }

    function load(definition, format) {
      var options = Array.isArray(definition.options) ? definition.options : [];
      if (CHOICES.indexOf(format) >= 0 || format === "ordering") {
        var correct = format === "single_choice" ? [definition.correct]
          : (Array.isArray(definition.correct) ? definition.correct : []);
        var order = format === "ordering" ? correct : [];
        state.options = options.map(function (option) {
          return { id: String(option.id || ""), fr: text(option.text, "fr"),
                   en: text(option.text, "en"), correct: correct.indexOf(option.id) >= 0 };
        });
        if (order.length) {
          state.options.sort(function (a, b) { return order.indexOf(a.id) - order.indexOf(b.id); });
        }
      } else if (format === "matching") {
        var right = Array.isArray(definition.right) ? definition.right : [];
        var pairs = definition.correct && typeof definition.correct === "object"
          ? definition.correct : {};
        var used = {};
        state.pairs = (Array.isArray(definition.left) ? definition.left : []).map(function (left) {
          var target = right.filter(function (r) { return r.id === pairs[left.id]; })[0] || {};
          used[target.id] = true;
          return { leftId: left.id, leftFr: text(left.text, "fr"), leftEn: text(left.text, "en"),
                   rightId: target.id, rightFr: text(target.text, "fr"),
                   rightEn: text(target.text, "en") };
        });
        right.forEach(function (target) {
          if (!used[target.id]) {
            state.pairs.push({ leftId: "", leftFr: "", leftEn: "", rightId: target.id,
                               rightFr: text(target.text, "fr"), rightEn: text(target.text, "en") });
          }
        });
      } else if (format === "numeric") {
        state.numeric = { value: definition.value, tolerance: definition.tolerance,
                          unitFr: text(definition.unit, "fr"), unitEn: text(definition.unit, "en") };
      } else if (format === "short_text") {
        var accepted = definition.accepted || {};
        state.accepted = {
          fr: (Array.isArray(accepted.fr) ? accepted.fr : []).join("\n"),
          en: (Array.isArray(accepted.en) ? accepted.en : []).join("\n"),
          typos: typeof definition.max_typos === "number" ? definition.max_typos : 1
        };
      }
    }

    function freeId(taken, prefix) {
      for (var i = 0; i < 100; i += 1) {
        var id = i < IDS.length ? prefix + IDS.charAt(i) : prefix + i;
        if (taken.indexOf(id) < 0) { return id; }
      }
      return prefix + Date.now();
    }

    function number(value) {
      var cleaned = String(value === undefined || value === null ? "" : value)
        .replace(/\s/g, "").replace(",", ".");
      return cleaned !== "" && isFinite(Number(cleaned)) ? Number(cleaned) : value;
    }

    function bilingual(fr, en) { return { fr: fr, en: en }; }

    function lines(value) {
      return String(value || "").split("\n").map(function (line) { return line.trim(); })
        .filter(function (line) { return line; });
    }

    function dump(format) {
      if (CHOICES.indexOf(format) >= 0 || format === "ordering") {
        var options = state.options.map(function (o) { return { id: o.id, text: bilingual(o.fr, o.en) }; });
        var ids = state.options.map(function (o) { return o.id; });
        var ticked = state.options.filter(function (o) { return o.correct; })
          .map(function (o) { return o.id; });
        if (format === "single_choice") { return { options: options, correct: ticked[0] || "" }; }
        return { options: options, correct: format === "ordering" ? ids : ticked };
      }
      if (format === "matching") {
        var left = [], right = [], correct = {};
        state.pairs.forEach(function (pair) {
          right.push({ id: pair.rightId, text: bilingual(pair.rightFr, pair.rightEn) });
          if (pair.leftFr || pair.leftEn) {
            left.push({ id: pair.leftId, text: bilingual(pair.leftFr, pair.leftEn) });
            correct[pair.leftId] = pair.rightId;
          }
        });
        return { left: left, right: right, correct: correct };
      }
      if (format === "numeric") {
        var result = { value: number(state.numeric.value),
                       tolerance: number(state.numeric.tolerance === undefined ? 0 : state.numeric.tolerance) };
        if (state.numeric.unitFr || state.numeric.unitEn) {
          result.unit = bilingual(state.numeric.unitFr, state.numeric.unitEn);
        }
        return result;
      }
      if (format === "short_text") {
        var accepted = { fr: lines(state.accepted.fr) };
        if (lines(state.accepted.en).length) { accepted.en = lines(state.accepted.en); }
        return { accepted: accepted, max_typos: Number(state.accepted.typos) };
      }
      return null;
    }

    // --- DOM helpers -------------------------------------------------------------------------
    function el(tag, attributes, children) {
      var node = document.createElement(tag);
      Object.keys(attributes || {}).forEach(function (name) {
        if (name === "text") { node.textContent = attributes[name]; }
        else { node.setAttribute(name, attributes[name]); }
      });
      (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
      return node;
    }

    function say(template, n) { return template.replace("{n}", String(n)); }

    function input(label, value, onInput, extra) {
      var id = "definition-editor-" + (uid += 1);
      var control = el(extra && extra.multiline ? "textarea" : "input",
                       Object.assign({ id: id }, extra && extra.multiline ? { rows: "4" } : { type: "text" },
                                     extra && extra.attrs || {}));
      control.value = value === undefined || value === null ? "" : String(value);
      control.addEventListener("input", function () { onInput(control.value); write(); });
      return el("div", { "class": "definition-editor-field" },
                [el("label", { "for": id, text: label }), control]);
    }

    function button(label, action, extra) {
      var node = el("button", Object.assign({ type: "button", "class": "button" }, extra || {}),
                    [document.createTextNode(label)]);
      node.addEventListener("click", action);
      return node;
    }

    // --- rendering ---------------------------------------------------------------------------
    var box = el("fieldset", { "class": "definition-editor module" });
    var live = el("p", { "class": "definition-editor-live", "aria-live": "polite" });

    function write() {
      var definition = dump(formatSelect.value);
      if (definition !== null) { field.value = JSON.stringify(definition, null, 2); }
    }

    function moveButtons(list, index, noun, rerender) {
      var number = index + 1;
      function move(step) {
        return function () {
          var target = index + step;
          var moved = list.splice(index, 1)[0];
          list.splice(target, 0, moved);
          write();
          rerender();
          live.textContent = say(L.moved, target + 1);
          var focus = box.querySelector("[data-move='" + (step < 0 ? "up" : "down") + "'][data-index='" + target + "']")
            || box.querySelector("[data-move][data-index='" + target + "']");
          if (focus) { focus.focus(); }
        };
      }
      var buttons = [];
      if (index > 0) {
        buttons.push(button(L.up, move(-1), { "aria-label": say(L.up_n, number).replace("{noun}", noun),
                                              "data-move": "up", "data-index": String(index) }));
      }
      if (index < list.length - 1) {
        buttons.push(button(L.down, move(1), { "aria-label": say(L.down_n, number).replace("{noun}", noun),
                                               "data-move": "down", "data-index": String(index) }));
      }
      buttons.push(button(L.remove, function () {
        list.splice(index, 1);
        write();
        rerender();
        live.textContent = L.removed;
        var next = box.querySelector(".definition-editor-add");
        if (next) { next.focus(); }
      }, { "aria-label": say(L.remove_n, number).replace("{noun}", noun) }));
      return el("div", { "class": "definition-editor-buttons" }, buttons);
    }

    function renderOptions(format) {
      var ordering = format === "ordering";
      var single = format === "single_choice";
      var parts = [el("p", { "class": "definition-editor-hint", text: ordering ? L.hint_order : (single ? L.hint_single : L.hint_multiple) })];
      var list = el("ol", { "class": "definition-editor-list" });
      state.options.forEach(function (option, index) {
        var noun = ordering ? L.item_noun : L.option_noun;
        var tick = null;
        if (!ordering) {
          var id = "definition-editor-" + (uid += 1);
          var box_ = el("input", { type: single ? "radio" : "checkbox", id: id,
                                   name: "_definition_editor_correct", value: option.id });
          box_.checked = option.correct;
          box_.addEventListener("change", function () {
            if (single) { state.options.forEach(function (o) { o.correct = false; }); }
            option.correct = box_.checked;
            write();
          });
          tick = el("div", { "class": "definition-editor-tick" },
                    [box_, el("label", { "for": id, text: L.correct })]);
        }
        list.appendChild(el("li", {}, [el("fieldset", {}, [
          el("legend", { text: say(ordering ? L.item_n : L.option_n, index + 1) }),
          input(L.text_fr, option.fr, function (v) { option.fr = v; }),
          input(L.text_en, option.en, function (v) { option.en = v; }),
          tick,
          moveButtons(state.options, index, noun, render)
        ])]));
      });
      parts.push(list);
      parts.push(addRowButton(ordering ? L.add_item : L.add_option, function () {
        state.options.push({ id: freeId(state.options.map(function (o) { return o.id; }), ""),
                             fr: "", en: "", correct: false });
      }));
      return parts;
    }

    // A button that adds a row (addRow changes the state), redraws, and puts the focus on
    // the new row's first text field.
    function addRowButton(label, addRow) {
      return button(label, function () {
        addRow();
        write();
        render();
        var inputs = box.querySelectorAll(".definition-editor-list > li:last-child input[type=text]");
        if (inputs.length) { inputs[0].focus(); }
      }, { "class": "button definition-editor-add" });
    }

    function renderPairs() {
      var parts = [el("p", { "class": "definition-editor-hint", text: L.hint_pairs })];
      var list = el("ol", { "class": "definition-editor-list" });
      state.pairs.forEach(function (pair, index) {
        list.appendChild(el("li", {}, [el("fieldset", {}, [
          el("legend", { text: say(L.pair_n, index + 1) }),
          input(L.left_fr, pair.leftFr, function (v) { pair.leftFr = v; }),
          input(L.left_en, pair.leftEn, function (v) { pair.leftEn = v; }),
          input(L.right_fr, pair.rightFr, function (v) { pair.rightFr = v; }),
          input(L.right_en, pair.rightEn, function (v) { pair.rightEn = v; }),
          moveButtons(state.pairs, index, L.pair_noun, render)
        ])]));
      });
      parts.push(list);
      parts.push(addRowButton(L.add_pair, function () {
        var lefts = state.pairs.map(function (p) { return p.leftId; });
        var rights = state.pairs.map(function (p) { return p.rightId; });
        state.pairs.push({ leftId: freeId(lefts, "l"), leftFr: "", leftEn: "",
                           rightId: freeId(rights, "r"), rightFr: "", rightEn: "" });
      }));
      return parts;
    }

    function renderNumeric() {
      var n = state.numeric;
      var decimal = { attrs: { inputmode: "decimal" } };
      return [
        input(L.value, n.value, function (v) { n.value = v; }, decimal),
        input(L.tolerance, n.tolerance === undefined ? 0 : n.tolerance, function (v) { n.tolerance = v; }, decimal),
        input(L.unit_fr, n.unitFr, function (v) { n.unitFr = v; }),
        input(L.unit_en, n.unitEn, function (v) { n.unitEn = v; })
      ];
    }

    function renderAccepted() {
      var a = state.accepted;
      var id = "definition-editor-" + (uid += 1);
      var select = el("select", { id: id });
      [0, 1, 2].forEach(function (count) {
        var option = el("option", { value: String(count), text: String(count) });
        option.selected = Number(a.typos) === count;
        select.appendChild(option);
      });
      select.addEventListener("change", function () { a.typos = Number(select.value); write(); });
      return [
        input(L.accepted_fr, a.fr, function (v) { a.fr = v; }, { multiline: true }),
        input(L.accepted_en, a.en, function (v) { a.en = v; }, { multiline: true }),
        el("div", { "class": "definition-editor-field" }, [el("label", { "for": id, text: L.typos }), select])
      ];
    }

    function render() {
      var format = formatSelect.value;
      while (box.firstChild) { box.removeChild(box.firstChild); }
      box.appendChild(el("legend", { text: L.title }));
      var parts;
      if (CHOICES.indexOf(format) >= 0 || format === "ordering") { parts = renderOptions(format); }
      else if (format === "matching") { parts = renderPairs(); }
      else if (format === "numeric") { parts = renderNumeric(); }
      else if (format === "short_text") { parts = renderAccepted(); }
      else { parts = []; }
      parts.forEach(function (part) { box.appendChild(part); });
      box.appendChild(live);
    }

    function defaults(format) {
      if ((CHOICES.indexOf(format) >= 0 || format === "ordering") && !state.options.length) {
        state.options = [0, 1, 2, 3].map(function (i) {
          return { id: IDS.charAt(i), fr: "", en: "", correct: false };
        });
      }
      if (format === "matching" && !state.pairs.length) {
        state.pairs = [1, 2, 3].map(function (i) {
          return { leftId: "l" + i, leftFr: "", leftEn: "", rightId: "r" + i, rightFr: "", rightEn: "" };
        });
      }
      if (format === "short_text" && state.accepted.typos === undefined) { state.accepted.typos = 1; }
      if (format === "single_choice") {
        // From several right answers to one: keep the first tick, as the JSON does.
        var seen = false;
        state.options.forEach(function (o) { o.correct = o.correct && !seen; seen = seen || o.correct; });
      }
    }

    function readField() {
      var raw = field.value.trim();
      if (!raw) { return {}; }
      try {
        var parsed = JSON.parse(raw);
        return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
      } catch (error) { return null; }
    }

    // --- start -------------------------------------------------------------------------------
    var row = field.closest(".form-row") || field.parentNode;
    var details = el("details", { "class": "definition-editor-json" },
                     [el("summary", { text: L.json })]);
    var problem = el("p", { "class": "errornote definition-editor-problem", hidden: "hidden", text: L.unreadable });
    row.parentNode.insertBefore(box, row);
    row.parentNode.insertBefore(problem, row);
    row.parentNode.insertBefore(details, row);
    details.appendChild(row);

    var initial = readField();
    if (initial === null) {
      // Unreadable JSON (for instance sent back with a form error): left to be fixed by hand.
      problem.hidden = false;
      details.open = true;
      box.hidden = true;
    } else {
      load(initial, formatSelect.value);
      defaults(formatSelect.value);
      render();
      if (field.value.trim() === "") { write(); }
    }

    formatSelect.addEventListener("change", function () {
      defaults(formatSelect.value);
      box.hidden = false;
      problem.hidden = true;
      render();
      write();
    });
    field.addEventListener("change", function () {
      var parsed = readField();
      problem.hidden = parsed !== null;
      box.hidden = parsed === null;
      if (parsed !== null) { load(parsed, formatSelect.value); defaults(formatSelect.value); render(); }
    });
  }
}());
