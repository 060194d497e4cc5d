// Confirmation before a decision that is hard to take back (docs/ui.md, "Confirmation
// dialog"). A form asks first when its submit button, the <option> chosen in one of its
// selects, or the form itself carries data-confirm="…" (in that order). The text may hold
// {count}: the number of checked boxes named by the form's data-confirm-count (boxes outside
// the form with form="…" count too); data-confirm-one is the text for a count of one. With no
// box checked the form submits unasked, for the server to answer. Without this script, or a
// browser without <dialog>, every form simply submits.
(function () {
  "use strict";
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const text = document.getElementById("confirm-dialog-text");
  const ok = dialog.querySelector("button[value=confirm]");
  const cancel = dialog.querySelector("button[value=cancel]");
  let pending = null;

  function source(form, submitter) {
    if (submitter && submitter.dataset.confirm) return submitter;
    for (const select of form.querySelectorAll("select")) {
      const chosen = select.selectedOptions[0];
      if (chosen && chosen.dataset.confirm) return chosen;
    }
    return form.dataset.confirm ? form : null;
  }

  function checkedCount(form) {
    const name = form.dataset.confirmCount;
    if (!name) return null;
    return Array.from(form.elements).filter(function (el) {
      return el.name === name && el.checked;
    }).length;
  }

  function message(from, count) {
    const one = from.dataset.confirmOne;
    const words = count === 1 && one ? one : from.dataset.confirm;
    return words.split("{count}").join(count === null ? "" : String(count));
  }

  window.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.confirmed) {
      delete form.dataset.confirmed;
      return;
    }
    const from = source(form, event.submitter);
    if (!from) return;
    const count = checkedCount(form);
    if (count === 0) return;
    // Stop the submit before htmx or the browser sees it; it is sent again once confirmed.
    event.preventDefault();
    event.stopImmediatePropagation();
    pending = { form: form, submitter: event.submitter };
    text.textContent = message(from, count);
    const label = event.submitter && event.submitter.textContent.trim();
    ok.textContent = label || ok.dataset.label;
    ok.className = event.submitter ? event.submitter.className : "";
    dialog.showModal();
    cancel.focus();
  }, true);

  ok.addEventListener("click", function () {
    const { form, submitter } = pending;
    pending = null;
    dialog.close();
    form.dataset.confirmed = "1";
    // A click on the same button submits as it would have (htmx reads the button clicked).
    if (submitter) submitter.click();
    else form.requestSubmit();
  });
  cancel.addEventListener("click", function () {
    pending = null;
    dialog.close();
  });
  dialog.addEventListener("close", function () {
    pending = null;
  });
})();
