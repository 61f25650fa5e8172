/* Inline saves of the admin pages (a user's tags on the Users page).
 *
 *   <form hx-post=… data-swap-refusal>   a save the server refuses (422) comes back with its
 *                                         error beside the field: htmx swaps it in like a
 *                                         success instead of dropping it.
 *
 * What was saved is said by the page's status line (role=status), which the server's answer
 * fills out of band. Loaded by the pages that have such forms; no inline script (CSP).
 */
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 422 && form && form.closest("[data-swap-refusal]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
