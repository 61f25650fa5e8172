/* The flow editor page: the editor over the definition's textarea, its list of problems, the
 * saved versions that load into it. Runs after vendor/flow-editor.js; reads the flow schema and
 * the server's errors from the page's json_script elements, and the nonce its styles need from
 * the form (the page's Content-Security-Policy allows no other inline style). */
(function () {
  "use strict";
  const textarea = document.getElementById("id_definition");
  const list = document.getElementById("diagnostics");
  const validity = document.getElementById("validity");
  const schema = JSON.parse(document.getElementById("flow-schema").textContent);
  const serverErrors = JSON.parse(document.getElementById("server-errors").textContent);

  function show(editor) {
    const diagnostics = editor.getDiagnostics().sort((a, b) => a.line - b.line);
    list.replaceChildren();
    for (const item of diagnostics) {
      const li = document.createElement("li");
      li.className = item.severity === "error" ? "error" : "warning";
      li.dataset.line = String(item.line);
      li.dataset.from = String(item.from);
      const line = document.createElement("span");
      line.className = "line";
      line.textContent = "Line " + item.line;
      li.append(line, document.createTextNode(item.message));
      list.append(li);
    }
    const errors = diagnostics.filter((item) => item.severity === "error").length;
    validity.textContent = errors ? errors + (errors === 1 ? " problem" : " problems") : "Valid";
    validity.className = "validity " + (errors ? "bad" : "ok");
  }

  const editor = window.FabflowEditor.create(textarea, {
    schema: schema,
    height: "32rem",
    styleNonce: document.getElementById("flow-form").dataset.styleNonce,
    onDiagnostics: (diagnostics, handle) => show(handle),
  });
  window.flowEditor = editor;
  if (serverErrors.length) editor.setServerErrors(serverErrors);

  list.addEventListener("click", (event) => {
    const item = event.target.closest("li[data-from]");
    if (!item) return;
    const position = Number(item.dataset.from);
    editor.view.dispatch({ selection: { anchor: position }, scrollIntoView: true });
    editor.focus();
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-load-version]");
    if (!button) return;
    editor.setValue(document.getElementById(button.dataset.loadVersion).textContent);
    editor.focus();
  });
  document.getElementById("flow-form").addEventListener("submit", () => {
    textarea.value = editor.getValue();
  });
})();
