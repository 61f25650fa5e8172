/* Fabflow — the one confirmation dialog of every action that cannot be taken back, and the
 * focus rules of every modal dialog. Loaded by web/base.html, after app.js.
 *
 *   Confirm   <form data-confirm="Revoke the key “Shop”?"
 *                   data-confirm-detail="Every request made with it is refused from now on."
 *                   data-confirm-button="Revoke key">        (the button's words; default: the
 *                                                           submit button's own text)
 *             The same attributes on a submit button apply to what that button sends.
 *             data-confirm-tone="primary" marks an action that destroys nothing (not red).
 *             {name} in the texts is replaced by what the form's field `name` holds (the chosen
 *             option's words for a select), so the dialog names what is about to happen.
 *   Focus     a modal dialog takes the focus when it opens; Escape closes it; closing it gives
 *             the focus back to the element that opened it.
 *   Refresh   a part of the page that refreshes itself (hx-trigger="every …") waits while a
 *             dialog is open.
 *
 * The dialog is a real <dialog> opened with showModal(). Its submit listener runs on window in
 * the capture phase, before app.js's and htmx's listeners on document, which see the submit
 * only once the person has confirmed. No inline script or style: the pages' Content-Security-
 * Policy allows neither.
 */
(function () {
  "use strict";
  if (window.Fabflow && window.Fabflow.confirmDialog) return; // loaded once per page

  const CONFIRM_ATTRIBUTES = ["data-confirm", "data-confirm-detail", "data-confirm-button", "data-confirm-tone"];
  const openers = new WeakMap(); // dialog -> the element that had the focus before it opened
  let pending = null; // {form, submitter} waiting for the person's answer

  function confirmDialog() {
    let dialog = document.getElementById("confirm-dialog");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "confirm-dialog";
    dialog.className = "modal confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-detail");
    const header = document.createElement("header");
    const title = document.createElement("h2");
    title.id = "confirm-dialog-title";
    header.append(title);
    const body = document.createElement("div");
    body.className = "modal-body";
    const detail = document.createElement("p");
    detail.id = "confirm-dialog-detail";
    body.append(detail);
    const footer = document.createElement("footer");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn";
    cancel.id = "confirm-dialog-cancel";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => dialog.close("cancel"));
    const accept = document.createElement("button");
    accept.type = "button";
    accept.id = "confirm-dialog-accept";
    accept.addEventListener("click", () => dialog.close("accept"));
    footer.append(cancel, accept);
    dialog.append(header, body, footer);
    dialog.addEventListener("close", () => {
      const answered = pending;
      pending = null;
      if (answered && dialog.returnValue === "accept") submitConfirmed(answered.form, answered.submitter);
    });
    document.body.append(dialog);
    return dialog;
  }

  /** The texts of the form's confirmation: the submit button's attributes win over the form's. */
  function confirmation(form, submitter) {
    const read = (name) => (submitter && submitter.getAttribute(name)) || form.getAttribute(name);
    const question = read("data-confirm");
    if (!question) return null;
    return {
      question: fillFields(question, form),
      detail: fillFields(read("data-confirm-detail") || "", form),
      button: fillFields(read("data-confirm-button") || (submitter && submitter.textContent.trim()) || "Confirm", form),
      tone: read("data-confirm-tone") === "primary" ? "btn-primary" : "btn-danger",
    };
  }

  function fillFields(text, form) {
    return text.replace(/\{([A-Za-z0-9_-]+)\}/g, (whole, name) => {
      const field = form.elements.namedItem(name);
      if (!field) return whole;
      if (field.tagName === "SELECT") {
        const option = field.options[field.selectedIndex];
        return option ? option.text : "";
      }
      return field.value;
    });
  }

  window.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const asked = confirmation(form, event.submitter);
    if (!asked) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const dialog = confirmDialog();
    dialog.querySelector("#confirm-dialog-title").textContent = asked.question;
    const detail = dialog.querySelector("#confirm-dialog-detail");
    detail.textContent = asked.detail;
    detail.hidden = !asked.detail;
    const accept = dialog.querySelector("#confirm-dialog-accept");
    accept.textContent = asked.button;
    accept.className = `btn ${asked.tone}`;
    pending = { form, submitter: event.submitter || null };
    openers.set(dialog, event.submitter || document.activeElement);
    dialog.returnValue = "";
    dialog.showModal();
    // The safe answer has the focus: Enter on a confirmation does not destroy anything.
    dialog.querySelector("#confirm-dialog-cancel").focus();
  }, true);

  /** Send the form as the person asked, its confirmation set aside for this one submit. */
  function submitConfirmed(form, submitter) {
    const holders = [form, submitter].filter(Boolean);
    const saved = holders.map((element) => CONFIRM_ATTRIBUTES.map((name) => [name, element.getAttribute(name)]));
    holders.forEach((element) => CONFIRM_ATTRIBUTES.forEach((name) => element.removeAttribute(name)));
    try {
      if (submitter && submitter.form === form) form.requestSubmit(submitter); else form.requestSubmit();
    } finally {
      holders.forEach((element, index) => {
        for (const [name, value] of saved[index]) if (value !== null) element.setAttribute(name, value);
      });
    }
  }

  /* ---------- a page that refreshes itself waits while a person answers a dialog ---------- */
  // The refresh (hx-trigger="every …") would replace the form the dialog is about to send.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const trigger = event.detail.elt && event.detail.elt.getAttribute("hx-trigger");
    if (trigger && trigger.startsWith("every ") && document.querySelector("dialog[open]")) event.preventDefault();
  });

  /* ---------- focus: into a dialog as it opens, back to its opener as it closes ---------- */
  document.addEventListener("focusin", (event) => {
    const dialog = event.target.closest && event.target.closest("dialog");
    const from = event.relatedTarget;
    if (dialog && from && !dialog.contains(from) && !openers.has(dialog)) openers.set(dialog, from);
  });

  // "close" does not bubble: listened for in the capture phase, for every dialog of the page.
  document.addEventListener("close", (event) => {
    const dialog = event.target;
    if (!(dialog instanceof HTMLDialogElement)) return;
    const opener = openers.get(dialog);
    openers.delete(dialog);
    if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
  }, true);

  window.Fabflow = Object.assign(window.Fabflow || {}, { confirmDialog });
})();
