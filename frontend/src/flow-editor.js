// Fabflow order-flow JSON editor: CodeMirror 6 + JSON Schema validation (@cfworker/json-schema).
//
// Built into src/fabflow/web/static/vendor/flow-editor.js by `npm run build`.
// Exposes window.FabflowEditor.create(textareaOrDiv, {doc, schema, onChange, ...}).

import { basicSetup } from "codemirror";
import { EditorState, StateEffect, StateField } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { ensureSyntaxTree, syntaxTree } from "@codemirror/language";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { Validator } from "@cfworker/json-schema";

const VALUE_TYPES = new Set(["Object", "Array", "String", "Number", "True", "False", "Null"]);

// ---------------------------------------------------------------------------
// JSON path -> text range, resolved over the lezer JSON syntax tree.
// ---------------------------------------------------------------------------

function fullTree(state) {
  return ensureSyntaxTree(state, state.doc.length, 2000) || syntaxTree(state);
}

function valueChildren(node) {
  const out = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (VALUE_TYPES.has(c.name)) out.push(c);
  return out;
}

function propertyName(state, propNode) {
  const nameNode = propNode.getChild("PropertyName");
  if (!nameNode) return { nameNode: null, key: null };
  const raw = state.doc.sliceString(nameNode.from, nameNode.to);
  let key;
  try { key = JSON.parse(raw); } catch (_) { key = raw.replace(/^"|"$/g, ""); }
  return { nameNode, key };
}

/** Parse a JSON pointer ("/a/0/b~1c") into unescaped segments. */
export function parsePointer(pointer) {
  if (!pointer || pointer === "/") return pointer === "/" ? [""] : [];
  return pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function normalizePath(path) {
  if (path == null) return [];
  if (Array.isArray(path)) return path.map((p) => (typeof p === "number" ? p : String(p)));
  if (typeof path === "string") return path.startsWith("/") || path === "" ? parsePointer(path) : path.split(".");
  return [String(path)];
}

/** Human-readable path: tasks[1].handlerKey */
export function formatPath(path) {
  let s = "";
  for (const seg of path) {
    if (typeof seg === "number" || /^\d+$/.test(seg)) s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) s += (s ? "." : "") + seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s || "(root)";
}

/**
 * Find the node for `path`. Returns {valueNode, nameNode, resolved, complete}
 * where `resolved` is how many segments matched (deepest existing ancestor is
 * returned when the path does not fully exist).
 */
export function resolvePath(state, path, tree = fullTree(state)) {
  const segs = normalizePath(path);
  const top = tree.topNode;
  let value = top && valueChildren(top)[0];
  let nameNode = null;
  if (!value) return { valueNode: null, nameNode: null, resolved: 0, complete: segs.length === 0 };
  let i = 0;
  for (; i < segs.length; i++) {
    const seg = segs[i];
    let next = null, nextName = null;
    if (value.name === "Object") {
      // last duplicate wins, as with JSON.parse
      for (let p = value.firstChild; p; p = p.nextSibling) {
        if (p.name !== "Property") continue;
        const { nameNode: nn, key } = propertyName(state, p);
        if (key === String(seg)) {
          next = valueChildren(p)[0] || nn;
          nextName = nn;
        }
      }
    } else if (value.name === "Array") {
      const idx = typeof seg === "number" ? seg : /^\d+$/.test(seg) ? parseInt(seg, 10) : -1;
      const items = valueChildren(value);
      if (idx >= 0 && idx < items.length) next = items[idx];
    }
    if (!next) break;
    value = next;
    nameNode = nextName;
  }
  return { valueNode: value, nameNode, resolved: i, complete: i === segs.length };
}

/** Range to mark for a resolved path (keeps multi-line objects from being underlined whole). */
function rangeFor(res, { nameOnly = false } = {}) {
  const { valueNode: v, nameNode: n } = res;
  if (!v) return { from: 0, to: 0 };
  const composite = v.name === "Object" || v.name === "Array";
  if (n && (nameOnly || composite || v === n)) return { from: n.from, to: n.to };
  if (n) return { from: n.from, to: v.to };
  if (composite) return { from: v.from, to: v.from + 1 };
  return { from: v.from, to: v.to };
}

/** Convert a JSON path to a text offset range. Exposed for tests / other callers. */
export function pathToRange(state, path) {
  const res = resolvePath(state, path);
  return { ...rangeFor(res), complete: res.complete };
}

// ---------------------------------------------------------------------------
// Schema validation
// ---------------------------------------------------------------------------

// @cfworker/json-schema interprets the schema: it never compiles code (no eval, no new Function),
// so the page's Content-Security-Policy needs no 'unsafe-eval'.
function compileSchema(schema) {
  if (schema == null) return { validate: null, error: null };
  try {
    if (typeof schema === "string") schema = JSON.parse(schema);
    const draft = String(schema.$schema || "");
    const version = /draft-04/.test(draft) ? "4" : /draft-0[67]/.test(draft) ? "7" : /2019-09/.test(draft) ? "2019-09" : "2020-12";
    const validator = new Validator(schema, version, false);
    return { validate: (data) => validator.validate(data), error: null };
  } catch (e) {
    return { validate: null, error: e };
  }
}

// Errors that only say that a part below failed: that part's own error is reported where it is.
const SUMMARY_KEYWORDS = new Set([
  "properties", "patternProperties", "items", "prefixItems", "additionalItems", "contains", "allOf",
  "$ref", "$dynamicRef", "$recursiveRef", "if", "then", "else", "dependentSchemas", "false",
]);

const quotedName = (err) => (/"([^"]*)"/.exec(err.error) || [])[1];

function describeSchemaError(err) {
  switch (err.keyword) {
    case "required": return `missing required property "${quotedName(err)}"`;
    case "additionalProperties":
    case "unevaluatedProperties": return `property "${quotedName(err)}" is not allowed`;
    default: return err.error.replace(/\.$/, "");
  }
}

function instancePath(location) {
  return parsePointer(location.replace(/^#/, "")).map((segment) => decodeURIComponent(segment));
}

function schemaDiagnostics(state, validate, data, tree) {
  if (!validate) return [];
  const result = validate(data);
  if (result.valid) return [];
  const out = [];
  const seen = new Set();
  for (const err of result.errors) {
    if (SUMMARY_KEYWORDS.has(err.keyword)) continue;
    let path = instancePath(err.instanceLocation);
    let nameOnly = false;
    if (err.keyword === "additionalProperties" || err.keyword === "unevaluatedProperties") {
      path = path.concat([quotedName(err)]);
      nameOnly = true;
    }
    const res = resolvePath(state, path, tree);
    const { from, to } = rangeFor(res, { nameOnly });
    const message = `${formatPath(path)}: ${describeSchemaError(err)}`;
    const key = `${from}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ from, to, severity: "error", source: "schema", message });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Server errors (paths), kept in editor state
// ---------------------------------------------------------------------------

const setServerErrorsEffect = StateEffect.define();
const relintEffect = StateEffect.define();
const needsRefresh = (u) => u.transactions.some((tr) => tr.effects.some((e) => e.is(setServerErrorsEffect) || e.is(relintEffect)));

function serverErrorsField(keepOnEdit) {
  return StateField.define({
    create: () => [],
    update(value, tr) {
      for (const e of tr.effects) if (e.is(setServerErrorsEffect)) return e.value;
      if (tr.docChanged && !keepOnEdit) return [];
      return value;
    },
  });
}

function serverDiagnostics(state, field, tree) {
  return state.field(field).map((e) => {
    const path = normalizePath(e.path ?? e.loc ?? []);
    const res = resolvePath(state, path, tree);
    const { from, to } = rangeFor(res);
    return { from, to, severity: e.severity || "error", source: "server", message: `${formatPath(path)}: ${e.message || e.msg || "invalid"}` };
  });
}

// ---------------------------------------------------------------------------
// The editor
// ---------------------------------------------------------------------------

const baseTheme = EditorView.theme({
  "&": {
    fontSize: "13px",
    border: "1px solid var(--ff-border, #d0d7de)",
    borderRadius: "var(--ff-radius, 6px)",
    backgroundColor: "var(--ff-surface, #fff)",
  },
  "&.cm-focused": { outline: "2px solid var(--ff-focus, #2563eb)", outlineOffset: "1px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace", overflow: "auto" },
  ".cm-gutters": { backgroundColor: "var(--ff-surface-2, #f6f8fa)", borderRight: "1px solid var(--ff-border, #d0d7de)" },
});

function toText(doc) {
  if (doc == null) return "";
  return typeof doc === "string" ? doc : JSON.stringify(doc, null, 2);
}

/**
 * Create an editor.
 * @param {HTMLTextAreaElement|HTMLElement|string} target textarea (kept in sync, hidden) or container (or a CSS selector)
 * @param {object} [opts]
 * @param {string|object} [opts.doc] initial text (objects are pretty-printed); defaults to textarea value
 * @param {object|string} [opts.schema] JSON Schema (2020-12 by default; draft-04/06/07 if $schema says so)
 * @param {(value: string, editor: object) => void} [opts.onChange]
 * @param {(diagnostics: object[], editor: object) => void} [opts.onDiagnostics] after every lint pass
 * @param {string} [opts.height] CSS height of the editor (default "28rem")
 * @param {string} [opts.styleNonce] the nonce the page's Content-Security-Policy gives styles
 * @param {boolean} [opts.readOnly]
 * @param {number} [opts.lintDelay] ms (default 300)
 * @param {boolean} [opts.keepServerErrorsOnEdit] default false: server errors clear on the first edit
 */
export function create(target, opts = {}) {
  if (typeof target === "string") target = document.querySelector(target);
  if (!target) throw new Error("FabflowEditor.create: target element not found");
  const textarea = target.tagName === "TEXTAREA" ? target : null;
  let parent = target;
  if (textarea) {
    parent = document.createElement("div");
    parent.className = "flow-editor";
    textarea.insertAdjacentElement("afterend", parent);
    textarea.style.display = "none";
  } else {
    target.classList.add("flow-editor");
  }

  let compiled = compileSchema(opts.schema);
  const serverField = serverErrorsField(!!opts.keepServerErrorsOnEdit);
  const parseLint = jsonParseLinter();
  let editor;

  function computeDiagnostics(view) {
    const state = view.state;
    const tree = fullTree(state);
    let diags = [];
    const text = state.doc.toString();
    if (text.trim() === "") {
      diags = [];
    } else {
      const parseDiags = parseLint(view);
      if (parseDiags.length) {
        // Some engines give no position ("Unexpected end of JSON input"): use the first lezer error node.
        for (const d of parseDiags) {
          if (!/position|line \d+/.test(d.message)) {
            let errPos = -1;
            tree.iterate({ enter: (n) => { if (errPos < 0 && n.type.isError) errPos = n.from; } });
            if (errPos >= 0) d.from = d.to = Math.min(errPos, state.doc.length);
            else d.from = d.to = state.doc.length;
          }
          d.source = "json";
        }
        diags = parseDiags;
      } else {
        diags = schemaDiagnostics(state, compiled.validate, JSON.parse(text), tree);
      }
    }
    if (compiled.error) {
      diags.push({ from: 0, to: 0, severity: "warning", source: "schema", message: `schema could not be compiled: ${compiled.error.message}` });
    }
    return diags.concat(serverDiagnostics(state, serverField, tree));
  }

  const extensions = [
    basicSetup,
    json(),
    lintGutter(),
    linter((view) => {
      const d = computeDiagnostics(view);
      if (opts.onDiagnostics) queueMicrotask(() => opts.onDiagnostics(d, editor));
      return d;
    }, { delay: opts.lintDelay ?? 300, needsRefresh }),
    serverField,
    baseTheme,
    EditorView.theme({ "&": { height: opts.height || "28rem" } }),
    // CodeMirror writes its styles into a <style> element: the page's policy lets it in by nonce.
    EditorView.cspNonce.of(opts.styleNonce || ""),
    EditorState.readOnly.of(!!opts.readOnly),
    EditorView.updateListener.of((u) => {
      if (!u.docChanged) return;
      const value = u.state.doc.toString();
      if (textarea) {
        textarea.value = value;
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
      if (opts.onChange) opts.onChange(value, editor);
    }),
  ];
  if (textarea) {
    // carry the textarea's accessible name over to the editable content
    const label = textarea.id && document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
    const name = textarea.getAttribute("aria-label") || (label && label.textContent.trim()) || textarea.name || "JSON";
    extensions.push(EditorView.contentAttributes.of({ "aria-label": name }));
  }

  const initial = opts.doc !== undefined ? toText(opts.doc) : textarea ? textarea.value : "";
  if (textarea) textarea.value = initial;
  const view = new EditorView({ state: EditorState.create({ doc: initial, extensions }), parent });

  editor = {
    view,
    textarea,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: toText(text) } });
      forceLinting(view);
    },
    /** errors: [{path: ["0","tasks",1,"handlerKey"] | "/0/tasks/1" , message}] */
    setServerErrors(errors) {
      view.dispatch({ effects: setServerErrorsEffect.of(Array.isArray(errors) ? errors : []) });
      forceLinting(view);
    },
    clearServerErrors() { this.setServerErrors([]); },
    setSchema(schema) {
      compiled = compileSchema(schema);
      view.dispatch({ effects: relintEffect.of(null) });
      forceLinting(view);
    },
    /** All current diagnostics, computed synchronously: [{from, to, line, severity, source, message}] */
    getDiagnostics() {
      return computeDiagnostics(view).map((d) => ({ ...d, line: view.state.doc.lineAt(d.from).number }));
    },
    /** Number of errors (parse + schema + server), computed synchronously. */
    errorCount() { return computeDiagnostics(view).filter((d) => d.severity === "error").length; },
    pathToRange: (path) => pathToRange(view.state, path),
    focus: () => view.focus(),
    destroy() {
      view.destroy();
      if (textarea) { parent.remove(); textarea.style.display = ""; }
    },
  };
  if (textarea) textarea.fabflowEditor = editor;
  return editor;
}

export const version = typeof __FABFLOW_EDITOR_VERSIONS__ !== "undefined" ? __FABFLOW_EDITOR_VERSIONS__ : {};
