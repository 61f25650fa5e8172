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
  if (serverErrors.length) {
    editor.setServerErrors(serverErrors);
    // The list of problems now shows the server's errors at their lines: the form's own
    // message, there for pages without scripts, would say the same a second time.
    for (const message of document.querySelectorAll(".server-error")) message.remove();
  }

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

  // --- the dry-run panel: the editor's text tried on an order through the API ---------------
  const panel = document.getElementById("dry-run");
  const result = document.getElementById("dry-run-result");
  const orderChoice = document.getElementById("dry-run-order");
  const sampleField = document.getElementById("dry-run-sample-field");
  panel.hidden = false;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function showMessage(className, text) {
    result.replaceChildren(element("p", className, text));
  }

  // "stages[1].tasks[0].payload.subject" as the editor's path: [1, "tasks", 0, "payload", "subject"]
  function editorPath(path) {
    const parts = [];
    path.replace(/\[(\d+)\]|\.?([^.[\]]+)/g, (match, index, name) => {
      parts.push(index !== undefined ? Number(index) : name);
      return match;
    });
    return parts.slice(1);
  }

  function describeEffects(task) {
    const effects = task.effects || {};
    if (effects.email) {
      const mail = effects.email;
      const lines = [
        "To: " + mail.to.join(", "),
        "Subject: " + mail.subject,
        mail.attachments.length ? "Attachments: " + mail.attachments.join(", ") : "No attachments",
        "",
        mail.body,
      ];
      return element("pre", "effect email", lines.join("\n"));
    }
    if (effects.request) {
      const request = effects.request;
      const headers = Object.entries(request.headers).map(([name, value]) => name + ": " + value);
      const text = [request.method + " " + request.url, ...headers, "", JSON.stringify(request.body, null, 2)];
      return element("pre", "effect request", text.join("\n"));
    }
    if ("title" in effects) {
      // A manual task: its title and tags are in its heading already.
      return effects.description ? element("p", "description", effects.description) : null;
    }
    if (!Object.keys(effects).length) return null;
    return element("pre", "effect", JSON.stringify(effects, null, 2));
  }

  function showTask(task) {
    const box = element("div", "task" + (task.startsAfter ? " after" : ""));
    box.dataset.task = task.key;
    const head = element("div", "task-head");
    head.append(element("strong", "", task.title), element("code", "", task.handlerKey));
    if (task.waitsFor) head.append(element("span", "waits", "waits for " + (task.waitsFor === "person" ? "a person" : "feedback")));
    const facts = [task.startsAfter ? "starts when " + task.startsAfter + " succeeds" : "starts with the stage"];
    if (task.timeout) facts.push("overdue " + task.timeout);
    if (task.tags.length) facts.push("tags " + task.tags.join(", "));
    head.append(element("span", "meta", facts.join(" · ")));
    box.append(head);
    const effects = describeEffects(task);
    if (effects) box.append(effects);
    for (const problem of task.problems) box.append(element("p", "problem", problem));
    if (task.error) {
      const where = task.error.path + (task.error.line ? ", line " + task.error.line : "");
      box.append(element("p", "error", where + ": " + task.error.message));
    }
    return box;
  }

  function showPlan(plan) {
    const nodes = [];
    const summary = (plan.isDraft ? "The draft" : "Version " + plan.version) + " on order " + plan.order.name +
      (plan.errors.length ? ": " + plan.errors.length + (plan.errors.length === 1 ? " template error" : " template errors") : "");
    nodes.push(element("p", "summary", summary));
    for (const stage of plan.stages) {
      const section = element("section", "stage");
      section.dataset.stage = stage.key;
      section.append(element("h3", "", stage.name + (stage.tags.length ? " (tags " + stage.tags.join(", ") + ")" : "")));
      for (const task of stage.tasks) section.append(showTask(task));
      nodes.push(section);
    }
    result.replaceChildren(...nodes);
    editor.setServerErrors(plan.errors.map((error) => ({
      path: editorPath(error.path),
      message: (error.line ? "line " + error.line + ": " : "") + error.message,
    })));
  }

  function showRefusal(body) {
    const details = (body && body.detail) || [{ loc: [], msg: "The dry run failed" }];
    const list = element("ul", "refusal");
    for (const item of details) {
      list.append(element("li", "error", (item.loc || []).slice(1).join(".") + (item.loc && item.loc.length > 1 ? ": " : "") + item.msg));
    }
    result.replaceChildren(list);
    const definitionErrors = details.filter((item) => item.loc && item.loc[1] === "definition");
    if (definitionErrors.length) {
      editor.setServerErrors(definitionErrors.map((item) => ({ path: item.loc.slice(2), message: item.msg })));
    }
  }

  orderChoice.addEventListener("change", () => {
    sampleField.hidden = orderChoice.value !== "";
  });

  document.getElementById("dry-run-button").addEventListener("click", async () => {
    const body = {};
    try {
      body.definition = JSON.parse(editor.getValue());
    } catch (error) {
      showMessage("error", "The definition is not valid JSON: fix it first.");
      return;
    }
    if (orderChoice.value) {
      body.orderId = orderChoice.value;
    } else {
      try {
        body.order = JSON.parse(document.getElementById("dry-run-sample").value);
      } catch (error) {
        showMessage("error", "The sample order is not valid JSON.");
        return;
      }
    }
    showMessage("muted", "Running…");
    const token = document.querySelector("#flow-form [name=csrfmiddlewaretoken]").value;
    let response;
    try {
      response = await fetch(panel.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify(body),
      });
    } catch (error) {
      showMessage("error", "The server could not be reached.");
      return;
    }
    const answer = await response.json().catch(() => null);
    if (response.ok) showPlan(answer);
    else showRefusal(answer);
  });
})();
